import type { Cluster } from '@aws-sdk/client-ecs';
import type { Handlers } from '../core/service.js';
import { clusterArn, nameFromArnOrName } from './arns.js';
import type { EcsContext } from './context.js';
import { clusterContainsServices, clusterContainsTasks, invalidParameter } from './errors.js';
import type { ClusterRecord } from './model.js';
import { paginate } from './pagination.js';
import { parseTags } from './tags.js';

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function createClusterRecord(ecs: EcsContext, input: { clusterName?: string; tags?: unknown; settings?: ClusterRecord['settings']; capacityProviders?: string[]; defaultCapacityProviderStrategy?: ClusterRecord['defaultCapacityProviderStrategy'] }): ClusterRecord {
  const name = input.clusterName ?? 'default';
  if (!CLUSTER_NAME.test(name)) throw invalidParameter('Cluster name can only contain letters, numbers, hyphens and underscores, up to 255 characters.');
  const existing = ecs.store.clusters.get(name);
  if (existing?.status === 'ACTIVE') return existing;
  const cluster: ClusterRecord = {
    name,
    arn: clusterArn(ecs.scope, name),
    status: 'ACTIVE',
    createdAt: ecs.now(),
    settings: input.settings ?? [{ name: 'containerInsights', value: 'disabled' }],
    capacityProviders: input.capacityProviders ?? [],
    defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
    tags: parseTags(input.tags),
  };
  ecs.store.clusters.set(name, cluster);
  return cluster;
}

function describeCluster(ecs: EcsContext, cluster: ClusterRecord, includeTags: boolean): Cluster {
  let running = 0;
  let pending = 0;
  for (const arn of ecs.store.tasksByCluster.get(cluster.name) ?? []) {
    const status = ecs.store.tasks.get(arn)?.lastStatus;
    if (status === 'RUNNING') running++;
    else if (status === 'PROVISIONING' || status === 'PENDING' || status === 'ACTIVATING') pending++;
  }
  let activeServices = 0;
  for (const service of ecs.store.services.get(cluster.name)?.values() ?? []) if (service.status === 'ACTIVE') activeServices++;
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: activeServices,
    statistics: [],
    ...(includeTags ? { tags: cluster.tags } : {}),
    settings: cluster.settings,
    capacityProviders: cluster.capacityProviders,
    defaultCapacityProviderStrategy: cluster.defaultCapacityProviderStrategy,
  };
}

export function clusterHandlers(ecs: EcsContext): Handlers {
  return {
    CreateCluster: (input) => ({ cluster: describeCluster(ecs, createClusterRecord(ecs, input), true) }),

    DescribeClusters: (input: { clusters?: string[]; include?: string[] }) => {
      const includeTags = input.include?.includes('TAGS') ?? false;
      const clusters: Cluster[] = [];
      const failures: Array<{ arn: string; reason: string }> = [];
      for (const ref of input.clusters ?? ['default']) {
        const cluster = ecs.store.clusters.get(nameFromArnOrName(ref));
        if (cluster && !ecs.hiddenByConsistency(cluster.createdAt)) clusters.push(describeCluster(ecs, cluster, includeTags));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : clusterArn(ecs.scope, ref), reason: 'MISSING' });
      }
      return { clusters, failures };
    },

    ListClusters: (input: { maxResults?: number; nextToken?: string }) => {
      const active = [...ecs.store.clusters.values()]
        .filter((c) => c.status === 'ACTIVE' && !ecs.hiddenByConsistency(c.createdAt))
        .map((c) => c.arn)
        .sort();
      const { page, nextToken } = paginate(active, (arn) => arn, input);
      return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
    },

    DeleteCluster: (input: { cluster: string }) => {
      const cluster = ecs.store.cluster(input.cluster);
      for (const service of ecs.store.services.get(cluster.name)?.values() ?? []) {
        if (service.status !== 'INACTIVE') throw clusterContainsServices();
      }
      for (const arn of ecs.store.tasksByCluster.get(cluster.name) ?? []) {
        if (ecs.store.tasks.get(arn)?.lastStatus !== 'STOPPED') throw clusterContainsTasks();
      }
      cluster.status = 'INACTIVE';
      return { cluster: describeCluster(ecs, cluster, false) };
    },
  };
}
