/**
 * The physical limit of one resync: the fewest read calls that can observe the services the manifests name and
 * what they refer to, at AWS's documented batch sizes. Pure: derived from the manifests alone.
 */
import type { ServiceManifest } from '../../src/manifest/index.js';
import { DESCRIBE_SERVICES_BATCH, ELBV2_BATCH, LIST_SERVICES_PAGE, SCALABLE_TARGETS_BATCH, SCALING_POLICIES_PAGE, SCHEDULED_ACTIONS_PAGE } from '../../src/observe/index.js';
import { isArn } from '../../src/observe/elbv2.js';
import { observationFor, usesTaskSets } from '../../src/plan/index.js';

/** Read calls by operation (`service.Operation`, as the sandbox's call log names them). */
export type CallCounts = Record<string, number>;

const pages = (items: number, size: number): number => Math.ceil(items / size);

/**
 * - ecs: per cluster, ceil(n/100) ListServices and ceil(n/10) DescribeServices (DescribeServices takes one cluster);
 *   one DescribeTaskSets per Canary/BlueGreen service, since DescribeServices omits task set tags; task definitions
 *   are immutable per ARN, so a warm resync reads none.
 * - autoscaling: the ecs namespace's scalable targets, ceil(S/50) pages for S scaled services (at least one page,
 *   which also shows a stray target on an unscaled service); with S > 0, the namespace's policies (pages of 10)
 *   and scheduled actions (pages of 50), at least one page each.
 * - elbv2: target groups by name and by ARN in batches of 20 (names and ARNs cannot share a call), attributes
 *   one call per target group that declares them, listener rules in batches of 20.
 */
export function resyncReadFloor(manifests: readonly ServiceManifest[]): CallCounts {
  const floor: CallCounts = {};
  const add = (operation: string, calls: number) => {
    if (calls > 0) floor[operation] = (floor[operation] ?? 0) + calls;
  };
  if (manifests.length === 0) return floor;
  const perCluster = new Map<string, number>();
  for (const m of manifests) perCluster.set(m.spec.cluster, (perCluster.get(m.spec.cluster) ?? 0) + 1);
  for (const count of perCluster.values()) {
    add('ecs.ListServices', pages(count, LIST_SERVICES_PAGE));
    add('ecs.DescribeServices', pages(count, DESCRIBE_SERVICES_BATCH));
  }
  add('ecs.DescribeTaskSets', manifests.filter((m) => usesTaskSets(m.spec)).length);

  const scaled = manifests.filter((m) => m.spec.autoscaling !== undefined);
  add('autoscaling.DescribeScalableTargets', Math.max(1, pages(scaled.length, SCALABLE_TARGETS_BATCH)));
  if (scaled.length > 0) {
    const policies = scaled.reduce((sum, m) => sum + (m.spec.autoscaling?.policies?.length ?? 0), 0);
    const actions = scaled.reduce((sum, m) => sum + (m.spec.autoscaling?.scheduledActions?.length ?? 0), 0);
    add('autoscaling.DescribeScalingPolicies', Math.max(1, pages(policies, SCALING_POLICIES_PAGE)));
    add('autoscaling.DescribeScheduledActions', Math.max(1, pages(actions, SCHEDULED_ACTIONS_PAGE)));
  }

  const { extras } = observationFor(manifests);
  const targetGroups = extras.targetGroups ?? [];
  const arns = targetGroups.filter(isArn).length;
  add('elbv2.DescribeTargetGroups', pages(targetGroups.length - arns, ELBV2_BATCH) + pages(arns, ELBV2_BATCH));
  add('elbv2.DescribeTargetGroupAttributes', extras.targetGroupAttributes?.length ?? 0);
  add('elbv2.DescribeRules', pages(extras.ruleArns?.length ?? 0, ELBV2_BATCH));
  return floor;
}

export function totalCalls(counts: CallCounts): number {
  return Object.values(counts).reduce((sum, calls) => sum + calls, 0);
}

/** The writes that create the manifests' services in an empty account (target groups already exist): nothing can do with fewer. */
export function coldStartWriteFloor(manifests: readonly ServiceManifest[]): CallCounts {
  const scaled = manifests.filter((m) => m.spec.autoscaling !== undefined);
  const floor: CallCounts = {
    'ecs.RegisterTaskDefinition': new Set(manifests.map((m) => m.spec.taskDefinition.family)).size,
    'ecs.CreateService': manifests.length,
    'autoscaling.RegisterScalableTarget': scaled.length,
    'autoscaling.PutScalingPolicy': scaled.reduce((sum, m) => sum + (m.spec.autoscaling?.policies?.length ?? 0), 0),
    'autoscaling.PutScheduledAction': scaled.reduce((sum, m) => sum + (m.spec.autoscaling?.scheduledActions?.length ?? 0), 0),
  };
  return Object.fromEntries(Object.entries(floor).filter(([, calls]) => calls > 0));
}
