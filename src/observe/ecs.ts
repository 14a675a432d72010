import {
  DescribeServiceDeploymentsCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTaskSetsCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import type { Deployment, ECSClient, Service, ServiceDeployment, TaskSet } from '@aws-sdk/client-ecs';
import { allPages, chunk, mapConcurrently, tagRecord, unique } from './batch.js';
import type { TaskDefinitionCache } from './cache.js';
import { asJsonObject, clusterName, serviceKey } from './types.js';
import type { JsonObject, ObservedDeployment, ObservedNativeDeployment, ObservedService, ObservedTaskDefinition, ObservedTaskSet, ServiceKey } from './types.js';

/** DescribeServices accepts at most 10 services per call; ListServices returns at most 100 per page. */
export const DESCRIBE_SERVICES_BATCH = 10;
/** DescribeClusters accepts at most 100 clusters per call. */
export const DESCRIBE_CLUSTERS_BATCH = 100;
export const LIST_SERVICES_PAGE = 100;

/** The service fields CreateService/UpdateService can set, under their input names. */
const SETTABLE_SERVICE_FIELDS = [
  'desiredCount',
  'launchType',
  'capacityProviderStrategy',
  'platformVersion',
  'loadBalancers',
  'serviceRegistries',
  'deploymentConfiguration',
  'deploymentController',
  'placementConstraints',
  'placementStrategy',
  'networkConfiguration',
  'healthCheckGracePeriodSeconds',
  'schedulingStrategy',
  'enableECSManagedTags',
  'propagateTags',
  'enableExecuteCommand',
  'availabilityZoneRebalancing',
] as const;

/** A cluster that does not exist has no services; that is an answer, not a failure of the whole observation. */
function isClusterNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ClusterNotFoundException';
}

/** The cluster's service names, or undefined when the cluster does not exist (or is INACTIVE). */
export async function listServiceNames(ecs: ECSClient, cluster: string): Promise<string[] | undefined> {
  try {
    const arns = await allPages(async (nextToken) => {
      const page = await ecs.send(new ListServicesCommand({ cluster, maxResults: LIST_SERVICES_PAGE, nextToken }));
      return { items: page.serviceArns ?? [], next: page.nextToken };
    });
    return arns.map((arn) => arn.slice(arn.lastIndexOf('/') + 1));
  } catch (error) {
    if (isClusterNotFound(error)) return undefined;
    throw error;
  }
}

export interface DescribedCluster {
  name: string;
  arn: string;
  tags: Record<string, string>;
}

/** The ACTIVE clusters among `clusters`, with their tags: one DescribeClusters per 100. Missing and INACTIVE ones are left out. */
export async function describeClusters(ecs: ECSClient, clusters: readonly string[]): Promise<DescribedCluster[]> {
  const batches = await Promise.all(
    chunk(unique(clusters), DESCRIBE_CLUSTERS_BATCH).map(async (batch) => (await ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['TAGS'] }))).clusters ?? []),
  );
  return batches
    .flat()
    .filter((cluster) => cluster.status === 'ACTIVE' && cluster.clusterName)
    .map((cluster) => ({ name: cluster.clusterName ?? '', arn: cluster.clusterArn ?? '', tags: tagRecord(cluster.tags) }));
}

export interface DescribedServices {
  services: ObservedService[];
  missing: ServiceKey[];
  /** Set when ECS answered that the cluster does not exist: the reads learn it for free, with no extra call. */
  missingCluster?: string;
}

export async function describeServices(ecs: ECSClient, cluster: string, names: readonly string[]): Promise<DescribedServices> {
  const batches = await Promise.all(chunk(unique(names), DESCRIBE_SERVICES_BATCH).map((batch) => describeServiceBatch(ecs, cluster, batch)));
  const missingCluster = batches.some((b) => b.missingCluster !== undefined) ? { missingCluster: clusterName(cluster) } : {};
  return { services: batches.flatMap((b) => b.services), missing: batches.flatMap((b) => b.missing), ...missingCluster };
}

/** What observing a cluster that does not exist found: none of the services asked for. */
export function clusterNotFound(cluster: string, names: readonly string[]): DescribedServices {
  return { services: [], missing: names.map((name) => serviceKey(cluster, name)), missingCluster: clusterName(cluster) };
}

async function describeServiceBatch(ecs: ECSClient, cluster: string, batch: string[]): Promise<DescribedServices> {
  let out;
  try {
    out = await ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }));
  } catch (error) {
    if (isClusterNotFound(error)) return clusterNotFound(cluster, batch);
    throw error;
  }
  const unexpected = (out.failures ?? []).filter((failure) => failure.reason !== 'MISSING');
  if (unexpected.length > 0) {
    const reasons = unexpected.map((f) => `${f.arn ?? '?'}: ${f.reason ?? '?'} ${f.detail ?? ''}`.trim());
    throw new Error(`DescribeServices failed in cluster ${cluster}: ${reasons.join('; ')}`);
  }
  // INACTIVE is a deleted service that ECS still remembers for a while: for the controller it does not exist.
  const active = (out.services ?? []).filter((service) => service.serviceName && service.status !== 'INACTIVE');
  const found = new Set(active.map((service) => service.serviceName));
  return {
    services: active.map((service) => toObservedService(cluster, service)),
    missing: batch.filter((name) => !found.has(name)).map((name) => serviceKey(cluster, name)),
  };
}

function toObservedService(cluster: string, service: Service): ObservedService {
  const settings: JsonObject = {};
  for (const field of SETTABLE_SERVICE_FIELDS) {
    if (service[field] !== undefined) settings[field] = service[field];
  }
  if (service.roleArn !== undefined) settings.role = service.roleArn;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return {
    key: serviceKey(cluster, service.serviceName ?? ''),
    clusterName: clusterName(service.clusterArn ?? cluster),
    clusterArn: service.clusterArn ?? '',
    serviceName: service.serviceName ?? '',
    serviceArn: service.serviceArn ?? '',
    status: service.status ?? 'UNKNOWN',
    taskDefinition: service.taskDefinition ?? primary?.taskDefinition ?? '',
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    deploymentControllerType: service.deploymentController?.type ?? 'ECS',
    settings,
    tags: tagRecord(service.tags),
    deployments: (service.deployments ?? []).map(toObservedDeployment),
    taskSets: (service.taskSets ?? []).map((taskSet) => toObservedTaskSet(taskSet)),
  };
}

function toObservedDeployment(deployment: Deployment): ObservedDeployment {
  return {
    id: deployment.id ?? '',
    status: deployment.status ?? '',
    taskDefinition: deployment.taskDefinition ?? '',
    desiredCount: deployment.desiredCount ?? 0,
    runningCount: deployment.runningCount ?? 0,
    pendingCount: deployment.pendingCount ?? 0,
    ...(deployment.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
    ...(deployment.rolloutStateReason ? { rolloutStateReason: deployment.rolloutStateReason } : {}),
    ...(deployment.createdAt ? { createdAt: Math.floor(deployment.createdAt.getTime() / 1000) } : {}),
  };
}

function toObservedTaskSet(taskSet: TaskSet): ObservedTaskSet {
  return {
    id: taskSet.id ?? '',
    taskSetArn: taskSet.taskSetArn ?? '',
    status: taskSet.status ?? '',
    ...(taskSet.externalId ? { externalId: taskSet.externalId } : {}),
    taskDefinition: taskSet.taskDefinition ?? '',
    computedDesiredCount: taskSet.computedDesiredCount ?? 0,
    runningCount: taskSet.runningCount ?? 0,
    pendingCount: taskSet.pendingCount ?? 0,
    ...(taskSet.scale ? { scale: { ...taskSet.scale } } : {}),
    ...(taskSet.stabilityStatus ? { stabilityStatus: taskSet.stabilityStatus } : {}),
    loadBalancers: (taskSet.loadBalancers ?? []).map(asJsonObject),
    tags: tagRecord(taskSet.tags),
  };
}

/** One DescribeTaskSets call per EXTERNAL service, for the task sets' tags (DescribeServices omits them). */
export async function describeTaskSets(ecs: ECSClient, service: ObservedService): Promise<ObservedTaskSet[]> {
  const out = await ecs.send(new DescribeTaskSetsCommand({ cluster: service.clusterArn || service.clusterName, service: service.serviceName, include: ['TAGS'] }));
  return (out.taskSets ?? []).map(toObservedTaskSet);
}

/** A cold cache after a restart means one read per service: ECS's sustained rate (20/s) is the real limit. */
const TASK_DEFINITION_READS_IN_FLIGHT = 20;

/** Reads the revisions the cache does not hold yet; one DescribeTaskDefinition per new ARN. */
export async function describeTaskDefinitions(ecs: ECSClient, arns: readonly string[], cache: TaskDefinitionCache): Promise<Record<string, ObservedTaskDefinition>> {
  const result: Record<string, ObservedTaskDefinition> = {};
  const wanted = unique(arns.filter((arn) => arn !== ''));
  await mapConcurrently(wanted, TASK_DEFINITION_READS_IN_FLIGHT, async (arn) => {
    let definition = cache.get(arn);
    if (!definition) {
      const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
      if (!out.taskDefinition) throw new Error(`DescribeTaskDefinition returned no task definition for ${arn}`);
      definition = {
        arn: out.taskDefinition.taskDefinitionArn ?? arn,
        family: out.taskDefinition.family ?? '',
        revision: out.taskDefinition.revision ?? 0,
        definition: asJsonObject(out.taskDefinition),
        tags: tagRecord(out.tags),
      };
      cache.set(definition);
    }
    result[arn] = definition;
  });
  return result;
}

/** ACTIVE revisions of one family, oldest first (ListTaskDefinitions matches a prefix, so other families are dropped). */
export async function listTaskDefinitionRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const arns = await allPages(async (nextToken) => {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'ASC', maxResults: 100, nextToken }));
    return { items: page.taskDefinitionArns ?? [], next: page.nextToken };
  });
  return arns.filter((arn) => arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':')) === family);
}

const NATIVE_STRATEGIES = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);
const MINUTE = 60_000;

/**
 * Whether a native service's deployment is worth two more reads: only while DescribeServices shows one in flight
 * (two deployments, or the primary IN_PROGRESS), so a settled service costs nothing beyond DescribeServices.
 */
export function hasNativeDeploymentInFlight(service: ObservedService): boolean {
  const strategy = (service.settings.deploymentConfiguration as { strategy?: string } | undefined)?.strategy;
  if (service.deploymentControllerType !== 'ECS' || !NATIVE_STRATEGIES.has(strategy ?? '')) return false;
  return service.deployments.length > 1 || service.deployments.some((deployment) => deployment.rolloutState === 'IN_PROGRESS');
}

/** The service's newest service deployment: ListServiceDeployments (one result), then DescribeServiceDeployments. */
export async function describeNativeDeployment(ecs: ECSClient, service: ObservedService): Promise<ObservedNativeDeployment | undefined> {
  const { serviceDeployments } = await ecs.send(new ListServiceDeploymentsCommand({ cluster: service.clusterName, service: service.serviceName, maxResults: 1 }));
  const arn = serviceDeployments?.[0]?.serviceDeploymentArn;
  if (!arn) return undefined;
  const described = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const deployment = described.serviceDeployments?.[0];
  return deployment ? toObservedNativeDeployment(deployment) : undefined;
}

/** ECS reports no bake deadline; it is the last update plus the bake the stage is in. */
function bakeMinutes(deployment: ServiceDeployment): number | undefined {
  const config = deployment.deploymentConfiguration;
  const production = deployment.targetServiceRevision?.requestedProductionTrafficWeight;
  if (deployment.lifecycleStage === 'BAKE_TIME') return config?.bakeTimeInMinutes ?? 0;
  if (deployment.lifecycleStage !== 'PRODUCTION_TRAFFIC_SHIFT' || production === undefined || production >= 100) return undefined;
  if (config?.strategy === 'LINEAR') return config.linearConfiguration?.stepBakeTimeInMinutes;
  if (config?.strategy === 'CANARY') return config.canaryConfiguration?.canaryBakeTimeInMinutes;
  return undefined;
}

export function toObservedNativeDeployment(deployment: ServiceDeployment): ObservedNativeDeployment {
  const target = deployment.targetServiceRevision;
  const bake = bakeMinutes(deployment);
  return {
    arn: deployment.serviceDeploymentArn ?? '',
    status: deployment.status ?? 'UNKNOWN',
    ...(deployment.statusReason ? { statusReason: deployment.statusReason } : {}),
    ...(deployment.lifecycleStage ? { stage: deployment.lifecycleStage } : {}),
    ...(target?.requestedProductionTrafficWeight !== undefined ? { productionPercent: target.requestedProductionTrafficWeight } : {}),
    ...(target?.requestedTestTrafficWeight !== undefined ? { testPercent: target.requestedTestTrafficWeight } : {}),
    hooks: (deployment.lifecycleHookDetails ?? []).map((hook) => ({ targetArn: hook.targetArn ?? '', status: hook.status ?? 'UNKNOWN' })),
    ...(bake !== undefined && deployment.updatedAt ? { bakeEndsAt: deployment.updatedAt.getTime() + bake * MINUTE } : {}),
  };
}
