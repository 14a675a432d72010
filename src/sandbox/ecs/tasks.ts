import { randomBytes } from 'node:crypto';
import type { Task } from '@aws-sdk/client-ecs';
import type { AppBehaviour } from '../core/behaviours.js';
import type { Handlers } from '../core/service.js';
import type { TargetHealthState, TargetProcess } from '../world.js';
import { nameFromArnOrName, taskArn as buildTaskArn } from './arns.js';
import type { EcsContext } from './context.js';
import { addServiceEvent, taskList } from './events.js';
import { invalidParameter, serviceNotFound } from './errors.js';
import type { ServiceRecord, TaskDefinitionRecord, TaskOwner, TaskPlacement, TaskRecord } from './model.js';
import { paginate } from './pagination.js';

const seconds = (s: number) => s * 1000;

export function serviceOf(ecs: EcsContext, task: TaskRecord): ServiceRecord | undefined {
  return task.owner ? ecs.store.servicesByArn.get(task.owner.serviceArn) : undefined;
}

export function launchTask(ecs: EcsContext, clusterName: string, owner: TaskOwner | undefined, group: string, startedBy: string | undefined, definition: TaskDefinitionRecord, placement: TaskPlacement): TaskRecord {
  const now = ecs.now();
  const id = randomBytes(16).toString('hex');
  const containers = definition.body.containerDefinitions.map((c) => ({ name: c.name!, image: c.image!, essential: c.essential ?? true }));
  const image = (containers.find((c) => c.essential) ?? containers[0]!).image;
  const task: TaskRecord = {
    arn: buildTaskArn(ecs.scope, clusterName, id),
    id,
    clusterName,
    owner,
    group,
    startedBy,
    taskDefinitionArn: definition.arn,
    family: definition.family,
    placement,
    cpu: definition.body.cpu,
    memory: definition.body.memory,
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    ip: ecs.store.nextIp(),
    image,
    containers,
    createdAt: now,
    nextAt: now + seconds(ecs.timings.provisioningSeconds),
    registeredTargets: [],
    tags: [],
  };
  ecs.store.addTask(task, owner?.serviceArn);
  ecs.wake(task.arn, task.nextAt);
  return task;
}

/** The scheduler (or a user) asks the task to stop; it deregisters from its target groups at once. */
export function requestStop(ecs: EcsContext, task: TaskRecord, reason: string, stopCode: string): void {
  if (task.desiredStatus === 'STOPPED') return;
  const now = ecs.now();
  task.desiredStatus = 'STOPPED';
  task.stoppedReason = reason;
  task.stopCode = stopCode;
  task.stoppingAt = now;
  deregisterTargets(ecs, task);
  if (task.lastStatus === 'RUNNING') {
    for (const container of task.containers) container.exitCode ??= 0;
  }
  enterDeprovisioning(ecs, task, now);
  if (task.owner) ecs.touch(task.owner.serviceArn);
}

function enterDeprovisioning(ecs: EcsContext, task: TaskRecord, now: number): void {
  task.lastStatus = 'DEPROVISIONING';
  task.executionStoppedAt ??= now;
  task.nextAt = now + seconds(ecs.timings.stoppingSeconds);
  ecs.wake(task.arn, task.nextAt);
}

/** A task that failed on its own (crash, pull error, failed health checks): counted by the circuit breaker. */
function fail(ecs: EcsContext, task: TaskRecord, reason: string, stopCode: string, containerReason?: { exitCode?: number; reason?: string }): void {
  const service = serviceOf(ecs, task);
  const deployment = service?.deployments.find((d) => d.id === task.owner?.deploymentId);
  if (deployment) deployment.failedTasks++;
  const essential = task.containers.find((c) => c.essential);
  if (essential && containerReason) Object.assign(essential, containerReason);
  requestStop(ecs, task, reason, stopCode);
  if (service) addServiceEvent(service, ecs.now(), `has stopped 1 running tasks: ${taskList([task.id])}.`);
}

/** Behaviour is looked up live, so a change through the admin endpoint reaches running tasks too. */
export function behaviourOf(ecs: EcsContext, task: TaskRecord): AppBehaviour {
  return ecs.behaviours.resolve(task.family, task.image);
}

export function passesHealthCheck(ecs: EcsContext, task: TaskRecord, now: number): boolean {
  if (task.lastStatus !== 'RUNNING' || task.startedAt === undefined) return false;
  const behaviour = behaviourOf(ecs, task);
  return behaviour.healthy && now >= task.startedAt + seconds(behaviour.startupSeconds);
}

type Verdict = { status: 'healthy' | 'pending' } | { status: 'unhealthy'; reason: string; event: string };

/** What ECS learns about a running task from its load balancer(s), or from the container health check. */
function healthVerdict(ecs: EcsContext, task: TaskRecord, now: number): Verdict {
  const elbv2 = ecs.views.elbv2;
  let pending = false;
  for (const target of task.registeredTargets) {
    const state: TargetHealthState | undefined = elbv2
      ? elbv2.targetHealth(target.targetGroupArn, task.ip, target.port)
      : passesHealthCheck(ecs, task, now)
        ? 'healthy'
        : 'unhealthy';
    if (state === 'unhealthy') {
      return {
        status: 'unhealthy',
        reason: `Task failed ELB health checks in (target-group ${target.targetGroupArn})`,
        event: `(port ${target.port}) is unhealthy in (target-group ${target.targetGroupArn}) due to (reason Health checks failed).`,
      };
    }
    if (state !== 'healthy') pending = true;
  }
  if (hasContainerHealthCheck(ecs, task) && !passesHealthCheck(ecs, task, now)) {
    return { status: 'unhealthy', reason: 'Task failed container health checks', event: `(task ${task.id}) failed container health checks.` };
  }
  return { status: pending ? 'pending' : 'healthy' };
}

function hasContainerHealthCheck(ecs: EcsContext, task: TaskRecord): boolean {
  const definition = ecs.store.taskDefinitionsByArn.get(task.taskDefinitionArn);
  return definition?.body.containerDefinitions.some((c) => (c.essential ?? true) && c.healthCheck !== undefined) ?? false;
}

function registerTargets(ecs: EcsContext, task: TaskRecord): void {
  const elbv2 = ecs.views.elbv2;
  for (const lb of task.placement.loadBalancers) {
    if (!lb.targetGroupArn || lb.containerPort === undefined) continue;
    task.registeredTargets.push({ targetGroupArn: lb.targetGroupArn, port: lb.containerPort });
    elbv2?.registerTarget(lb.targetGroupArn, task.ip, lb.containerPort);
  }
  const service = serviceOf(ecs, task);
  if (service && task.registeredTargets.length > 0) {
    for (const target of task.registeredTargets) addServiceEvent(service, ecs.now(), `registered 1 targets in (target-group ${target.targetGroupArn})`);
  }
}

function deregisterTargets(ecs: EcsContext, task: TaskRecord): void {
  if (task.registeredTargets.length === 0) return;
  const service = serviceOf(ecs, task);
  for (const target of task.registeredTargets) {
    ecs.views.elbv2?.deregisterTarget(target.targetGroupArn, task.ip, target.port);
    if (service) addServiceEvent(service, ecs.now(), `deregistered 1 targets in (target-group ${target.targetGroupArn})`);
  }
  task.registeredTargets = [];
}

function crashDueAt(ecs: EcsContext, task: TaskRecord): number | undefined {
  const behaviour = behaviourOf(ecs, task);
  if (behaviour.crashExitCode === undefined || task.startedAt === undefined) return undefined;
  return task.startedAt + seconds(behaviour.crashAfterSeconds);
}

function crash(ecs: EcsContext, task: TaskRecord, exitCode: number): void {
  fail(ecs, task, 'Essential container in task exited', 'EssentialContainerExited', { exitCode });
}

function start(ecs: EcsContext, task: TaskRecord, now: number): void {
  const behaviour = behaviourOf(ecs, task);
  task.pullStoppedAt = now;
  if (behaviour.cannotPullImage) {
    const reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${task.image}: not found`;
    fail(ecs, task, reason, 'TaskFailedToStart', { reason });
    return;
  }
  if (behaviour.crashExitCode !== undefined && behaviour.crashAfterSeconds === 0) {
    crash(ecs, task, behaviour.crashExitCode);
    return;
  }
  task.lastStatus = 'RUNNING';
  task.startedAt = now;
  registerTargets(ecs, task);
  scheduleRunningWake(ecs, task, now);
  if (task.owner) ecs.touch(task.owner.serviceArn);
}

function scheduleRunningWake(ecs: EcsContext, task: TaskRecord, now: number): void {
  const crashAt = crashDueAt(ecs, task);
  const pollAt = now + seconds(ecs.timings.healthPollSeconds);
  task.nextAt = crashAt !== undefined && crashAt > now ? Math.min(crashAt, pollAt) : pollAt;
  ecs.wake(task.arn, task.nextAt);
}

function checkRunning(ecs: EcsContext, task: TaskRecord, now: number): void {
  const crashAt = crashDueAt(ecs, task);
  if (crashAt !== undefined && now >= crashAt) {
    crash(ecs, task, behaviourOf(ecs, task).crashExitCode!);
    return;
  }
  const verdict = healthVerdict(ecs, task, now);
  const healthy = verdict.status === 'healthy';
  if (healthy !== task.lbHealthy) {
    task.lbHealthy = healthy;
    if (task.owner) ecs.touch(task.owner.serviceArn);
  }
  const service = serviceOf(ecs, task);
  const graceEnds = (task.startedAt ?? now) + seconds(service?.healthCheckGracePeriodSeconds ?? 0);
  if (verdict.status === 'unhealthy' && now >= graceEnds) {
    if (service) addServiceEvent(service, now, verdict.event);
    fail(ecs, task, verdict.reason, 'ServiceSchedulerInitiated');
    return;
  }
  scheduleRunningWake(ecs, task, now);
}

/** Moves a task along PROVISIONING -> PENDING -> RUNNING -> DEPROVISIONING -> STOPPED when its phase is due. */
export function advanceTask(ecs: EcsContext, task: TaskRecord, now: number): void {
  if (now < task.nextAt) return;
  switch (task.lastStatus) {
    case 'PROVISIONING':
      task.lastStatus = 'PENDING';
      task.pullStartedAt = now;
      task.nextAt = now + seconds(ecs.timings.pendingSeconds);
      ecs.wake(task.arn, task.nextAt);
      return;
    case 'PENDING':
      start(ecs, task, now);
      return;
    case 'RUNNING':
      checkRunning(ecs, task, now);
      return;
    case 'DEPROVISIONING':
      task.lastStatus = 'STOPPED';
      task.stoppedAt = now;
      ecs.store.retireTask(task, task.owner?.serviceArn);
      task.nextAt = now + seconds(ecs.timings.stoppedTaskRetentionSeconds);
      ecs.wake(task.arn, task.nextAt);
      if (task.owner) ecs.touch(task.owner.serviceArn);
      return;
    case 'STOPPED':
      ecs.store.purgeTask(task);
      return;
    default:
      return;
  }
}

export function targetProcess(ecs: EcsContext, ip: string, port: number): TargetProcess | undefined {
  const task = ecs.store.tasksByIp.get(ip);
  if (!task) return undefined;
  const definition = ecs.store.taskDefinitionsByArn.get(task.taskDefinitionArn);
  const listens = definition?.body.containerDefinitions.some((c) => c.portMappings?.some((m) => m.containerPort === port || m.hostPort === port));
  if (!listens) return undefined;
  const now = ecs.now();
  const service = serviceOf(ecs, task);
  const behaviour = behaviourOf(ecs, task);
  return {
    taskArn: task.arn,
    clusterArn: ecs.store.clusters.get(task.clusterName)?.arn ?? '',
    ...(service ? { serviceName: service.name } : {}),
    ...(task.owner?.taskSetId ? { taskSetId: task.owner.taskSetId } : {}),
    image: task.image,
    running: task.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING',
    passesHealthCheck: task.desiredStatus === 'RUNNING' && passesHealthCheck(ecs, task, now),
    errorRate: behaviour.errorRate,
    latencyMs: behaviour.latencyMs,
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

export function describeTask(ecs: EcsContext, task: TaskRecord, includeTags: boolean): Task {
  const clusterArn = ecs.store.clusters.get(task.clusterName)?.arn;
  const now = ecs.now();
  const containerHealth = hasContainerHealthCheck(ecs, task) ? (passesHealthCheck(ecs, task, now) ? 'HEALTHY' : 'UNHEALTHY') : 'UNKNOWN';
  const attachmentId = task.id.slice(0, 8) + '-eni';
  return {
    taskArn: task.arn,
    clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    group: task.group,
    ...(task.startedBy ? { startedBy: task.startedBy } : {}),
    ...(task.placement.launchType ? { launchType: task.placement.launchType as Task['launchType'] } : {}),
    ...(task.placement.capacityProviderStrategy?.[0] ? { capacityProviderName: task.placement.capacityProviderStrategy[0].capacityProvider } : {}),
    ...(task.placement.launchType === 'FARGATE' ? { platformVersion: '1.4.0', platformFamily: 'Linux' } : {}),
    cpu: task.cpu,
    memory: task.memory,
    availabilityZone: `${ecs.scope.region}a`,
    connectivity: task.lastStatus === 'STOPPED' ? 'DISCONNECTED' : 'CONNECTED',
    healthStatus: containerHealth,
    attachments: [
      {
        id: attachmentId,
        type: 'ElasticNetworkInterface',
        status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
        details: [
          { name: 'subnetId', value: task.placement.networkConfiguration?.awsvpcConfiguration?.subnets?.[0] ?? 'subnet-sandbox' },
          { name: 'privateIPv4Address', value: task.ip },
        ],
      },
    ],
    containers: task.containers.map((c) => ({
      containerArn: `${task.arn.replace(':task/', ':container/')}/${c.name}`,
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      lastStatus: task.lastStatus === 'STOPPED' || task.lastStatus === 'DEPROVISIONING' ? 'STOPPED' : task.lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
      ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      networkInterfaces: [{ attachmentId, privateIpv4Address: task.ip }],
      healthStatus: containerHealth,
    })),
    createdAt: iso(task.createdAt),
    pullStartedAt: iso(task.pullStartedAt),
    pullStoppedAt: iso(task.pullStoppedAt),
    startedAt: iso(task.startedAt),
    stoppingAt: iso(task.stoppingAt),
    executionStoppedAt: iso(task.executionStoppedAt),
    stoppedAt: iso(task.stoppedAt),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode as Task['stopCode'] } : {}),
    version: lifecycleVersion(task),
    enableExecuteCommand: false,
    ...(includeTags ? { tags: task.tags } : {}),
  };
}

const STATUS_ORDER = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
const lifecycleVersion = (task: TaskRecord) => STATUS_ORDER.indexOf(task.lastStatus) + 1;

/** A task by ARN or id in a cluster. */
export function findTask(ecs: EcsContext, clusterName: string, ref: string): TaskRecord | undefined {
  const id = nameFromArnOrName(ref);
  const task = ecs.store.tasks.get(ref.startsWith('arn:') ? ref : buildTaskArn(ecs.scope, clusterName, id));
  return task?.clusterName === clusterName ? task : undefined;
}

export function taskHandlers(ecs: EcsContext): Handlers {
  return {
    ListTasks: (input: { cluster?: string; serviceName?: string; family?: string; desiredStatus?: string; startedBy?: string; launchType?: string; maxResults?: number; nextToken?: string }) => {
      const cluster = ecs.store.cluster(input.cluster);
      const desiredStatus = input.desiredStatus ?? 'RUNNING';
      if (desiredStatus !== 'RUNNING' && desiredStatus !== 'STOPPED' && desiredStatus !== 'PENDING') throw invalidParameter(`Invalid desiredStatus: ${desiredStatus}`);
      let candidates: Iterable<string>;
      if (input.serviceName !== undefined) {
        const service = ecs.store.services.get(cluster.name)?.get(nameFromArnOrName(input.serviceName));
        if (!service) throw serviceNotFound();
        candidates = desiredStatus === 'STOPPED' ? (ecs.store.tasksByCluster.get(cluster.name) ?? []) : (ecs.store.liveTasksByService.get(service.arn) ?? []);
      } else {
        candidates = ecs.store.tasksByCluster.get(cluster.name) ?? [];
      }
      const group = input.serviceName === undefined ? undefined : `service:${nameFromArnOrName(input.serviceName)}`;
      const arns: string[] = [];
      for (const arn of candidates) {
        const task = ecs.store.tasks.get(arn);
        if (!task) continue;
        const wanted = desiredStatus === 'PENDING' ? task.desiredStatus === 'RUNNING' && task.lastStatus !== 'RUNNING' : task.desiredStatus === desiredStatus;
        if (!wanted) continue;
        if (group !== undefined && task.group !== group) continue;
        if (input.family !== undefined && task.family !== input.family) continue;
        if (input.startedBy !== undefined && task.startedBy !== input.startedBy) continue;
        if (input.launchType !== undefined && task.placement.launchType !== input.launchType) continue;
        arns.push(arn);
      }
      arns.sort();
      const { page, nextToken } = paginate(arns, (arn) => arn, input);
      return { taskArns: page, ...(nextToken ? { nextToken } : {}) };
    },

    DescribeTasks: (input: { cluster?: string; tasks?: string[]; include?: string[] }) => {
      const cluster = ecs.store.cluster(input.cluster);
      if (!input.tasks || input.tasks.length === 0) throw invalidParameter('Tasks cannot be empty.');
      if (input.tasks.length > 100) throw invalidParameter('Tasks can have at most 100 items.');
      const includeTags = input.include?.includes('TAGS') ?? false;
      const tasks: Task[] = [];
      const failures: Array<{ arn: string; reason: string }> = [];
      for (const ref of input.tasks) {
        const task = findTask(ecs, cluster.name, ref);
        if (task) tasks.push(describeTask(ecs, task, includeTags));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : buildTaskArn(ecs.scope, cluster.name, ref), reason: 'MISSING' });
      }
      return { tasks, failures };
    },

    StopTask: (input: { cluster?: string; task?: string; reason?: string }) => {
      const cluster = ecs.store.cluster(input.cluster);
      const task = input.task ? findTask(ecs, cluster.name, input.task) : undefined;
      if (!task) throw invalidParameter('The referenced task was not found.');
      requestStop(ecs, task, input.reason ?? 'Task stopped by user', 'UserInitiated');
      return { task: describeTask(ecs, task, false) };
    },
  };
}
