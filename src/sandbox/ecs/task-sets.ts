import type { CreateTaskSetRequest, TaskSet } from '@aws-sdk/client-ecs';
import type { Handlers } from '../core/service.js';
import { taskSetArn } from './arns.js';
import type { EcsContext } from './context.js';
import { conflict, invalidParameter, taskSetNotFound } from './errors.js';
import type { ServiceRecord, TaskSetRecord } from './model.js';
import { validatePlacement } from './placement.js';
import { newDeploymentId } from './rollout.js';
import { activeService, describeTaskSet } from './services-api.js';
import { parseTags } from './tags.js';
import { usableTaskDefinition } from './task-definitions.js';

interface ScaleInput {
  value?: number;
  unit?: string;
}

function parseScale(scale: ScaleInput | undefined): TaskSetRecord['scale'] {
  const value = scale?.value ?? 100;
  if (scale?.unit !== undefined && scale.unit !== 'PERCENT') throw invalidParameter(`Invalid scale unit: ${scale.unit}`);
  if (typeof value !== 'number' || value < 0 || value > 100) throw invalidParameter('Scale value must be between 0 and 100.');
  return { value, unit: 'PERCENT' };
}

function externalService(ecs: EcsContext, input: { cluster?: string; service?: string }): ServiceRecord {
  const service = activeService(ecs, ecs.store.cluster(input.cluster), input.service);
  if (service.deploymentController.type !== 'EXTERNAL') {
    throw invalidParameter('Amazon ECS task sets can only be managed for services that use the EXTERNAL deployment controller.');
  }
  return service;
}

/** By id (`ecs-svc/123...`) or ARN. */
function lookupTaskSet(service: ServiceRecord, ref: string | undefined): TaskSetRecord | undefined {
  return service.taskSets.find((ts) => ts.id === ref || ts.arn === ref);
}

function findTaskSet(service: ServiceRecord, ref: string | undefined): TaskSetRecord {
  const taskSet = lookupTaskSet(service, ref);
  if (!taskSet) throw taskSetNotFound();
  return taskSet;
}

/** ECS: "up to 36 ASCII characters in the range of 33-126 (inclusive)". */
const CLIENT_TOKEN = /^[\x21-\x7e]{1,36}$/;

/** The request without its token, in a stable form: a retry must carry the same parameters. */
function requestFingerprint(input: CreateTaskSetRequest): string {
  const { clientToken: _token, ...rest } = input;
  return JSON.stringify(sortedKeys(rest));
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, v]) => [key, sortedKeys(v)]));
}

/**
 * ECS idempotency: a retry with the same client token and the same parameters returns the task set the first
 * request created, without creating another; the same token with other parameters is a ConflictException (as ECS
 * answers for RunTask). A token is remembered as long as its task set exists (DRAINING included).
 */
function earlierRequest(service: ServiceRecord, input: CreateTaskSetRequest): TaskSetRecord | undefined {
  if (input.clientToken === undefined) return undefined;
  if (!CLIENT_TOKEN.test(input.clientToken)) throw invalidParameter('The client token must be 1-36 ASCII characters in the range 33-126.');
  const earlier = service.taskSets.find((ts) => ts.clientToken?.token === input.clientToken);
  if (earlier && earlier.clientToken?.request !== requestFingerprint(input)) {
    throw conflict('The client token was already used for a CreateTaskSet request with different parameters.');
  }
  return earlier;
}

export function createTaskSet(ecs: EcsContext, input: CreateTaskSetRequest): { service: ServiceRecord; taskSet: TaskSetRecord } {
  const service = externalService(ecs, input);
  const earlier = earlierRequest(service, input);
  if (earlier) return { service, taskSet: earlier };
  if (!input.taskDefinition) throw invalidParameter('TaskDefinition is required.');
  const definition = usableTaskDefinition(ecs, input.taskDefinition);
  if ((input.loadBalancers?.length ?? 0) > 1) throw invalidParameter('A task set supports at most one load balancer target group.');
  const placement = validatePlacement(ecs, definition, input);
  const now = ecs.now();
  const id = newDeploymentId();
  const taskSet: TaskSetRecord = {
    id,
    arn: taskSetArn(ecs.scope, service.clusterName, service.name, id),
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    status: 'ACTIVE',
    ...(input.clientToken !== undefined ? { clientToken: { token: input.clientToken, request: requestFingerprint(input) } } : {}),
    taskDefinitionArn: definition.arn,
    scale: parseScale(input.scale),
    serviceRegistries: input.serviceRegistries ?? [],
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
    createdAt: now,
    updatedAt: now,
    tags: parseTags(input.tags),
    ...placement,
  };
  service.taskSets.push(taskSet);
  service.steadyReported = false;
  ecs.touch(service.arn);
  return { service, taskSet };
}

export function taskSetHandlers(ecs: EcsContext): Handlers {
  const respond = (service: ServiceRecord, taskSet: TaskSetRecord): { taskSet: TaskSet } => ({ taskSet: describeTaskSet(ecs, service, taskSet, false) });
  return {
    CreateTaskSet: (input: CreateTaskSetRequest) => {
      const { service, taskSet } = createTaskSet(ecs, input);
      return { taskSet: describeTaskSet(ecs, service, taskSet, true) };
    },

    UpdateTaskSet: (input: { cluster?: string; service?: string; taskSet?: string; scale?: ScaleInput }) => {
      const service = externalService(ecs, input);
      const taskSet = findTaskSet(service, input.taskSet);
      if (input.scale === undefined) throw invalidParameter('Scale is required.');
      taskSet.scale = parseScale(input.scale);
      taskSet.updatedAt = ecs.now();
      service.steadyReported = false;
      ecs.touch(service.arn);
      return respond(service, taskSet);
    },

    UpdateServicePrimaryTaskSet: (input: { cluster?: string; service?: string; primaryTaskSet?: string }) => {
      const service = externalService(ecs, input);
      const taskSet = findTaskSet(service, input.primaryTaskSet);
      if (taskSet.status === 'DRAINING') throw invalidParameter('A DRAINING task set cannot be made primary.');
      for (const other of service.taskSets) if (other.status === 'PRIMARY') other.status = 'ACTIVE';
      taskSet.status = 'PRIMARY';
      taskSet.updatedAt = ecs.now();
      ecs.touch(service.arn);
      return respond(service, taskSet);
    },

    DeleteTaskSet: (input: { cluster?: string; service?: string; taskSet?: string; force?: boolean }) => {
      const service = externalService(ecs, input);
      const taskSet = findTaskSet(service, input.taskSet);
      if (!input.force && taskSet.scale.value > 0) {
        throw invalidParameter('The task set cannot be deleted while it is scaled above 0. Scale it to 0 or use force.');
      }
      taskSet.status = 'DRAINING';
      taskSet.updatedAt = ecs.now();
      ecs.touch(service.arn);
      return respond(service, taskSet);
    },

    DescribeTaskSets: (input: { cluster?: string; service?: string; taskSets?: string[]; include?: string[] }) => {
      const service = externalService(ecs, input);
      const includeTags = input.include?.includes('TAGS') ?? false;
      const failures: Array<{ arn: string; reason: string }> = [];
      const wanted = input.taskSets === undefined ? service.taskSets : input.taskSets.flatMap((ref) => {
        const found = lookupTaskSet(service, ref);
        if (!found) failures.push({ arn: ref, reason: 'MISSING' });
        return found ? [found] : [];
      });
      return { taskSets: wanted.map((ts) => describeTaskSet(ecs, service, ts, includeTags)), failures };
    },
  };
}
