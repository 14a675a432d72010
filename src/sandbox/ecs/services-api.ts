import type { CreateServiceRequest, Deployment, DeploymentConfiguration, Service, TaskSet, UpdateServiceRequest } from '@aws-sdk/client-ecs';
import type { Handlers } from '../core/service.js';
import { clusterArn as buildClusterArn, nameFromArnOrName, serviceArn as buildServiceArn, taskSetArn } from './arns.js';
import type { EcsContext } from './context.js';
import { invalidParameter, serviceNotActive, serviceNotFound } from './errors.js';
import type { ClusterRecord, DeploymentRecord, ServiceRecord, TaskPlacement, TaskSetRecord } from './model.js';
import { isNativeStrategy, startServiceDeployment, validateNativeConfiguration } from './native-deployments.js';
import { paginate } from './pagination.js';
import { validatePlacement } from './placement.js';
import { computedDesiredCount, counts, createDeployment, isLive, placementFields } from './rollout.js';
import { parseTags } from './tags.js';
import { usableTaskDefinition } from './task-definitions.js';
import { requestStop } from './tasks.js';

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const SERVICE_LINKED_ROLE = (accountId: string) => `arn:aws:iam::${accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;
const CONTROLLERS = ['ECS', 'CODE_DEPLOY', 'EXTERNAL'];

/** The deployment configuration AWS reports when the caller left parts of it out. */
export function deploymentConfigurationWithDefaults(input: DeploymentConfiguration | undefined, controller: string): DeploymentConfiguration {
  const config: DeploymentConfiguration = {
    ...input,
    maximumPercent: input?.maximumPercent ?? 200,
    minimumHealthyPercent: input?.minimumHealthyPercent ?? 100,
  };
  if (controller === 'ECS') config.deploymentCircuitBreaker = { enable: false, rollback: false, ...input?.deploymentCircuitBreaker };
  const maximumPercent = config.maximumPercent!;
  const minimumHealthyPercent = config.minimumHealthyPercent!;
  if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100) throw invalidParameter('minimumHealthyPercent must be between 0 and 100.');
  if (maximumPercent < minimumHealthyPercent) throw invalidParameter('maximumPercent must be greater than or equal to minimumHealthyPercent.');
  return config;
}

function validateDesiredCount(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw invalidParameter('desiredCount must be a non-negative integer.');
}

/** A service by name or ARN in a cluster, whatever its status. */
export function findService(ecs: EcsContext, cluster: ClusterRecord, ref: string | undefined): ServiceRecord | undefined {
  if (!ref) return undefined;
  return ecs.store.services.get(cluster.name)?.get(nameFromArnOrName(ref));
}

export function activeService(ecs: EcsContext, cluster: ClusterRecord, ref: string | undefined): ServiceRecord {
  const service = findService(ecs, cluster, ref);
  if (!service) throw serviceNotFound();
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  return service;
}

const date = (ms: number) => new Date(ms);

/** The placement fields services, deployments and task sets all report; Fargate adds platformFamily. */
function describePlacement(placement: TaskPlacement): Pick<Deployment, 'launchType' | 'capacityProviderStrategy' | 'platformVersion' | 'platformFamily' | 'networkConfiguration'> {
  return {
    ...(placement.launchType ? { launchType: placement.launchType as Deployment['launchType'] } : {}),
    ...(placement.capacityProviderStrategy ? { capacityProviderStrategy: placement.capacityProviderStrategy } : {}),
    ...(placement.platformVersion ? { platformVersion: placement.platformVersion, platformFamily: 'Linux' } : {}),
    ...(placement.networkConfiguration ? { networkConfiguration: placement.networkConfiguration } : {}),
  };
}

function describeDeployment(ecs: EcsContext, service: ServiceRecord, deployment: DeploymentRecord): Deployment {
  const tasks = ecs.store.liveTasks(service).filter((t) => t.owner?.deploymentId === deployment.id);
  return {
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinitionArn,
    desiredCount: deployment.desiredCount,
    ...counts(tasks),
    failedTasks: deployment.failedTasks,
    createdAt: date(deployment.createdAt),
    updatedAt: date(deployment.updatedAt),
    ...describePlacement(deployment),
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  };
}

export function describeTaskSet(ecs: EcsContext, service: ServiceRecord, taskSet: TaskSetRecord, includeTags: boolean): TaskSet {
  const tasks = ecs.store.liveTasks(service).filter((t) => t.owner?.taskSetId === taskSet.id);
  return {
    id: taskSet.id,
    taskSetArn: taskSet.arn,
    serviceArn: service.arn,
    clusterArn: buildClusterArn(ecs.scope, service.clusterName),
    ...(taskSet.startedBy ? { startedBy: taskSet.startedBy } : {}),
    ...(taskSet.externalId !== undefined ? { externalId: taskSet.externalId } : {}),
    status: taskSet.status,
    taskDefinition: taskSet.taskDefinitionArn,
    computedDesiredCount: computedDesiredCount(service, taskSet),
    ...counts(tasks),
    createdAt: date(taskSet.createdAt),
    updatedAt: date(taskSet.updatedAt),
    ...describePlacement(taskSet),
    loadBalancers: taskSet.loadBalancers,
    serviceRegistries: taskSet.serviceRegistries,
    scale: taskSet.scale,
    stabilityStatus: taskSet.stabilityStatus,
    stabilityStatusAt: date(taskSet.stabilityStatusAt),
    ...(includeTags ? { tags: taskSet.tags } : {}),
  };
}

export function describeService(ecs: EcsContext, service: ServiceRecord, includeTags: boolean): Service {
  const external = service.deploymentController.type === 'EXTERNAL';
  const primaryTaskSet = service.taskSets.find((ts) => ts.status === 'PRIMARY');
  const placement = external && primaryTaskSet ? primaryTaskSet : service;
  const taskDefinitionArn = external ? primaryTaskSet?.taskDefinitionArn : service.taskDefinitionArn;
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: buildClusterArn(ecs.scope, service.clusterName),
    loadBalancers: placement.loadBalancers,
    serviceRegistries: service.serviceRegistries,
    status: service.status,
    desiredCount: service.desiredCount,
    ...counts(ecs.store.liveTasks(service).filter(isLive)),
    ...describePlacement(placement),
    ...(taskDefinitionArn ? { taskDefinition: taskDefinitionArn } : {}),
    deploymentConfiguration: service.deploymentConfiguration,
    ...(external ? { taskSets: service.taskSets.map((ts) => describeTaskSet(ecs, service, ts, false)) } : {}),
    deployments: service.deployments.map((d) => describeDeployment(ecs, service, d)),
    ...(service.roleArn ? { roleArn: service.roleArn } : {}),
    events: service.events.map((e) => ({ id: e.id, createdAt: date(e.createdAt), message: e.message })),
    createdAt: date(service.createdAt),
    placementConstraints: service.placementConstraints,
    placementStrategy: service.placementStrategy,
    ...(service.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds } : {}),
    schedulingStrategy: service.schedulingStrategy,
    deploymentController: service.deploymentController,
    ...(includeTags ? { tags: service.tags } : {}),
    createdBy: service.createdBy,
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags as Service['propagateTags'],
    enableExecuteCommand: service.enableExecuteCommand,
    ...(service.availabilityZoneRebalancing ? { availabilityZoneRebalancing: service.availabilityZoneRebalancing as Service['availabilityZoneRebalancing'] } : {}),
  };
}

export function createService(ecs: EcsContext, input: CreateServiceRequest): ServiceRecord {
  const cluster = ecs.store.cluster(input.cluster);
  if (!input.serviceName || !SERVICE_NAME.test(input.serviceName)) {
    throw invalidParameter('Service name can only contain letters, numbers, hyphens and underscores, up to 255 characters.');
  }
  const existing = findService(ecs, cluster, input.serviceName);
  if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');
  const controller = input.deploymentController?.type ?? 'ECS';
  if (!CONTROLLERS.includes(controller)) throw invalidParameter(`Invalid deployment controller type: ${controller}`);
  const schedulingStrategy = input.schedulingStrategy ?? 'REPLICA';
  if (schedulingStrategy !== 'REPLICA' && schedulingStrategy !== 'DAEMON') throw invalidParameter(`Invalid scheduling strategy: ${schedulingStrategy}`);
  if (schedulingStrategy === 'DAEMON' && controller === 'EXTERNAL') throw invalidParameter('The DAEMON scheduling strategy is not supported with the EXTERNAL deployment controller.');
  validateDesiredCount(input.desiredCount);
  if (schedulingStrategy === 'DAEMON' && input.desiredCount !== undefined) {
    throw invalidParameter('The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again');
  }
  if (input.healthCheckGracePeriodSeconds !== undefined && !(input.loadBalancers?.length || input.serviceRegistries?.length) && controller !== 'EXTERNAL') {
    throw invalidParameter('Health check grace period is only valid for services configured to use load balancers.');
  }
  const now = ecs.now();
  const external = controller === 'EXTERNAL';
  let placement: TaskPlacement = { loadBalancers: input.loadBalancers ?? [] };
  let taskDefinitionArn: string | undefined;
  if (!external) {
    if (!input.taskDefinition) throw invalidParameter('TaskDefinition is required.');
    const definition = usableTaskDefinition(ecs, input.taskDefinition);
    placement = validatePlacement(ecs, definition, input);
    taskDefinitionArn = definition.arn;
  }
  if (input.deploymentConfiguration) validateNativeConfiguration(input.deploymentConfiguration, input.loadBalancers ?? [], controller);
  const service: ServiceRecord = {
    name: input.serviceName,
    arn: buildServiceArn(ecs.scope, cluster.name, input.serviceName),
    clusterName: cluster.name,
    status: 'ACTIVE',
    desiredCount: input.desiredCount ?? 0,
    ...placement,
    deploymentConfiguration: deploymentConfigurationWithDefaults(input.deploymentConfiguration, controller),
    deploymentController: { type: controller as 'ECS' },
    ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
    placementConstraints: input.placementConstraints ?? [],
    placementStrategy: input.placementStrategy ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    schedulingStrategy,
    propagateTags: input.propagateTags ?? 'NONE',
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? (schedulingStrategy === 'REPLICA' ? 'ENABLED' : 'DISABLED'),
    ...(input.role ? { roleArn: input.role } : input.loadBalancers?.length ? { roleArn: SERVICE_LINKED_ROLE(ecs.scope.accountId) } : {}),
    createdAt: now,
    createdBy: `arn:aws:iam::${ecs.scope.accountId}:root`,
    deployments: [],
    taskSets: [],
    events: [],
    steadyReported: false,
    tags: parseTags(input.tags),
    serviceDeployments: [],
    serviceRevisions: [],
  };
  if (existing) ecs.store.servicesByArn.delete(existing.arn);
  ecs.store.servicesOf(cluster.name).set(service.name, service);
  ecs.store.servicesByArn.set(service.arn, service);
  if (taskDefinitionArn) deploy(ecs, service, taskDefinitionArn, placement);
  ecs.touch(service.arn);
  return service;
}

/** Fields UpdateService accepts for a service with the EXTERNAL deployment controller. */
const EXTERNAL_UPDATABLE = new Set(['cluster', 'service', 'desiredCount', 'healthCheckGracePeriodSeconds', 'placementConstraints', 'placementStrategy', 'enableECSManagedTags', 'propagateTags', 'deploymentController', 'enableExecuteCommand']);
/** Fields whose change makes a rolling service start a new deployment. */
const REDEPLOYING_FIELDS = ['networkConfiguration', 'loadBalancers', 'capacityProviderStrategy', 'platformVersion', 'serviceRegistries', 'enableExecuteCommand'] as const;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function updateService(ecs: EcsContext, input: UpdateServiceRequest): ServiceRecord {
  const cluster = ecs.store.cluster(input.cluster);
  const service = activeService(ecs, cluster, input.service);
  validateDesiredCount(input.desiredCount);
  const newController = input.deploymentController?.type;
  if (newController !== undefined && !CONTROLLERS.includes(newController)) throw invalidParameter(`Invalid deployment controller type: ${newController}`);
  if (newController !== undefined && newController !== service.deploymentController.type) switchController(ecs, service, newController);
  if (service.deploymentController.type === 'EXTERNAL') {
    const rejected = Object.entries(input).filter(([key, value]) => value !== undefined && !EXTERNAL_UPDATABLE.has(key)).map(([key]) => key);
    if (rejected.length > 0) {
      throw invalidParameter(`Unable to update ${rejected.join(', ')} on a service with the EXTERNAL deployment controller. Use task sets (CreateTaskSet) instead.`);
    }
  }
  if (input.deploymentConfiguration || input.loadBalancers) {
    validateNativeConfiguration({ ...service.deploymentConfiguration, ...input.deploymentConfiguration }, input.loadBalancers ?? service.loadBalancers, service.deploymentController.type ?? 'ECS');
  }
  applySimpleFields(service, input);
  if (service.deploymentController.type !== 'EXTERNAL') redeployIfNeeded(ecs, service, input);
  service.steadyReported = false;
  ecs.touch(service.arn);
  return service;
}

function applySimpleFields(service: ServiceRecord, input: UpdateServiceRequest): void {
  if (input.desiredCount !== undefined) service.desiredCount = input.desiredCount;
  if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
  if (input.placementConstraints !== undefined) service.placementConstraints = input.placementConstraints;
  if (input.placementStrategy !== undefined) service.placementStrategy = input.placementStrategy;
  if (input.enableECSManagedTags !== undefined) service.enableECSManagedTags = input.enableECSManagedTags;
  if (input.propagateTags !== undefined) service.propagateTags = input.propagateTags;
  if (input.availabilityZoneRebalancing !== undefined) service.availabilityZoneRebalancing = input.availabilityZoneRebalancing;
  if (input.deploymentConfiguration !== undefined) {
    service.deploymentConfiguration = deploymentConfigurationWithDefaults(
      { ...service.deploymentConfiguration, ...input.deploymentConfiguration },
      service.deploymentController.type ?? 'ECS',
    );
  }
  if (input.desiredCount !== undefined) {
    const primary = service.deployments[0];
    if (primary) primary.desiredCount = input.desiredCount;
  }
}

function redeployIfNeeded(ecs: EcsContext, service: ServiceRecord, input: UpdateServiceRequest): void {
  const definition = usableTaskDefinition(ecs, input.taskDefinition ?? service.taskDefinitionArn);
  const merged = {
    launchType: service.launchType,
    capacityProviderStrategy: service.capacityProviderStrategy,
    platformVersion: service.platformVersion,
    networkConfiguration: service.networkConfiguration,
    loadBalancers: service.loadBalancers,
    ...definedFields(input),
  };
  if (input.capacityProviderStrategy?.length) delete merged.launchType;
  const placement = validatePlacement(ecs, definition, merged);
  const changed =
    input.forceNewDeployment === true ||
    definition.arn !== service.taskDefinitionArn ||
    REDEPLOYING_FIELDS.some((field) => input[field] !== undefined && !sameJson(input[field], service[field]));
  if (input.serviceRegistries !== undefined) service.serviceRegistries = input.serviceRegistries;
  if (input.enableExecuteCommand !== undefined) service.enableExecuteCommand = input.enableExecuteCommand;
  Object.assign(service, placement);
  if (!placement.launchType) delete service.launchType;
  if (!placement.capacityProviderStrategy) delete service.capacityProviderStrategy;
  if (changed) deploy(ecs, service, definition.arn, placementFields(service));
}

/** A new deployment; with a native strategy (BLUE_GREEN, LINEAR, CANARY) also a service deployment that walks it. */
function deploy(ecs: EcsContext, service: ServiceRecord, taskDefinitionArn: string, placement: TaskPlacement): void {
  const deployment = createDeployment(ecs, service, taskDefinitionArn, placement);
  if (isNativeStrategy(service.deploymentConfiguration) && service.deploymentController.type === 'ECS') startServiceDeployment(ecs, service, deployment);
}

function definedFields(input: UpdateServiceRequest): Partial<UpdateServiceRequest> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * UpdateService's deploymentController (2025): ECS -> EXTERNAL turns the live deployment into the PRIMARY task
 * set at 100%; EXTERNAL -> ECS turns the single PRIMARY task set into a completed deployment. Either way running
 * tasks keep running.
 */
function switchController(ecs: EcsContext, service: ServiceRecord, to: string): void {
  const now = ecs.now();
  const from = service.deploymentController.type;
  if (to === 'CODE_DEPLOY' || from === 'CODE_DEPLOY') throw invalidParameter('Updating the deployment controller to or from CODE_DEPLOY is not supported.');
  if (to === 'EXTERNAL') {
    if (service.deployments.length !== 1) throw invalidParameter('The service has a deployment in progress. Wait for it to complete before changing the deployment controller.');
    const deployment = service.deployments[0]!;
    const taskSet = taskSetFromDeployment(ecs, service, deployment, now);
    for (const task of ecs.store.liveTasks(service)) if (task.owner) task.owner = { serviceArn: service.arn, taskSetId: taskSet.id };
    service.taskSets = [taskSet];
    service.deployments = [];
  } else {
    const live = service.taskSets.filter((ts) => ts.status !== 'DRAINING');
    if (live.length !== 1 || live[0]!.status !== 'PRIMARY') throw invalidParameter('The service must have exactly one PRIMARY task set to change to the ECS deployment controller.');
    const taskSet = live[0]!;
    const deployment = createDeployment(ecs, service, taskSet.taskDefinitionArn, taskSet);
    for (const task of ecs.store.liveTasks(service)) if (task.owner?.taskSetId === taskSet.id) task.owner = { serviceArn: service.arn, deploymentId: deployment.id };
    Object.assign(service, placementFields(taskSet));
    service.taskSets = [];
  }
  service.deploymentController = { type: to as 'ECS' };
  service.deploymentConfiguration = deploymentConfigurationWithDefaults(service.deploymentConfiguration, to);
}

function taskSetFromDeployment(ecs: EcsContext, service: ServiceRecord, deployment: DeploymentRecord, now: number): TaskSetRecord {
  return {
    id: deployment.id,
    arn: taskSetArn(ecs.scope, service.clusterName, service.name, deployment.id),
    status: 'PRIMARY',
    taskDefinitionArn: deployment.taskDefinitionArn,
    scale: { value: 100, unit: 'PERCENT' },
    serviceRegistries: service.serviceRegistries,
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
    createdAt: now,
    updatedAt: now,
    tags: [],
    ...placementFields(service),
  };
}

export function deleteService(ecs: EcsContext, input: { cluster?: string; service?: string; force?: boolean }): ServiceRecord {
  const cluster = ecs.store.cluster(input.cluster);
  const service = findService(ecs, cluster, input.service);
  if (!service) throw serviceNotFound();
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  if (service.schedulingStrategy === 'REPLICA' && service.desiredCount > 0 && !input.force) {
    throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
  }
  service.status = 'DRAINING';
  service.desiredCount = 0;
  for (const task of ecs.store.liveTasks(service)) requestStop(ecs, task, 'Service deleted', 'ServiceSchedulerInitiated');
  ecs.touch(service.arn);
  return service;
}

export function serviceHandlers(ecs: EcsContext): Handlers {
  return {
    CreateService: (input: CreateServiceRequest) => ({ service: describeService(ecs, createService(ecs, input), true) }),
    UpdateService: (input: UpdateServiceRequest) => ({ service: describeService(ecs, updateService(ecs, input), false) }),
    DeleteService: (input) => ({ service: describeService(ecs, deleteService(ecs, input), false) }),

    DescribeServices: (input: { cluster?: string; services?: string[]; include?: string[] }) => {
      const cluster = ecs.store.cluster(input.cluster);
      const refs = input.services ?? [];
      if (refs.length === 0) throw invalidParameter('Services cannot be empty.');
      if (refs.length > 10) throw invalidParameter('service names can have at most 10 items.');
      const includeTags = input.include?.includes('TAGS') ?? false;
      const services: Service[] = [];
      const failures: Array<{ arn: string; reason: string }> = [];
      for (const ref of refs) {
        const service = findService(ecs, cluster, ref);
        if (service && !ecs.hiddenByConsistency(service.createdAt)) services.push(describeService(ecs, service, includeTags));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : buildServiceArn(ecs.scope, cluster.name, ref), reason: 'MISSING' });
      }
      return { services, failures };
    },

    ListServices: (input: { cluster?: string; launchType?: string; schedulingStrategy?: string; maxResults?: number; nextToken?: string }) => {
      const cluster = ecs.store.cluster(input.cluster);
      const arns: string[] = [];
      for (const service of ecs.store.services.get(cluster.name)?.values() ?? []) {
        if (service.status === 'INACTIVE' || ecs.hiddenByConsistency(service.createdAt)) continue;
        if (input.launchType !== undefined && service.launchType !== input.launchType) continue;
        if (input.schedulingStrategy !== undefined && service.schedulingStrategy !== input.schedulingStrategy) continue;
        arns.push(service.arn);
      }
      arns.sort();
      const { page, nextToken } = paginate(arns, (arn) => arn, { ...input, maxResults: input.maxResults ?? 10 });
      return { serviceArns: page, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
