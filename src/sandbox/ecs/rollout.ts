import { randomInt } from 'node:crypto';
import type { EcsContext } from './context.js';
import { addServiceEvent, taskList } from './events.js';
import type { DeploymentRecord, ServiceRecord, TaskPlacement, TaskRecord, TaskSetRecord } from './model.js';
import { isInFlight, isNativeStrategy, reconcileNative } from './native-deployments.js';
import { launchTask, requestStop } from './tasks.js';

/** Tasks a deployment or task set still wants (not asked to stop). */
export function isLive(task: TaskRecord): boolean {
  return task.desiredStatus === 'RUNNING';
}

export function isRunning(task: TaskRecord): boolean {
  return isLive(task) && task.lastStatus === 'RUNNING';
}

/** Running and, when behind a load balancer or container health check, reported healthy. */
export function isHealthy(task: TaskRecord): boolean {
  return isRunning(task) && (task.registeredTargets.length === 0 ? task.lbHealthy !== false : task.lbHealthy === true);
}

export function counts(tasks: TaskRecord[]): { runningCount: number; pendingCount: number } {
  let runningCount = 0;
  let pendingCount = 0;
  for (const task of tasks) {
    if (!isLive(task)) continue;
    if (task.lastStatus === 'RUNNING') runningCount++;
    else pendingCount++;
  }
  return { runningCount, pendingCount };
}

/** Deployments and task sets share ECS's id format: `ecs-svc/` and 19 digits. */
export function newDeploymentId(): string {
  return `ecs-svc/${randomInt(1e9, 1e10)}${randomInt(1e8, 1e9)}`;
}

/** The circuit breaker's failure threshold: half the desired count, at least 3 and at most 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

/** A new PRIMARY deployment; `rollbackTo` names the completed deployment the circuit breaker returns to. */
export function createDeployment(ecs: EcsContext, service: ServiceRecord, taskDefinitionArn: string, placement: TaskPlacement, rollbackTo?: string): DeploymentRecord {
  const now = ecs.now();
  for (const existing of service.deployments) existing.status = 'ACTIVE';
  const id = newDeploymentId();
  const reason = rollbackTo ? `ECS deployment circuit breaker: rolling back to deploymentId ${rollbackTo}.` : `ECS deployment ${id} in progress.`;
  const deployment: DeploymentRecord = {
    id,
    status: 'PRIMARY',
    taskDefinitionArn,
    desiredCount: service.desiredCount,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: reason,
    ...placementFields(placement),
  };
  service.deployments.unshift(deployment);
  service.taskDefinitionArn = taskDefinitionArn;
  service.steadyReported = false;
  ecs.touch(service.arn);
  return deployment;
}

/** Just the placement part of a service, deployment or task set. */
export function placementFields(source: TaskPlacement): TaskPlacement {
  return {
    loadBalancers: source.loadBalancers,
    ...(source.launchType ? { launchType: source.launchType } : {}),
    ...(source.capacityProviderStrategy ? { capacityProviderStrategy: source.capacityProviderStrategy } : {}),
    ...(source.platformVersion ? { platformVersion: source.platformVersion } : {}),
    ...(source.networkConfiguration ? { networkConfiguration: source.networkConfiguration } : {}),
  };
}

export interface PassLog {
  started: string[];
  stopped: string[];
}

export function launchFor(ecs: EcsContext, service: ServiceRecord, owner: { deploymentId?: string; taskSetId?: string }, taskDefinitionArn: string, placement: TaskPlacement, startedBy: string, log: PassLog): void {
  const definition = ecs.store.taskDefinitionsByArn.get(taskDefinitionArn);
  if (!definition) return;
  const task = launchTask(ecs, service.clusterName, { serviceArn: service.arn, ...owner }, `service:${service.name}`, startedBy, definition, placement);
  if (service.propagateTags === 'SERVICE') task.tags = [...service.tags];
  else if (service.propagateTags === 'TASK_DEFINITION') task.tags = [...definition.tags];
  log.started.push(task.id);
}

export function stop(ecs: EcsContext, task: TaskRecord, reason: string, log: PassLog): void {
  requestStop(ecs, task, reason, 'ServiceSchedulerInitiated');
  log.stopped.push(task.id);
}

/** Not-yet-healthy tasks go first: stopping them costs no capacity. */
export const stopOrder = (a: TaskRecord, b: TaskRecord) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.createdAt - a.createdAt;

/**
 * One pass of the rolling-update scheduler: keep at least minimumHealthyPercent of desiredCount healthy and at
 * most maximumPercent live, start the primary deployment's tasks, drain older deployments, and judge the rollout.
 */
function reconcileRolling(ecs: EcsContext, service: ServiceRecord, tasks: TaskRecord[], log: PassLog): void {
  const now = ecs.now();
  const primary = service.deployments[0];
  if (!primary) return;
  const desired = service.status === 'ACTIVE' ? service.desiredCount : 0;
  primary.desiredCount = desired;
  const config = service.deploymentConfiguration;
  const maxTotal = Math.floor((desired * (config.maximumPercent ?? 200)) / 100);
  const minHealthy = Math.ceil((desired * (config.minimumHealthyPercent ?? 100)) / 100);
  const live = tasks.filter(isLive);
  const primaryLive = live.filter((t) => t.owner?.deploymentId === primary.id);
  const oldLive = live.filter((t) => t.owner?.deploymentId !== primary.id);

  if (primaryLive.length > desired) {
    for (const task of [...primaryLive].sort(stopOrder).slice(0, primaryLive.length - desired)) stop(ecs, task, `Scaling activity initiated by (deployment ${primary.id})`, log);
  }
  let healthyTotal = live.filter(isHealthy).length;
  for (const task of [...oldLive].sort(stopOrder)) {
    const healthy = isHealthy(task);
    if (healthy && healthyTotal - 1 < minHealthy) continue;
    stop(ecs, task, `Scaling activity initiated by (deployment ${primary.id})`, log);
    if (healthy) healthyTotal--;
  }
  const liveNow = live.filter(isLive);
  const primaryLiveNow = liveNow.filter((t) => t.owner?.deploymentId === primary.id).length;
  const toLaunch = Math.min(desired - primaryLiveNow, maxTotal - liveNow.length);
  for (let i = 0; i < toLaunch; i++) launchFor(ecs, service, { deploymentId: primary.id }, primary.taskDefinitionArn, primary, primary.id, log);

  // A replaced deployment stays listed until its last task has finished stopping.
  for (const deployment of service.deployments.slice(1)) {
    if (!tasks.some((t) => t.lastStatus !== 'STOPPED' && t.owner?.deploymentId === deployment.id)) deployment.status = 'INACTIVE';
  }
  service.deployments = service.deployments.filter((d) => d.status !== 'INACTIVE');
  judgeRollout(ecs, service, primary, now);
}

function judgeRollout(ecs: EcsContext, service: ServiceRecord, primary: DeploymentRecord, now: number): void {
  if (primary.rolloutState !== 'IN_PROGRESS') return;
  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
  if (breaker?.enable && primary.failedTasks >= circuitBreakerThreshold(primary.desiredCount)) {
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    primary.updatedAt = now;
    addServiceEvent(service, now, `(deployment ${primary.id}) deployment failed: tasks failed to start.`);
    const target = service.lastCompletedTaskDefinitionArn;
    if (breaker.rollback && target && service.lastCompletedDeploymentId) {
      addServiceEvent(service, now, `rolling back to deployment ${service.lastCompletedDeploymentId}.`);
      createDeployment(ecs, service, target, primary, service.lastCompletedDeploymentId);
    }
    return;
  }
  const live = ecs.store.liveTasks(service).filter(isLive);
  const done =
    service.deployments.length === 1 &&
    live.length === primary.desiredCount &&
    live.every((t) => isHealthy(t) && t.owner?.deploymentId === primary.id);
  if (!done) return;
  primary.rolloutState = 'COMPLETED';
  primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
  primary.updatedAt = now;
  service.lastCompletedDeploymentId = primary.id;
  service.lastCompletedTaskDefinitionArn = primary.taskDefinitionArn;
  addServiceEvent(service, now, `(deployment ${primary.id}) deployment completed.`);
}

export function computedDesiredCount(service: ServiceRecord, taskSet: TaskSetRecord): number {
  if (taskSet.status === 'DRAINING' || service.status !== 'ACTIVE') return 0;
  return Math.ceil((service.desiredCount * taskSet.scale.value) / 100);
}

/** One pass for an EXTERNAL service: each task set runs ceil(desiredCount * scale%) tasks; drained sets disappear. */
function reconcileTaskSets(ecs: EcsContext, service: ServiceRecord, tasks: TaskRecord[], log: PassLog): void {
  const now = ecs.now();
  for (const taskSet of service.taskSets) {
    const target = computedDesiredCount(service, taskSet);
    const live = tasks.filter((t) => isLive(t) && t.owner?.taskSetId === taskSet.id);
    if (live.length > target) {
      for (const task of [...live].sort(stopOrder).slice(0, live.length - target)) stop(ecs, task, `Scaling activity initiated by (task-set ${taskSet.id})`, log);
    }
    for (let i = live.length; i < target; i++) launchFor(ecs, service, { taskSetId: taskSet.id }, taskSet.taskDefinitionArn, taskSet, taskSet.id, log);
    const stillLive = live.slice(0, target);
    const steady = stillLive.length === target && stillLive.every(isHealthy);
    const stability = steady ? 'STEADY_STATE' : 'STABILIZING';
    if (stability !== taskSet.stabilityStatus) {
      taskSet.stabilityStatus = stability;
      taskSet.stabilityStatusAt = now;
    }
  }
  service.taskSets = service.taskSets.filter((ts) => ts.status !== 'DRAINING' || tasks.some((t) => t.owner?.taskSetId === ts.id && t.lastStatus !== 'STOPPED'));
}

/** Runs one scheduler pass over a service and reports what it started and stopped, as ECS's events do. */
export function reconcileService(ecs: EcsContext, service: ServiceRecord): void {
  if (service.status === 'INACTIVE') return;
  const tasks = ecs.store.liveTasks(service);
  const log: PassLog = { started: [], stopped: [] };
  if (service.deploymentController.type === 'EXTERNAL') reconcileTaskSets(ecs, service, tasks, log);
  else if (isNativeStrategy(service.deploymentConfiguration) || service.serviceDeployments.some(isInFlight)) reconcileNative(ecs, service, tasks, log);
  else reconcileRolling(ecs, service, tasks, log);
  const now = ecs.now();
  if (log.stopped.length > 0) addServiceEvent(service, now, `has stopped ${log.stopped.length} running tasks: ${taskList(log.stopped)}.`);
  if (log.started.length > 0) addServiceEvent(service, now, `has started ${log.started.length} tasks: ${taskList(log.started)}.`);
  if (log.started.length > 0 || log.stopped.length > 0) service.steadyReported = false;
  finishDraining(ecs, service);
  reportSteadyState(ecs, service, now);
}

function finishDraining(ecs: EcsContext, service: ServiceRecord): void {
  if (service.status !== 'DRAINING') return;
  if (ecs.store.liveTasks(service).length > 0) return;
  service.status = 'INACTIVE';
  service.deployments = [];
  service.taskSets = [];
}

function reportSteadyState(ecs: EcsContext, service: ServiceRecord, now: number): void {
  if (service.steadyReported || service.status !== 'ACTIVE') return;
  const tasks = ecs.store.liveTasks(service).filter(isLive);
  const stable =
    service.deploymentController.type === 'EXTERNAL'
      ? service.taskSets.every((ts) => ts.stabilityStatus === 'STEADY_STATE')
      : service.deployments.length === 1 && tasks.length === service.desiredCount && tasks.every(isHealthy);
  if (!stable) return;
  service.steadyReported = true;
  addServiceEvent(service, now, 'has reached a steady state.');
}
