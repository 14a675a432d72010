/**
 * The contract between the sandbox's simulated services. Each service (ECS, ELBv2, Application Auto Scaling,
 * CloudWatch) owns its own state; when one needs another (a task registering into a target group, a health
 * check asking whether a task answers, a scaling policy moving a service's desiredCount) it goes through these
 * narrow interfaces rather than reaching into the other's data.
 */

/** Simulated time in epoch milliseconds. Tests drive it by hand; the CLI runs it at a chosen scale of wall time. */
export interface SandboxClock {
  now(): number;
}

/** What the simulated process behind one task IP does, as the load balancer and CloudWatch see it. */
export interface TargetProcess {
  taskArn: string;
  clusterArn: string;
  serviceName?: string;
  taskSetId?: string;
  image: string;
  /** True once the task is RUNNING and not yet stopping. */
  running: boolean;
  /** Whether the app answers its load-balancer health check right now (false while still starting up). */
  passesHealthCheck: boolean;
  /** Share of requests answered with 5xx, 0..1. */
  errorRate: number;
  /** Mean response time in milliseconds. */
  latencyMs: number;
}

export interface EcsView {
  /** The process listening at ip:port, if a simulated task owns that address. */
  targetProcess(ip: string, port: number): TargetProcess | undefined;
  /** True when the cluster (name or ARN) and service exist and the service is not INACTIVE. */
  serviceExists(cluster: string, service: string): boolean;
  /** Set by Application Auto Scaling (target tracking, scheduled actions). */
  setServiceDesiredCount(cluster: string, service: string, desiredCount: number): void;
  /** The service's desiredCount, or undefined when it does not exist or is not ACTIVE. */
  serviceDesiredCount(cluster: string, service: string): number | undefined;
  /** Running task count and mean CPU/memory utilization (percent) of a service, for AWS/ECS metrics. */
  serviceUtilization(cluster: string, service: string): { runningCount: number; cpu: number; memory: number } | undefined;
}

export interface Elbv2View {
  targetGroupExists(targetGroupArn: string): boolean;
  /** Whether a listener (or rule) of some load balancer forwards to the group: ECS refuses a group with none. */
  targetGroupHasLoadBalancer(targetGroupArn: string): boolean;
  /** Resolve a target group by ARN or name. */
  targetGroupArn(nameOrArn: string): string | undefined;
  registerTarget(targetGroupArn: string, ip: string, port: number): void;
  /** Starts draining; the target disappears after the group's deregistration delay. */
  deregisterTarget(targetGroupArn: string, ip: string, port: number): void;
  /** Health of a registered target; undefined when it is not registered (or has finished draining). */
  targetHealth(targetGroupArn: string, ip: string, port: number): TargetHealthState | undefined;
  /**
   * Share of a listener rule's traffic each target group receives, for the simulated request stream.
   * Keyed by target group ARN; groups that receive nothing are absent.
   */
  trafficShares(): Map<string, number>;
  /**
   * Makes a listener rule forward to these target groups with these weights (ECS shifting a native deployment's
   * traffic). False when the rule or a group no longer exists.
   */
  forwardRule(ruleArn: string, weights: Array<{ targetGroupArn: string; weight: number }>): boolean;
}

export interface CloudWatchView {
  /** The alarm's state value, or undefined when no such alarm exists. */
  alarmState(name: string): 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | undefined;
}

/** Load-balancer health of one registered target, as DescribeTargetHealth reports it. */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable' | 'unhealthy.draining';

/**
 * The views each service publishes for the others. A service sets its own entry when it is created; a reader
 * must treat a missing entry as "that service is not part of this sandbox".
 */
export interface SandboxViews {
  ecs?: EcsView;
  elbv2?: Elbv2View;
  cloudwatch?: CloudWatchView;
}
