import type { AwsClients } from '../aws/index.js';
import { unique } from './batch.js';
import type { TaskDefinitionCache } from './cache.js';
import { describeScalableTargets, describeScalingPolicies, describeScheduledActions } from './autoscaling.js';
import { clusterNotFound, describeClusters, describeNativeDeployment, describeServices, describeTaskDefinitions, describeTaskSets, hasNativeDeploymentInFlight, listServiceNames, listTaskDefinitionRevisions } from './ecs.js';
import type { DescribedServices } from './ecs.js';
import { describeRules, describeTargetGroupAttributes, describeTargetGroups, describeTargetHealth, isArn } from './elbv2.js';
import { clusterName, emptyObservedState, MANAGED_BY_TAG, parseServiceKey, scalableResourceId } from './types.js';
import type { ObservedScalableTarget, ObservedScalingPolicy, ObservedScheduledAction, ObservedService, ObservedState, ServiceKey } from './types.js';

export interface ObserveContext {
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'>;
  taskDefinitions: TaskDefinitionCache;
}

/** Load-balancer resources the desired state refers to; each list is read only when non-empty. */
export interface ObserveExtras {
  /** Target groups (names or ARNs) referenced by manifests: described in batches, to resolve names to ARNs. */
  targetGroups?: readonly string[];
  /** Target groups whose manifests declare attributes: one DescribeTargetGroupAttributes each. */
  targetGroupAttributes?: readonly string[];
  /** Listener rules (ARNs) used by rollouts: described in batches. */
  ruleArns?: readonly string[];
  /** Target groups a rollout gates on: one DescribeTargetHealth each. */
  targetHealth?: readonly string[];
  /** Task definition families whose old revisions may be cleaned up: one paged ListTaskDefinitions each. */
  taskDefinitionFamilies?: readonly string[];
  /**
   * When set, task definitions and task sets are read only for these services. A resync lists whole clusters,
   * but the services no manifest names only matter to prune, which needs their tags and counts, not their tasks.
   */
  detailKeys?: readonly ServiceKey[];
  /** Read the clusters' tags too (prune's deletion ledger and approvals): one DescribeClusters per 100 clusters. */
  clusterTags?: boolean;
}

/**
 * Observes exactly the given services (`cluster/name`), without listing clusters: DescribeServices in batches of
 * 10 per cluster, then what those services need. Used for a reconcile of a few keys.
 */
export async function observeServices(context: ObserveContext, keys: readonly ServiceKey[], extras: ObserveExtras = {}): Promise<ObservedState> {
  const namesByCluster = new Map<string, string[]>();
  for (const key of unique(keys)) {
    const { cluster, service } = parseServiceKey(key);
    namesByCluster.set(cluster, [...(namesByCluster.get(cluster) ?? []), service]);
  }
  const described = await Promise.all(
    [...namesByCluster].map(([cluster, names]) => describeServices(context.clients.ecs, cluster, names)),
  );
  return complete(context, described, extras, 'per-resource');
}

/**
 * Observes every service in the given clusters (a resync, and the input of prune): ListServices pages of 100,
 * DescribeServices batches of 10, and the scalable targets, scaling policies and scheduled actions of the whole
 * ecs namespace. The namespace reads need no service list, so they run beside the ECS ones: Application Auto
 * Scaling has its own rate limit, and a resync then takes as long as the slower API, not the sum of both.
 */
export async function observeClusters(context: ObserveContext, clusters: readonly string[], extras: ObserveExtras = {}): Promise<ObservedState> {
  const [described, scaling, clusterTags] = await Promise.all([
    Promise.all(
      unique(clusters).map(async (cluster) => {
        const names = await listServiceNames(context.clients.ecs, cluster);
        return names === undefined ? clusterNotFound(cluster, []) : describeServices(context.clients.ecs, cluster, names);
      }),
    ),
    readNamespaceScaling(context, clusters),
    extras.clusterTags ? describeClusters(context.clients.ecs, clusters) : [],
  ]);
  const state = await complete(context, described, extras, scaling);
  for (const cluster of clusterTags) state.clusterTags[cluster.name] = cluster.tags;
  return state;
}

/** Services carrying the managed-by tag of this controller instance (the only ones prune may touch). */
export function managedServices(state: ObservedState, instance: string): ObservedService[] {
  return Object.values(state.services).filter((service) => service.tags[MANAGED_BY_TAG] === instance);
}

async function complete(
  context: ObserveContext,
  described: DescribedServices[],
  extras: ObserveExtras,
  scaling: 'per-resource' | ScalingReads,
): Promise<ObservedState> {
  const state = emptyObservedState();
  const services = described.flatMap((d) => d.services).sort((a, b) => a.key.localeCompare(b.key));
  for (const service of services) state.services[service.key] = service;
  state.missing = described.flatMap((d) => d.missing).sort();
  state.missingClusters = unique(described.flatMap((d) => (d.missingCluster === undefined ? [] : [d.missingCluster]))).sort();

  await Promise.all([
    observeTaskDefinitions(context, state, withDetails(services, extras.detailKeys)),
    observeNativeDeployments(context, withDetails(services, extras.detailKeys)),
    observeRevisions(context, state, extras.taskDefinitionFamilies ?? []),
    observeLoadBalancing(context, state, extras),
    observeScaling(context, state, services, scaling),
  ]);
  return state;
}

function withDetails(services: ObservedService[], detailKeys: readonly ServiceKey[] | undefined): ObservedService[] {
  if (!detailKeys) return services;
  const wanted = new Set(detailKeys);
  return services.filter((service) => wanted.has(service.key));
}

async function observeTaskDefinitions(context: ObserveContext, state: ObservedState, services: ObservedService[]): Promise<void> {
  const external = services.filter((service) => service.deploymentControllerType === 'EXTERNAL');
  await Promise.all(
    external.map(async (service) => {
      service.taskSets = await describeTaskSets(context.clients.ecs, service);
    }),
  );
  // A FAILED deployment's task definition too: the failed-revision hold compares its content with the desired one.
  const failed = (service: ObservedService) => service.deployments.filter((deployment) => deployment.rolloutState === 'FAILED').map((deployment) => deployment.taskDefinition);
  const arns = services.flatMap((service) => [service.taskDefinition, ...service.taskSets.map((taskSet) => taskSet.taskDefinition), ...failed(service)]);
  state.taskDefinitions = await describeTaskDefinitions(context.clients.ecs, arns, context.taskDefinitions);
}

async function observeNativeDeployments(context: ObserveContext, services: ObservedService[]): Promise<void> {
  await Promise.all(
    services.filter(hasNativeDeploymentInFlight).map(async (service) => {
      const native = await describeNativeDeployment(context.clients.ecs, service);
      if (native) service.nativeDeployment = native;
    }),
  );
}

async function observeRevisions(context: ObserveContext, state: ObservedState, families: readonly string[]): Promise<void> {
  await Promise.all(
    unique(families).map(async (family) => {
      state.taskDefinitionRevisions[family] = await listTaskDefinitionRevisions(context.clients.ecs, family);
    }),
  );
}

async function observeLoadBalancing(context: ObserveContext, state: ObservedState, extras: ObserveExtras): Promise<void> {
  const { elbv2 } = context.clients;
  const groupRefs = unique([...(extras.targetGroups ?? []), ...(extras.targetGroupAttributes ?? []), ...(extras.targetHealth ?? [])]);
  const [groups, rules] = await Promise.all([
    groupRefs.length > 0 ? describeTargetGroups(elbv2, groupRefs) : [],
    (extras.ruleArns ?? []).length > 0 ? describeRules(elbv2, extras.ruleArns ?? []) : [],
  ]);
  for (const group of groups) {
    state.targetGroups[group.arn] = group;
    state.targetGroupArnsByName[group.name] = group.arn;
  }
  for (const rule of rules) state.rules[rule.arn] = rule;

  const resolve = (ref: string) => (isArn(ref) ? (state.targetGroups[ref] ? ref : undefined) : state.targetGroupArnsByName[ref]);
  const existing = (refs: readonly string[] | undefined) => unique((refs ?? []).map(resolve).filter((arn): arn is string => arn !== undefined));
  await Promise.all([
    ...existing(extras.targetGroupAttributes).map(async (arn) => {
      const group = state.targetGroups[arn];
      if (group) group.attributes = await describeTargetGroupAttributes(elbv2, arn);
    }),
    ...existing(extras.targetHealth).map(async (arn) => {
      state.targetHealth[arn] = await describeTargetHealth(elbv2, arn);
    }),
  ]);
}

interface ScalingReads {
  targets: ObservedScalableTarget[];
  policies: ObservedScalingPolicy[];
  actions: ObservedScheduledAction[];
}

/**
 * The ecs namespace's scalable targets in pages of 50 (one page per 50 targets that exist, instead of one call per
 * 50 services observed), then its policies and scheduled actions when a target lies in one of these clusters:
 * policies and scheduled actions exist only on a registered scalable target.
 */
async function readNamespaceScaling(context: ObserveContext, clusters: readonly string[]): Promise<ScalingReads> {
  const { autoscaling } = context.clients;
  const prefixes = unique(clusters).map((cluster) => `service/${clusterName(cluster)}/`);
  const targets = (await describeScalableTargets(autoscaling)).filter((target) => prefixes.some((prefix) => target.resourceId.startsWith(prefix)));
  if (targets.length === 0) return { targets, policies: [], actions: [] };
  const [policies, actions] = await Promise.all([describeScalingPolicies(autoscaling), describeScheduledActions(autoscaling)]);
  return { targets, policies, actions };
}

async function readScalingOf(context: ObserveContext, resourceIds: readonly string[]): Promise<ScalingReads> {
  const { autoscaling } = context.clients;
  const targets = await describeScalableTargets(autoscaling, resourceIds);
  const scaled = targets.map((target) => target.resourceId);
  if (scaled.length === 0) return { targets, policies: [], actions: [] };
  const [policies, actions] = await Promise.all([describeScalingPolicies(autoscaling, scaled), describeScheduledActions(autoscaling, scaled)]);
  return { targets, policies, actions };
}

async function observeScaling(context: ObserveContext, state: ObservedState, services: ObservedService[], scaling: 'per-resource' | ScalingReads): Promise<void> {
  const resourceIds = services.map((service) => scalableResourceId(service.key));
  if (resourceIds.length === 0) return;
  const reads = scaling === 'per-resource' ? await readScalingOf(context, resourceIds) : scaling;
  // Only the services observed: a namespace read also returns services that were not listed or not asked for.
  const observed = new Set(resourceIds);
  const wanted = new Set<string>();
  for (const target of reads.targets) {
    if (!observed.has(target.resourceId)) continue;
    state.scalableTargets[target.resourceId] = target;
    wanted.add(target.resourceId);
  }
  for (const policy of reads.policies) {
    if (wanted.has(policy.resourceId)) (state.scalingPolicies[policy.resourceId] ??= []).push(policy);
  }
  for (const action of reads.actions) {
    if (wanted.has(action.resourceId)) (state.scheduledActions[action.resourceId] ??= []).push(action);
  }
}
