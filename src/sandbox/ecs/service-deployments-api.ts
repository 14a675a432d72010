import type {
  ListServiceDeploymentsRequest,
  ServiceDeployment,
  ServiceDeploymentBrief,
  ServiceRevision,
  ServiceRevisionSummary,
  StopServiceDeploymentRequest,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../core/errors.js';
import type { Handlers } from '../core/service.js';
import { clusterArn, parseEcsArn } from './arns.js';
import type { EcsContext } from './context.js';
import { conflict, invalidParameter, serviceNotFound } from './errors.js';
import type { ServiceDeploymentRecord, ServiceRecord, ServiceRevisionRecord } from './model.js';
import { isInFlight, requestRollback, revisionOf } from './native-deployments.js';
import { paginate } from './pagination.js';
import { circuitBreakerThreshold, counts, isLive } from './rollout.js';
import { findService } from './services-api.js';

const MAX_ARNS = 20;
const STATUSES = new Set(['PENDING', 'IN_PROGRESS', 'SUCCESSFUL', 'STOPPED', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

const serviceDeploymentNotFound = () => new AwsError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
const date = (ms: number) => new Date(ms);
/** Timestamps arrive as epoch seconds over awsJson. */
const millis = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : typeof value === 'number' ? value * 1000 : new Date(value as string).getTime());

/** The service an ECS `service-deployment/` or `service-revision/` ARN belongs to, if it still exists. */
function serviceOfArn(ecs: EcsContext, arn: string, type: string): ServiceRecord | undefined {
  const parsed = parseEcsArn(arn);
  if (parsed?.type !== type || parsed.path.length !== 3) return undefined;
  const service = ecs.store.services.get(parsed.path[0]!)?.get(parsed.path[1]!);
  return service && !ecs.hiddenByConsistency(service.createdAt) ? service : undefined;
}

function findDeployment(ecs: EcsContext, arn: string): { service: ServiceRecord; record: ServiceDeploymentRecord } | undefined {
  const service = serviceOfArn(ecs, arn, 'service-deployment');
  const record = service?.serviceDeployments.find((d) => d.arn === arn);
  return service && record ? { service, record } : undefined;
}

function revisionSummary(ecs: EcsContext, service: ServiceRecord, revision: ServiceRevisionRecord, production: number, test: number): ServiceRevisionSummary {
  const deployment = service.deployments.find((d) => d.id === revision.deploymentId);
  const { runningCount, pendingCount } = counts(ecs.store.liveTasks(service).filter((t) => isLive(t) && t.owner?.deploymentId === revision.deploymentId));
  return {
    arn: revision.arn,
    requestedTaskCount: deployment?.desiredCount ?? 0,
    runningTaskCount: runningCount,
    pendingTaskCount: pendingCount,
    requestedProductionTrafficWeight: production,
    requestedTestTrafficWeight: test,
  };
}

export function describeServiceDeployment(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord): ServiceDeployment {
  const source = revisionOf(service, record.sourceRevisionArn);
  const target = revisionOf(service, record.targetRevisionArn);
  const config = record.configuration;
  const breaker = config.deploymentCircuitBreaker;
  const targetDeployment = service.deployments.find((d) => d.id === target?.deploymentId);
  const monitoring = isInFlight(record) ? 'MONITORING' : 'MONITORING_COMPLETE';
  const alarmNames = config.alarms?.alarmNames ?? [];
  return {
    serviceDeploymentArn: record.arn,
    serviceArn: service.arn,
    clusterArn: clusterArn(ecs.scope, service.clusterName),
    createdAt: date(record.createdAt),
    startedAt: date(record.startedAt),
    updatedAt: date(record.updatedAt),
    ...(record.finishedAt !== undefined ? { finishedAt: date(record.finishedAt) } : {}),
    ...(record.stoppedAt !== undefined ? { stoppedAt: date(record.stoppedAt) } : {}),
    sourceServiceRevisions: source ? [revisionSummary(ecs, service, source, 100 - record.productionWeight, 100 - record.testWeight)] : [],
    ...(target ? { targetServiceRevision: revisionSummary(ecs, service, target, record.productionWeight, record.testWeight) } : {}),
    status: record.status,
    statusReason: record.statusReason,
    lifecycleStage: record.stage,
    lifecycleHookDetails: record.hooks
      .filter((h) => h.stage === record.stage)
      .map((h) => ({ hookId: h.hookId, targetType: 'AWS_LAMBDA', targetArn: h.targetArn, status: h.status })),
    deploymentConfiguration: config,
    ...(record.rollback ? { rollback: { reason: record.rollback.reason, startedAt: date(record.rollback.startedAt), serviceRevisionArn: record.rollback.serviceRevisionArn } } : {}),
    deploymentCircuitBreaker: breaker?.enable
      ? {
          status: record.statusReason.includes('circuit breaker') ? 'TRIGGERED' : monitoring,
          failureCount: targetDeployment?.failedTasks ?? 0,
          threshold: circuitBreakerThreshold(targetDeployment?.desiredCount ?? 0),
        }
      : { status: 'DISABLED', failureCount: 0, threshold: 0 },
    alarms: config.alarms?.enable
      ? { status: record.triggeredAlarmNames.length > 0 ? 'TRIGGERED' : monitoring, alarmNames, triggeredAlarmNames: record.triggeredAlarmNames }
      : { status: 'DISABLED' },
  };
}

function describeRevision(ecs: EcsContext, service: ServiceRecord, revision: ServiceRevisionRecord): ServiceRevision {
  const definition = ecs.store.taskDefinitionsByArn.get(revision.taskDefinitionArn);
  return {
    serviceRevisionArn: revision.arn,
    serviceArn: service.arn,
    clusterArn: clusterArn(ecs.scope, service.clusterName),
    taskDefinition: revision.taskDefinitionArn,
    ...(revision.launchType ? { launchType: revision.launchType as ServiceRevision['launchType'] } : {}),
    ...(revision.capacityProviderStrategy ? { capacityProviderStrategy: revision.capacityProviderStrategy } : {}),
    ...(revision.platformVersion ? { platformVersion: revision.platformVersion, platformFamily: 'Linux' } : {}),
    ...(revision.networkConfiguration ? { networkConfiguration: revision.networkConfiguration } : {}),
    loadBalancers: service.loadBalancers,
    serviceRegistries: service.serviceRegistries,
    containerImages: (definition?.body.containerDefinitions ?? []).map((c) => ({ containerName: c.name, image: c.image })),
    guardDutyEnabled: false,
    createdAt: date(revision.createdAt),
    resolvedConfiguration: {
      loadBalancers: service.loadBalancers.map((lb, i) => ({
        targetGroupArn: revision.targetGroups[i],
        ...(lb.advancedConfiguration?.productionListenerRule ? { productionListenerRule: lb.advancedConfiguration.productionListenerRule } : {}),
      })),
    },
  };
}

function arnList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidParameter(`${field} cannot be empty.`);
  if (value.length > MAX_ARNS) throw invalidParameter(`${field} can have at most ${MAX_ARNS} items.`);
  return value.map(String);
}

/** ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions and StopServiceDeployment. */
export function serviceDeploymentHandlers(ecs: EcsContext): Handlers {
  return {
    ListServiceDeployments: (input: ListServiceDeploymentsRequest & { createdAt?: { before?: unknown; after?: unknown } }) => {
      const cluster = ecs.store.cluster(input.cluster);
      if (!input.service) throw invalidParameter('service is required.');
      const service = findService(ecs, cluster, input.service);
      if (!service || ecs.hiddenByConsistency(service.createdAt)) throw serviceNotFound();
      const statuses = input.status ?? [];
      for (const status of statuses) if (!STATUSES.has(status)) throw invalidParameter(`Invalid status: ${status}`);
      const before = millis(input.createdAt?.before);
      const after = millis(input.createdAt?.after);
      const matching = service.serviceDeployments.filter(
        (d) => (statuses.length === 0 || statuses.includes(d.status)) && (before === undefined || d.createdAt < before) && (after === undefined || d.createdAt > after),
      );
      const key = (d: ServiceDeploymentRecord) => `${String(d.createdAt).padStart(15, '0')}/${d.arn}`;
      const { page, nextToken } = paginate(matching, key, input, { descending: true });
      const serviceDeployments: ServiceDeploymentBrief[] = page.map((d) => ({
        serviceDeploymentArn: d.arn,
        serviceArn: service.arn,
        clusterArn: clusterArn(ecs.scope, service.clusterName),
        createdAt: date(d.createdAt),
        startedAt: date(d.startedAt),
        ...(d.finishedAt !== undefined ? { finishedAt: date(d.finishedAt) } : {}),
        targetServiceRevisionArn: d.targetRevisionArn,
        status: d.status,
        statusReason: d.statusReason,
      }));
      return { serviceDeployments, ...(nextToken ? { nextToken } : {}) };
    },

    DescribeServiceDeployments: (input: { serviceDeploymentArns?: unknown }) => {
      const serviceDeployments: ServiceDeployment[] = [];
      const failures: Array<{ arn: string; reason: string }> = [];
      for (const arn of arnList(input.serviceDeploymentArns, 'serviceDeploymentArns')) {
        const found = findDeployment(ecs, arn);
        if (found) serviceDeployments.push(describeServiceDeployment(ecs, found.service, found.record));
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { serviceDeployments, failures };
    },

    DescribeServiceRevisions: (input: { serviceRevisionArns?: unknown }) => {
      const serviceRevisions: ServiceRevision[] = [];
      const failures: Array<{ arn: string; reason: string }> = [];
      for (const arn of arnList(input.serviceRevisionArns, 'serviceRevisionArns')) {
        const service = serviceOfArn(ecs, arn, 'service-revision');
        const revision = service && revisionOf(service, arn);
        if (service && revision) serviceRevisions.push(describeRevision(ecs, service, revision));
        else failures.push({ arn, reason: 'MISSING' });
      }
      return { serviceRevisions, failures };
    },

    StopServiceDeployment: (input: StopServiceDeploymentRequest) => {
      if (!input.serviceDeploymentArn) throw invalidParameter('serviceDeploymentArn is required.');
      const stopType = input.stopType ?? 'ROLLBACK';
      if (stopType !== 'ROLLBACK') throw invalidParameter(`Invalid stopType: ${stopType}. The valid value is ROLLBACK.`);
      const found = findDeployment(ecs, input.serviceDeploymentArn);
      if (!found) throw serviceDeploymentNotFound();
      if (!isInFlight(found.record)) throw conflict(`The service deployment is ${found.record.status} and cannot be stopped.`);
      requestRollback(ecs, found.service, found.record);
      return { serviceDeploymentArn: found.record.arn };
    },
  };
}
