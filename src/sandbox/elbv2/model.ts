import type { LoadBalancerKind } from './arns.js';

/** The simulated request rate a listener (or a rule) receives when nothing else is configured. */
export const DEFAULT_REQUESTS_PER_SECOND = 50;

export interface LoadBalancer {
  arn: string;
  name: string;
  kind: LoadBalancerKind;
  scheme: 'internet-facing' | 'internal';
  vpcId: string;
  availabilityZones: Array<{ ZoneName: string; SubnetId: string }>;
  securityGroups: string[];
  ipAddressType: string;
  createdAt: number;
  dnsName: string;
  listenerArns: Set<string>;
}

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  certificates?: unknown[];
  sslPolicy?: string;
  /** The rule AWS creates with every listener: its default actions, described with Priority `default`. */
  defaultRuleArn: string;
  /** The non-default rules. */
  ruleArns: Set<string>;
  createdAt: number;
}

export interface Rule {
  arn: string;
  listenerArn: string;
  isDefault: boolean;
  /** 1..50000; the default rule sorts last. */
  priority: number;
  conditions: Condition[];
  actions: Action[];
  /** Simulated requests per second this rule receives: the listener's rate for the default rule, else its own stream. */
  requestsPerSecond: number;
  createdAt: number;
}

export interface WeightedTargetGroup {
  TargetGroupArn: string;
  Weight: number;
}

/** An action as AWS describes it back: forward actions always carry a full ForwardConfig. */
export interface Action {
  Type: string;
  Order: number;
  TargetGroupArn?: string;
  ForwardConfig?: {
    TargetGroups: WeightedTargetGroup[];
    TargetGroupStickinessConfig: { Enabled: boolean; DurationSeconds?: number };
  };
  FixedResponseConfig?: Record<string, unknown>;
  RedirectConfig?: Record<string, unknown>;
}

export interface Condition {
  Field: string;
  Values?: string[];
  [config: string]: unknown;
}

export interface HealthCheck {
  enabled: boolean;
  protocol: string;
  /** `traffic-port` or a port number as text, as AWS reports it. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

export type TargetPhase = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface Target {
  id: string;
  port: number;
  availabilityZone?: string;
  phase: TargetPhase;
  /** Unhealthy reason code, when phase is unhealthy. */
  failureReason?: string;
  checksRun: number;
  /** Consecutive results agreeing with the last one: positive for passes, negative for failures. */
  streak: number;
  nextCheckAt: number;
  drainUntil?: number;
}

export interface TargetGroup {
  arn: string;
  name: string;
  protocol: string;
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: 'ip' | 'instance' | 'lambda' | 'alb';
  ipAddressType: string;
  healthCheck: HealthCheck;
  attributes: Map<string, string>;
  createdAt: number;
  /** Keyed by `id:port`. */
  targets: Map<string, Target>;
}

export const targetKey = (id: string, port: number): string => `${id}:${port}`;

/** AWS's defaults for an HTTP/HTTPS target group of an Application Load Balancer. */
export function defaultHealthCheck(protocol: string): HealthCheck {
  return {
    enabled: true,
    protocol: protocol === 'HTTPS' ? 'HTTPS' : protocol === 'HTTP' ? 'HTTP' : 'TCP',
    port: 'traffic-port',
    path: '/',
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThreshold: 5,
    unhealthyThreshold: 2,
    matcher: '200',
  };
}

/** Every attribute DescribeTargetGroupAttributes returns for an ALB target group, with AWS's defaults. */
export const DEFAULT_TARGET_GROUP_ATTRIBUTES: ReadonlyArray<[string, string]> = [
  ['deregistration_delay.timeout_seconds', '300'],
  ['stickiness.enabled', 'false'],
  ['stickiness.type', 'lb_cookie'],
  ['stickiness.lb_cookie.duration_seconds', '86400'],
  ['stickiness.app_cookie.cookie_name', ''],
  ['stickiness.app_cookie.duration_seconds', '86400'],
  ['slow_start.duration_seconds', '0'],
  ['load_balancing.algorithm.type', 'round_robin'],
  ['load_balancing.algorithm.anomaly_mitigation', 'off'],
  ['load_balancing.cross_zone.enabled', 'use_load_balancer_configuration'],
  ['target_group_health.dns_failover.minimum_healthy_targets.count', '1'],
  ['target_group_health.dns_failover.minimum_healthy_targets.percentage', 'off'],
  ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.count', '1'],
  ['target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', 'off'],
];

type AttributeCheck = (value: string) => boolean;

const intBetween =
  (min: number, max: number): AttributeCheck =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
const oneOf =
  (...allowed: string[]): AttributeCheck =>
  (value) =>
    allowed.includes(value);

/** Which values each attribute accepts (AWS's documented ranges). */
export const TARGET_GROUP_ATTRIBUTE_CHECKS: Readonly<Record<string, AttributeCheck>> = {
  'deregistration_delay.timeout_seconds': intBetween(0, 3600),
  'stickiness.enabled': oneOf('true', 'false'),
  'stickiness.type': oneOf('lb_cookie', 'app_cookie'),
  'stickiness.lb_cookie.duration_seconds': intBetween(1, 604800),
  'stickiness.app_cookie.cookie_name': (value) => value.length <= 255,
  'stickiness.app_cookie.duration_seconds': intBetween(1, 604800),
  'slow_start.duration_seconds': (value) => value === '0' || intBetween(30, 900)(value),
  'load_balancing.algorithm.type': oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'),
  'load_balancing.algorithm.anomaly_mitigation': oneOf('on', 'off'),
  'load_balancing.cross_zone.enabled': oneOf('true', 'false', 'use_load_balancer_configuration'),
  'target_group_health.dns_failover.minimum_healthy_targets.count': (value) => value === 'off' || intBetween(1, 1000)(value),
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': (value) => value === 'off' || intBetween(1, 100)(value),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': intBetween(1, 1000),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': (value) => value === 'off' || intBetween(1, 100)(value),
};

export const MAX_TARGET_GROUPS_PER_FORWARD = 5;
export const MAX_FORWARD_WEIGHT = 999;
export const MAX_RULES_PER_LISTENER = 100;
export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_DESCRIBE_TAGS_ARNS = 20;
/** DescribeTargetGroups takes at most this many names or ARNs: AWS answers ValidationError beyond it. */
export const MAX_TARGET_GROUPS_PER_DESCRIBE = 20;
