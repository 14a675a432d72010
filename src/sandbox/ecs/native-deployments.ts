import { randomBytes, randomUUID } from 'node:crypto';
import type { DeploymentConfiguration, LoadBalancer } from '@aws-sdk/client-ecs';
import { serviceDeploymentArn, serviceRevisionArn } from './arns.js';
import type { EcsContext } from './context.js';
import { invalidParameter } from './errors.js';
import { addServiceEvent } from './events.js';
import {
  LIFECYCLE_STAGES,
  type DeploymentRecord,
  type LifecycleStage,
  type ServiceDeploymentRecord,
  type ServiceDeploymentStatus,
  type ServiceRecord,
  type ServiceRevisionRecord,
  type TaskRecord,
} from './model.js';
import { circuitBreakerThreshold, isHealthy, isLive, launchFor, newDeploymentId, placementFields, stop, stopOrder, type PassLog } from './rollout.js';

/**
 * ECS's native blue/green, linear and canary deployments (2025): one service deployment per change, walking the
 * lifecycle stages, with the new revision's tasks in the target group production does not use (the alternate one
 * the first time) and production traffic moved on the listener rule. Lifecycle hooks answer from the behaviour
 * rules; alarms, the circuit breaker, a failed hook and StopServiceDeployment roll back to the source revision,
 * whose tasks keep running until CLEAN_UP.
 */

const NATIVE_STRATEGIES = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY']);
const IN_FLIGHT = new Set<ServiceDeploymentStatus>(['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
const MINUTE = 60_000;
/** AWS keeps a service's deployment history; the sandbox keeps this many of each. */
const HISTORY = 100;
/** ELBv2's largest forward weight: traffic percentages are spread over it. */
const FULL_WEIGHT = 999;

export const isNativeStrategy = (config: DeploymentConfiguration): boolean => NATIVE_STRATEGIES.has(config.strategy ?? 'ROLLING');
export const isInFlight = (deployment: ServiceDeploymentRecord): boolean => IN_FLIGHT.has(deployment.status);

/**
 * What CreateService/UpdateService refuse for a native strategy: another controller than ECS, a load balancer
 * without the advanced configuration traffic shifting needs, percentages and bake times out of range.
 */
export function validateNativeConfiguration(config: DeploymentConfiguration, loadBalancers: LoadBalancer[], controller: string): void {
  const strategy = config.strategy ?? 'ROLLING';
  if (!['ROLLING', ...NATIVE_STRATEGIES].includes(strategy)) throw invalidParameter(`Invalid deployment strategy: ${strategy}`);
  if (!isNativeStrategy(config)) return;
  if (controller !== 'ECS') throw invalidParameter(`The ${strategy} deployment strategy requires the ECS deployment controller.`);
  for (const lb of loadBalancers) {
    const advanced = lb.advancedConfiguration;
    if (!advanced) continue;
    if (!advanced.alternateTargetGroupArn || !advanced.productionListenerRule || !advanced.roleArn) {
      throw invalidParameter('advancedConfiguration requires alternateTargetGroupArn, productionListenerRule and roleArn.');
    }
    if (advanced.alternateTargetGroupArn === lb.targetGroupArn) throw invalidParameter('alternateTargetGroupArn must differ from targetGroupArn.');
  }
  const inRange = (value: number | undefined, min: number, max: number, field: string) => {
    if (value !== undefined && !(value >= min && value <= max)) throw invalidParameter(`${field} must be between ${min} and ${max}.`);
  };
  inRange(config.bakeTimeInMinutes, 0, 1440, 'bakeTimeInMinutes');
  inRange(config.linearConfiguration?.stepPercent, 3, 100, 'linearConfiguration.stepPercent');
  inRange(config.linearConfiguration?.stepBakeTimeInMinutes, 0, 1440, 'linearConfiguration.stepBakeTimeInMinutes');
  inRange(config.canaryConfiguration?.canaryPercent, 0.1, 100, 'canaryConfiguration.canaryPercent');
  inRange(config.canaryConfiguration?.canaryBakeTimeInMinutes, 0, 1440, 'canaryConfiguration.canaryBakeTimeInMinutes');
}

/** Called with the new PRIMARY deployment of a native service: supersedes one in flight, records the revision. */
export function startServiceDeployment(ecs: EcsContext, service: ServiceRecord, deployment: DeploymentRecord): ServiceDeploymentRecord {
  const now = ecs.now();
  const superseded = service.serviceDeployments.find(isInFlight);
  if (superseded) {
    finish(superseded, 'STOPPED', 'Superseded by a newer service deployment.', now);
    superseded.stoppedAt = now;
    shiftProduction(ecs, service, superseded, 0);
  }
  const source = revisionOf(service, service.productionRevisionArn);
  const targetGroups = service.loadBalancers.map((lb, i) => {
    const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
    const live = source?.targetGroups[i];
    if (!alternate || !live) return lb.targetGroupArn ?? '';
    return live === lb.targetGroupArn ? alternate : (lb.targetGroupArn ?? '');
  });
  deployment.loadBalancers = service.loadBalancers.map((lb, i) => ({ ...lb, targetGroupArn: targetGroups[i] }));
  const revision: ServiceRevisionRecord = {
    arn: serviceRevisionArn(ecs.scope, service.clusterName, service.name, newDeploymentId().slice('ecs-svc/'.length)),
    deploymentId: deployment.id,
    taskDefinitionArn: deployment.taskDefinitionArn,
    targetGroups,
    createdAt: now,
    ...placementFields(deployment),
  };
  const record: ServiceDeploymentRecord = {
    arn: serviceDeploymentArn(ecs.scope, service.clusterName, service.name, randomBytes(16).toString('base64url')),
    createdAt: now,
    startedAt: now,
    updatedAt: now,
    ...(source ? { sourceRevisionArn: source.arn } : {}),
    targetRevisionArn: revision.arn,
    status: 'IN_PROGRESS',
    statusReason: `ECS deployment ${deployment.id} in progress.`,
    stage: 'RECONCILE_SERVICE',
    stageStartedAt: now,
    productionWeight: source ? 0 : 100,
    testWeight: source ? 0 : 100,
    hooks: [],
    configuration: structuredClone(service.deploymentConfiguration),
    triggeredAlarmNames: [],
  };
  service.serviceRevisions = [revision, ...service.serviceRevisions].slice(0, HISTORY);
  service.serviceDeployments = [record, ...service.serviceDeployments].slice(0, HISTORY);
  enterStage(ecs, service, record, 'RECONCILE_SERVICE', now);
  return record;
}

export function revisionOf(service: ServiceRecord, arn: string | undefined): ServiceRevisionRecord | undefined {
  return arn === undefined ? undefined : service.serviceRevisions.find((r) => r.arn === arn);
}

/** StopServiceDeployment with ROLLBACK: the next pass starts the rollback. */
export function requestRollback(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord): void {
  if (record.status === 'PENDING' || record.status === 'IN_PROGRESS') {
    record.status = 'ROLLBACK_REQUESTED';
    record.statusReason = 'Rollback requested by StopServiceDeployment.';
    record.updatedAt = ecs.now();
    ecs.touch(service.arn);
  }
}

/** One scheduler pass over a native service: walk its deployment's stages, then size each deployment's tasks. */
export function reconcileNative(ecs: EcsContext, service: ServiceRecord, tasks: TaskRecord[], log: PassLog): void {
  const now = ecs.now();
  const record = service.serviceDeployments[0];
  if (record && isInFlight(record)) {
    advance(ecs, service, record, tasks, now);
    // Alarms change without touching the service: poll them while the deployment is in flight.
    if (isInFlight(record) && (record.nextMonitorAt === undefined || record.nextMonitorAt <= now)) {
      record.nextMonitorAt = now + ecs.timings.healthPollSeconds * 1000;
      ecs.wake(service.arn, record.nextMonitorAt);
    }
  }
  const primary = service.deployments[0];
  if (!primary) return;
  primary.desiredCount = service.status === 'ACTIVE' ? service.desiredCount : 0;
  const kept = keptDeploymentIds(service, record);
  for (const deployment of service.deployments) {
    const live = tasks.filter((t) => isLive(t) && t.owner?.deploymentId === deployment.id);
    // A deleted service (DRAINING) keeps no revision running, the one production uses included.
    const wanted = service.status === 'ACTIVE' && kept.has(deployment.id) ? deployment.desiredCount : 0;
    const reason = `Scaling activity initiated by (deployment ${deployment.id})`;
    for (const task of [...live].sort(stopOrder).slice(0, Math.max(0, live.length - wanted))) stop(ecs, task, reason, log);
    for (let i = live.length; i < wanted; i++) launchFor(ecs, service, { deploymentId: deployment.id }, deployment.taskDefinitionArn, deployment, deployment.id, log);
  }
  service.deployments = service.deployments.filter((d) => kept.has(d.id) || tasks.some((t) => t.lastStatus !== 'STOPPED' && t.owner?.deploymentId === d.id));
  for (const deployment of service.deployments.slice(1)) deployment.status = 'ACTIVE';
}

/** The source revision's tasks serve production until CLEAN_UP, and stay up when a deployment stops half-way. */
function keptDeploymentIds(service: ServiceRecord, record: ServiceDeploymentRecord | undefined): Set<string> {
  const kept = new Set(service.deployments.slice(0, 1).map((d) => d.id));
  if (!record) return kept;
  const holdsSource = (record.status === 'IN_PROGRESS' && record.stage !== 'CLEAN_UP') || record.status === 'STOPPED';
  const source = revisionOf(service, record.sourceRevisionArn);
  if (holdsSource && source) kept.add(source.deploymentId);
  return kept;
}

function advance(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, tasks: TaskRecord[], now: number): void {
  for (let step = 0; step < LIFECYCLE_STAGES.length * 2; step++) {
    if (record.status === 'ROLLBACK_REQUESTED') startRollback(ecs, service, record, 'Service deployment rolled back by StopServiceDeployment.', now);
    if (record.status !== 'IN_PROGRESS') {
      if (record.status === 'ROLLBACK_IN_PROGRESS') finishRollbackWhenDrained(ecs, service, record, tasks, now);
      return;
    }
    const target = revisionOf(service, record.targetRevisionArn)!;
    const deployment = service.deployments.find((d) => d.id === target.deploymentId);
    if (!deployment) return;
    const monitored = monitorFailure(ecs, record, deployment);
    if (monitored) {
      if (monitored.rollback) startRollback(ecs, service, record, monitored.reason, now);
      else stopHalfWay(ecs, service, record, deployment, monitored.reason, now);
      continue;
    }
    settleHooks(record, now);
    const failedHook = record.hooks.find((h) => h.stage === record.stage && h.status === 'FAILED');
    if (failedHook) {
      startRollback(ecs, service, record, `Lifecycle hook ${failedHook.targetArn} failed in ${record.stage}.`, now);
      continue;
    }
    if (record.stage === 'PRODUCTION_TRAFFIC_SHIFT') stepProductionTraffic(ecs, service, record, now);
    if (record.status !== 'IN_PROGRESS') continue;
    if (record.hooks.some((h) => h.stage === record.stage && h.status === 'IN_PROGRESS')) return;
    if (!stageWorkDone(ecs, service, record, deployment, tasks, now)) return;
    if (record.stage === 'CLEAN_UP') {
      complete(ecs, service, record, deployment, now);
      return;
    }
    enterStage(ecs, service, record, LIFECYCLE_STAGES[LIFECYCLE_STAGES.indexOf(record.stage) + 1]!, now);
  }
}

function enterStage(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, stage: LifecycleStage, now: number): void {
  record.stage = stage;
  record.stageStartedAt = now;
  record.updatedAt = now;
  delete record.waitUntil;
  for (const hook of record.configuration.lifecycleHooks ?? []) {
    if (!hook.hookTargetArn || !hook.lifecycleStages?.includes(stage as never)) continue;
    const rule = ecs.behaviours.hook(hook.hookTargetArn);
    const settlesAt = now + rule.hookInProgressSeconds * 1000;
    record.hooks.push({ hookId: randomUUID(), targetArn: hook.hookTargetArn, stage, status: 'IN_PROGRESS', settlesAt, outcome: rule.hookStatus });
    if (settlesAt > now) ecs.wake(service.arn, settlesAt);
  }
  if (stage === 'TEST_TRAFFIC_SHIFT') shiftTest(ecs, service, record, 100);
  if (stage === 'PRODUCTION_TRAFFIC_SHIFT') record.waitUntil = now;
  if (stage === 'BAKE_TIME') wait(ecs, service, record, now + (record.configuration.bakeTimeInMinutes ?? 0) * MINUTE);
  if (stage === 'CLEAN_UP') {
    const source = revisionOf(service, record.sourceRevisionArn);
    const sourceDeployment = service.deployments.find((d) => d.id === source?.deploymentId);
    if (sourceDeployment) sourceDeployment.desiredCount = 0;
    ecs.touch(service.arn);
  }
}

function wait(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, until: number): void {
  record.waitUntil = until;
  ecs.wake(service.arn, until);
}

function settleHooks(record: ServiceDeploymentRecord, now: number): void {
  for (const hook of record.hooks) if (hook.status === 'IN_PROGRESS' && hook.settlesAt <= now) hook.status = hook.outcome;
}

/** BLUE_GREEN moves everything at once; LINEAR one step per bake; CANARY the canary share, then the rest. */
export function nextProductionStep(config: DeploymentConfiguration, current: number): { weight: number; bakeMinutes: number } {
  if (config.strategy === 'LINEAR') {
    const step = config.linearConfiguration?.stepPercent ?? 10;
    const weight = Math.min(100, current + step);
    return { weight: weight > 99.999 ? 100 : weight, bakeMinutes: config.linearConfiguration?.stepBakeTimeInMinutes ?? 6 };
  }
  if (config.strategy === 'CANARY' && current === 0) {
    return { weight: config.canaryConfiguration?.canaryPercent ?? 5, bakeMinutes: config.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10 };
  }
  return { weight: 100, bakeMinutes: 0 };
}

function stepProductionTraffic(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, now: number): void {
  while (record.productionWeight < 100 && record.waitUntil !== undefined && record.waitUntil <= now) {
    const next = nextProductionStep(record.configuration, record.productionWeight);
    if (!shiftProduction(ecs, service, record, next.weight)) {
      startRollback(ecs, service, record, 'The production listener rule or a target group no longer exists.', now);
      return;
    }
    addServiceEvent(service, now, `(service-deployment ${record.arn}) shifted ${next.weight}% of production traffic to the new revision.`);
    if (next.weight < 100) wait(ecs, service, record, now + next.bakeMinutes * MINUTE);
  }
  if (record.productionWeight === 100 && record.waitUntil !== undefined && record.waitUntil <= now) {
    // The first deployment has nothing to shift from, but production must still point at its target group.
    shiftProduction(ecs, service, record, 100);
    delete record.waitUntil;
  }
}

/** Points each production listener rule at source and target target groups with `weight`% on the target. */
function shiftProduction(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, weight: number): boolean {
  record.productionWeight = weight;
  record.updatedAt = ecs.now();
  return forEachRule(ecs, service, record, 'productionListenerRule', weight);
}

function shiftTest(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, weight: number): boolean {
  record.testWeight = weight;
  return forEachRule(ecs, service, record, 'testListenerRule', weight);
}

function forEachRule(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, rule: 'productionListenerRule' | 'testListenerRule', weight: number): boolean {
  const elbv2 = ecs.views.elbv2;
  if (!elbv2) return true;
  const target = revisionOf(service, record.targetRevisionArn)!;
  let ok = true;
  service.loadBalancers.forEach((lb, i) => {
    const ruleArn = lb.advancedConfiguration?.[rule];
    const green = target.targetGroups[i];
    const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
    if (!ruleArn || !green || !alternate || !lb.targetGroupArn) return;
    const blue = green === lb.targetGroupArn ? alternate : lb.targetGroupArn;
    const greenWeight = Math.round((weight / 100) * FULL_WEIGHT);
    // Both groups stay on the rule (one at weight 0) so the load balancer keeps health-checking the idle one.
    const weights = [
      { targetGroupArn: blue, weight: FULL_WEIGHT - greenWeight },
      { targetGroupArn: green, weight: greenWeight },
    ];
    if (!elbv2.forwardRule(ruleArn, weights)) ok = false;
  });
  return ok;
}

function stageWorkDone(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, deployment: DeploymentRecord, tasks: TaskRecord[], now: number): boolean {
  switch (record.stage) {
    case 'SCALE_UP': {
      const live = ecs.store.liveTasks(service).filter((t) => isLive(t) && t.owner?.deploymentId === deployment.id);
      return live.length === deployment.desiredCount && live.every(isHealthy);
    }
    case 'PRODUCTION_TRAFFIC_SHIFT':
      return record.productionWeight === 100 && record.waitUntil === undefined;
    case 'BAKE_TIME':
      return record.waitUntil !== undefined && record.waitUntil <= now;
    case 'CLEAN_UP':
      return !tasks.some((t) => t.lastStatus !== 'STOPPED' && t.owner?.deploymentId !== deployment.id);
    default:
      return true;
  }
}

function monitorFailure(ecs: EcsContext, record: ServiceDeploymentRecord, deployment: DeploymentRecord): { reason: string; rollback: boolean } | undefined {
  const breaker = record.configuration.deploymentCircuitBreaker;
  if (breaker?.enable && deployment.failedTasks >= circuitBreakerThreshold(deployment.desiredCount)) {
    return { reason: 'ECS deployment circuit breaker: tasks failed to start.', rollback: breaker.rollback === true };
  }
  const alarms = record.configuration.alarms;
  if (!alarms?.enable || !ecs.views.cloudwatch) return undefined;
  const triggered = alarms.alarmNames?.filter((name) => ecs.views.cloudwatch!.alarmState(name) === 'ALARM') ?? [];
  if (triggered.length === 0) return undefined;
  record.triggeredAlarmNames = triggered;
  return { reason: `CloudWatch alarm(s) in ALARM: ${triggered.join(', ')}.`, rollback: alarms.rollback === true };
}

/** Production goes back to the source revision at once (its tasks never stopped); the target's tasks stop. */
function startRollback(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, reason: string, now: number): void {
  const source = revisionOf(service, record.sourceRevisionArn);
  const target = revisionOf(service, record.targetRevisionArn)!;
  const sourceDeployment = service.deployments.find((d) => d.id === source?.deploymentId);
  const targetDeployment = service.deployments.find((d) => d.id === target.deploymentId);
  if (targetDeployment) markFailed(targetDeployment, reason, now);
  if (!source || !sourceDeployment) {
    finish(record, 'ROLLBACK_FAILED', `${reason} There is no previous service revision to roll back to.`, now);
    return;
  }
  record.status = 'ROLLBACK_IN_PROGRESS';
  record.statusReason = reason;
  record.updatedAt = now;
  record.rollback = { reason, startedAt: now, serviceRevisionArn: source.arn };
  shiftProduction(ecs, service, record, 0);
  shiftTest(ecs, service, record, 0);
  sourceDeployment.status = 'PRIMARY';
  sourceDeployment.desiredCount = service.desiredCount;
  service.deployments = [sourceDeployment, ...service.deployments.filter((d) => d !== sourceDeployment)];
  service.taskDefinitionArn = sourceDeployment.taskDefinitionArn;
  service.steadyReported = false;
  addServiceEvent(service, now, `(service-deployment ${record.arn}) rolling back to ${source.arn}: ${reason}`);
  ecs.touch(service.arn);
}

function finishRollbackWhenDrained(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, tasks: TaskRecord[], now: number): void {
  const target = revisionOf(service, record.targetRevisionArn)!;
  if (tasks.some((t) => t.lastStatus !== 'STOPPED' && t.owner?.deploymentId === target.deploymentId)) return;
  finish(record, 'ROLLBACK_SUCCESSFUL', `Rolled back to ${record.rollback?.serviceRevisionArn}: ${record.rollback?.reason}`, now);
  addServiceEvent(service, now, `(service-deployment ${record.arn}) rollback completed.`);
}

/** A monitor fired without rollback: the deployment stops where it is, both revisions keep their tasks. */
function stopHalfWay(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, deployment: DeploymentRecord, reason: string, now: number): void {
  markFailed(deployment, reason, now);
  finish(record, 'STOPPED', reason, now);
  record.stoppedAt = now;
  addServiceEvent(service, now, `(service-deployment ${record.arn}) stopped: ${reason}`);
  ecs.touch(service.arn);
}

function complete(ecs: EcsContext, service: ServiceRecord, record: ServiceDeploymentRecord, deployment: DeploymentRecord, now: number): void {
  finish(record, 'SUCCESSFUL', `ECS deployment ${deployment.id} completed.`, now);
  service.productionRevisionArn = record.targetRevisionArn;
  deployment.rolloutState = 'COMPLETED';
  deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
  deployment.updatedAt = now;
  service.lastCompletedDeploymentId = deployment.id;
  service.lastCompletedTaskDefinitionArn = deployment.taskDefinitionArn;
  addServiceEvent(service, now, `(deployment ${deployment.id}) deployment completed.`);
}

function markFailed(deployment: DeploymentRecord, reason: string, now: number): void {
  deployment.rolloutState = 'FAILED';
  deployment.rolloutStateReason = reason;
  deployment.updatedAt = now;
}

function finish(record: ServiceDeploymentRecord, status: ServiceDeploymentStatus, reason: string, now: number): void {
  record.status = status;
  record.statusReason = reason;
  record.updatedAt = now;
  record.finishedAt = now;
  delete record.waitUntil;
}
