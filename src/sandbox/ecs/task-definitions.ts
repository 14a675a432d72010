import type { ContainerDefinition, KeyValuePair, PortMapping, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Handlers } from '../core/service.js';
import { parseEcsArn, taskDefinitionArn } from './arns.js';
import type { EcsContext } from './context.js';
import { clientException, invalidParameter } from './errors.js';
import { isValidFargateSize, normalizeCpu, normalizeMemory } from './fargate.js';
import type { TaskDefinitionRecord } from './model.js';
import { paginate } from './pagination.js';
import { parseTags } from './tags.js';

type RegisterInput = TaskDefinition & { tags?: unknown };

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
/** Container fields AWS always returns as a list, empty when not given. */
const CONTAINER_LIST_DEFAULTS = ['portMappings', 'environment', 'mountPoints', 'volumesFrom', 'systemControls'] as const;

function withContainerDefaults(container: ContainerDefinition, networkMode: string | undefined): ContainerDefinition {
  const filled: ContainerDefinition = { ...container, cpu: container.cpu ?? 0, essential: container.essential ?? true };
  for (const key of CONTAINER_LIST_DEFAULTS) {
    (filled as Record<string, unknown>)[key] = container[key] ?? [];
  }
  filled.portMappings = (container.portMappings ?? []).map((mapping): PortMapping => ({
    ...mapping,
    ...(networkMode === 'awsvpc' && mapping.containerPort !== undefined ? { hostPort: mapping.hostPort ?? mapping.containerPort } : {}),
    protocol: mapping.protocol ?? 'tcp',
  }));
  if (container.healthCheck) {
    filled.healthCheck = { interval: 30, timeout: 5, retries: 3, ...container.healthCheck };
  }
  return filled;
}

function validateContainers(input: RegisterInput): ContainerDefinition[] {
  const containers = input.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw clientException('Container list cannot be empty.');
  const names = new Set<string>();
  for (const container of containers) {
    if (!container.name) throw clientException('Container.name should not be null or empty.');
    if (!container.image) throw clientException('Container.image should not be null or empty.');
    if (names.has(container.name)) throw clientException(`Duplicate container name found: ${container.name}.`);
    names.add(container.name);
    if (input.memory === undefined && container.memory === undefined && container.memoryReservation === undefined) {
      throw clientException(`Invalid setting for container '${container.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    }
    if (input.networkMode === 'awsvpc') {
      for (const mapping of container.portMappings ?? []) {
        if (mapping.hostPort !== undefined && mapping.hostPort !== mapping.containerPort) {
          throw clientException('When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
        }
      }
    }
  }
  if (!containers.some((c) => c.essential ?? true)) throw clientException('Task definition must have at least one essential container.');
  return containers;
}

function normalizedSize(value: string | undefined, normalize: (v: string) => string | undefined, field: 'cpu' | 'memory'): string | undefined {
  if (value === undefined) return undefined;
  const normalized = normalize(String(value));
  if (normalized === undefined) throw clientException(`Invalid '${field}' setting for task.`);
  return normalized;
}

function fargateCompatible(networkMode: string | undefined, cpu: string | undefined, memory: string | undefined): boolean {
  return networkMode === 'awsvpc' && cpu !== undefined && memory !== undefined && isValidFargateSize(Number(cpu), Number(memory));
}

function validateFargate(input: RegisterInput, cpu: string | undefined, memory: string | undefined): void {
  if (!input.requiresCompatibilities?.includes('FARGATE')) return;
  if (input.networkMode !== 'awsvpc') throw clientException("Fargate only supports network mode 'awsvpc'.");
  if (cpu === undefined) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
  if (memory === undefined) throw clientException("Fargate requires that 'memory' be defined at the task level.");
  if (!isValidFargateSize(Number(cpu), Number(memory))) {
    throw clientException(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`);
  }
  const usesAwslogs = input.containerDefinitions?.some((c) => c.logConfiguration?.logDriver === 'awslogs');
  if (usesAwslogs && !input.executionRoleArn) throw clientException('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
}

/** The platform attributes AWS derives from what the task definition uses. */
function requiresAttributes(input: RegisterInput): Array<{ name: string }> {
  const names = new Set<string>();
  const containers = input.containerDefinitions ?? [];
  const hasExecutionRole = input.executionRoleArn !== undefined;
  if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
    names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
    if (hasExecutionRole) names.add('ecs.capability.execution-role-awslogs');
  }
  if (containers.some((c) => /\.dkr\.ecr\./.test(c.image ?? ''))) {
    names.add('com.amazonaws.ecs.capability.ecr-auth');
    if (hasExecutionRole) names.add('ecs.capability.execution-role-ecr-pull');
  }
  if (input.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
  if (input.networkMode === 'awsvpc') {
    names.add('com.amazonaws.ecs.capability.docker-remote-api.1.18');
    names.add('ecs.capability.task-eni');
  }
  const secrets = containers.flatMap((c) => c.secrets ?? []);
  if (secrets.some((s) => s.valueFrom?.includes(':secretsmanager:'))) names.add('ecs.capability.secrets.asm.environment-variables');
  if (secrets.some((s) => !s.valueFrom?.includes(':secretsmanager:'))) names.add('ecs.capability.secrets.ssm.environment-variables');
  if (containers.some((c) => c.healthCheck)) names.add('ecs.capability.container-health-check');
  return [...names].map((name) => ({ name }));
}

function compatibilities(networkMode: string | undefined, cpu: string | undefined, memory: string | undefined): Array<'EC2' | 'EXTERNAL' | 'FARGATE'> {
  const result: Array<'EC2' | 'EXTERNAL' | 'FARGATE'> = networkMode === 'awsvpc' ? ['EC2'] : ['EXTERNAL', 'EC2'];
  if (fargateCompatible(networkMode, cpu, memory)) result.push('FARGATE');
  return result;
}

export function registerTaskDefinition(ecs: EcsContext, input: RegisterInput): TaskDefinitionRecord {
  if (!input.family || !FAMILY.test(input.family)) {
    throw clientException('Family contains invalid characters: only letters, numbers, hyphens and underscores, up to 255.');
  }
  const containers = validateContainers(input);
  const cpu = normalizedSize(input.cpu, normalizeCpu, 'cpu');
  const memory = normalizedSize(input.memory, normalizeMemory, 'memory');
  validateFargate(input, cpu, memory);
  const tags = parseTags(input.tags);
  const revisions = ecs.store.families.get(input.family) ?? [];
  const revision = revisions.length + 1;
  const now = ecs.now();
  const arn = taskDefinitionArn(ecs.scope, input.family, revision);
  const { tags: _tags, ...definition } = input;
  const body: TaskDefinitionRecord['body'] = {
    ...definition,
    taskDefinitionArn: arn,
    containerDefinitions: containers.map((c) => withContainerDefaults(c, input.networkMode)),
    family: input.family,
    revision,
    volumes: input.volumes ?? [],
    placementConstraints: input.placementConstraints ?? [],
    requiresAttributes: requiresAttributes(input),
    compatibilities: compatibilities(input.networkMode, cpu, memory),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    registeredBy: `arn:aws:iam::${ecs.scope.accountId}:root`,
  };
  const record: TaskDefinitionRecord = { arn, family: input.family, revision, body, status: 'ACTIVE', registeredAt: now, tags };
  revisions.push(record);
  ecs.store.families.set(input.family, revisions);
  ecs.store.taskDefinitionsByArn.set(arn, record);
  return record;
}

/** `family`, `family:revision` or a full ARN; a bare family resolves to its latest ACTIVE revision. */
export function findTaskDefinition(ecs: EcsContext, ref: string | undefined): TaskDefinitionRecord | undefined {
  if (!ref) return undefined;
  if (ref.startsWith('arn:')) {
    const parsed = parseEcsArn(ref);
    if (parsed?.type !== 'task-definition') return undefined;
    return findTaskDefinition(ecs, parsed.path.join('/'));
  }
  const [family, revision] = ref.split(':');
  const revisions = ecs.store.families.get(family ?? '');
  if (!revisions) return undefined;
  if (revision === undefined) return revisions.findLast((r) => r.status === 'ACTIVE');
  return /^\d+$/.test(revision) ? revisions[Number(revision) - 1] : undefined;
}

/** A task definition a service or task may use: it must exist and be ACTIVE. */
export function usableTaskDefinition(ecs: EcsContext, ref: string | undefined): TaskDefinitionRecord {
  const found = findTaskDefinition(ecs, ref);
  if (!found) throw clientException('Unable to describe task definition.');
  if (found.status !== 'ACTIVE') throw clientException(`TaskDefinition is inactive`);
  return found;
}

export function describeTaskDefinitionBody(record: TaskDefinitionRecord): TaskDefinition {
  return {
    ...record.body,
    status: record.status,
    registeredAt: new Date(record.registeredAt),
    ...(record.deregisteredAt !== undefined ? { deregisteredAt: new Date(record.deregisteredAt) } : {}),
  };
}

function tagsFor(record: TaskDefinitionRecord, include: string[] | undefined): { tags?: KeyValuePair[] } {
  return include?.includes('TAGS') ? { tags: record.tags } : {};
}

export function taskDefinitionHandlers(ecs: EcsContext): Handlers {
  return {
    RegisterTaskDefinition: (input: RegisterInput) => {
      const record = registerTaskDefinition(ecs, input);
      return { taskDefinition: describeTaskDefinitionBody(record), tags: record.tags };
    },

    DescribeTaskDefinition: (input: { taskDefinition?: string; include?: string[] }) => {
      const record = findTaskDefinition(ecs, input.taskDefinition);
      if (!record || ecs.hiddenByConsistency(record.registeredAt)) throw clientException('Unable to describe task definition.');
      return { taskDefinition: describeTaskDefinitionBody(record), ...tagsFor(record, input.include) };
    },

    DeregisterTaskDefinition: (input: { taskDefinition?: string }) => {
      const ref = input.taskDefinition ?? '';
      const named = ref.startsWith('arn:') ? (parseEcsArn(ref)?.path.join('/') ?? '') : ref;
      if (!/:\d+$/.test(named)) throw clientException('Invalid revision number. Number: ' + (named.split(':')[1] ?? ''));
      const record = findTaskDefinition(ecs, ref);
      if (!record) throw clientException('The specified task definition does not exist.');
      if (record.status === 'ACTIVE') {
        record.status = 'INACTIVE';
        record.deregisteredAt = ecs.now();
      }
      return { taskDefinition: describeTaskDefinitionBody(record) };
    },

    ListTaskDefinitions: (input: { familyPrefix?: string; status?: string; sort?: string; maxResults?: number; nextToken?: string }) => {
      const status = input.status ?? 'ACTIVE';
      if (!['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'].includes(status)) throw invalidParameter(`Invalid status: ${status}`);
      const descending = input.sort === 'DESC';
      const records: TaskDefinitionRecord[] = [];
      for (const [family, revisions] of ecs.store.families) {
        if (input.familyPrefix !== undefined && !family.startsWith(input.familyPrefix)) continue;
        for (const record of revisions) {
          if (record.status === status && !ecs.hiddenByConsistency(record.registeredAt)) records.push(record);
        }
      }
      const sortKey = (r: TaskDefinitionRecord) => `${r.family}:${String(r.revision).padStart(10, '0')}`;
      records.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      if (descending) records.reverse();
      const { page, nextToken } = paginate(records, sortKey, input, { descending });
      return { taskDefinitionArns: page.map((r) => r.arn), ...(nextToken ? { nextToken } : {}) };
    },

    ListTaskDefinitionFamilies: (input: { familyPrefix?: string; status?: string; maxResults?: number; nextToken?: string }) => {
      const status = input.status ?? 'ACTIVE';
      const families = [...ecs.store.families]
        .filter(([family, revisions]) => {
          if (input.familyPrefix !== undefined && !family.startsWith(input.familyPrefix)) return false;
          const active = revisions.some((r) => r.status === 'ACTIVE');
          return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
        })
        .map(([family]) => family)
        .sort();
      const { page, nextToken } = paginate(families, (f) => f, input);
      return { families: page, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
