import type { TargetProcess } from '../world.js';
import type { TargetPhase, WeightedTargetGroup } from './model.js';

/**
 * The simulated request model. Every listener's default action and every rule is its own stream with its own
 * request rate; a forward action splits its stream over its target groups in proportion to their weights
 * (all weights 0: nothing is forwarded, as AWS answers 503).
 */
export interface TrafficStream {
  requestsPerSecond: number;
  groups: readonly WeightedTargetGroup[];
}

function forEachShare(streams: Iterable<TrafficStream>, visit: (arn: string, share: number, stream: TrafficStream) => void): void {
  for (const stream of streams) {
    const total = stream.groups.reduce((sum, group) => sum + group.Weight, 0);
    if (total === 0) continue;
    for (const group of stream.groups) {
      if (group.Weight > 0) visit(group.TargetGroupArn, group.Weight / total, stream);
    }
  }
}

/** Per target group, the sum over streams of the share of that stream it receives (0..1 per stream). */
export function sharesOf(streams: Iterable<TrafficStream>): Map<string, number> {
  const shares = new Map<string, number>();
  forEachShare(streams, (arn, share) => shares.set(arn, (shares.get(arn) ?? 0) + share));
  return shares;
}

/** Per target group, requests per second. */
export function ratesOf(streams: Iterable<TrafficStream>): Map<string, number> {
  const rates = new Map<string, number>();
  forEachShare(streams, (arn, share, stream) => rates.set(arn, (rates.get(arn) ?? 0) + share * stream.requestsPerSecond));
  return rates;
}

export interface RoutedTarget {
  phase: TargetPhase;
  process: TargetProcess | undefined;
}

/** What one target group's traffic looks like right now, per second; the raw material of AWS/ApplicationELB. */
export interface TargetGroupLoad {
  requestsPerSecond: number;
  target2xxPerSecond: number;
  target5xxPerSecond: number;
  /** Requests the load balancer itself failed: no target to route to (503) or a dead target (502). */
  elb5xxPerSecond: number;
  /** Mean response time of the requests targets answered, ms (0 when none). */
  meanLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  healthyHostCount: number;
  unhealthyHostCount: number;
}

/**
 * Round robin over healthy targets; with none healthy the load balancer fails open to every registered target
 * that is not draining, as ALB does.
 */
export function loadOf(requestsPerSecond: number, targets: readonly RoutedTarget[]): TargetGroupLoad {
  const healthy = targets.filter((t) => t.phase === 'healthy');
  const routable = healthy.length > 0 ? healthy : targets.filter((t) => t.phase === 'initial' || t.phase === 'unhealthy');
  const load: TargetGroupLoad = {
    requestsPerSecond,
    target2xxPerSecond: 0,
    target5xxPerSecond: 0,
    elb5xxPerSecond: 0,
    meanLatencyMs: 0,
    minLatencyMs: 0,
    maxLatencyMs: 0,
    healthyHostCount: healthy.length,
    unhealthyHostCount: targets.filter((t) => t.phase === 'unhealthy').length,
  };
  if (routable.length === 0) {
    load.elb5xxPerSecond = requestsPerSecond;
    return load;
  }
  const perTarget = requestsPerSecond / routable.length;
  let answered = 0;
  let latencySum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const { process } of routable) {
    if (!process || !process.running) {
      load.elb5xxPerSecond += perTarget;
      continue;
    }
    load.target5xxPerSecond += perTarget * process.errorRate;
    load.target2xxPerSecond += perTarget * (1 - process.errorRate);
    answered += perTarget;
    latencySum += perTarget * process.latencyMs;
    min = Math.min(min, process.latencyMs);
    max = Math.max(max, process.latencyMs);
  }
  if (answered > 0) {
    load.meanLatencyMs = latencySum / answered;
    load.minLatencyMs = min;
    load.maxLatencyMs = max;
  }
  return load;
}
