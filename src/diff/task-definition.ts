import { READ_ONLY_TASK_DEFINITION_FIELDS } from '../manifest/schema.js';
import { dropDefault, fillDefault, isRecord, prune, sortByFields, sortStrings, toNumber, withoutFields } from './json.js';
import type { JsonRecord } from './json.js';
import { normalizeRoleArn } from './references.js';
import type { NormalizeContext } from './references.js';

/** A task definition in RegisterTaskDefinition input shape, with every equivalent spelling reduced to one. */
export type CanonicalTaskDefinition = JsonRecord & { family: string; containerDefinitions: JsonRecord[] };

/** Describe-only fields beyond the ones the manifest schema tolerates (ECS added deletion after the schema list). */
const DESCRIBE_ONLY_FIELDS = [...READ_ONLY_TASK_DEFINITION_FIELDS, 'deleteRequestedAt'];

/** Tags the controller itself puts on resources; they never count as a content difference. */
export const CONTROLLER_TAG_PREFIX = 'ecs-reconciler:';

const CONTAINER_NUMBER_FIELDS = ['cpu', 'memory', 'memoryReservation', 'startTimeout', 'stopTimeout'];

/**
 * Normalizes a task definition from either side: the manifest's `spec.taskDefinition`, or DescribeTaskDefinition's
 * `taskDefinition` (with the describe's `tags` put under `tags`). Applying the result and describing it again
 * normalizes to the same value. Each rule names the perpetual diff it prevents (see docs/reconcile.md).
 */
export function normalizeTaskDefinition(input: JsonRecord, context: NormalizeContext = {}): CanonicalTaskDefinition {
  const td = withoutFields(input, DESCRIBE_ONLY_FIELDS);
  const networkMode = td.networkMode ?? 'bridge';
  // awsvpc and host modes publish the container port itself; ECS fills hostPort in on describe.
  const hostPortIsContainerPort = networkMode === 'awsvpc' || networkMode === 'host';
  td.cpu = taskCpu(td.cpu);
  td.memory = taskMemory(td.memory);
  dropDefault(td, 'networkMode', 'bridge');
  dropDefault(td, 'enableFaultInjection', false);
  td.taskRoleArn = normalizeRoleArn(td.taskRoleArn, context);
  td.executionRoleArn = normalizeRoleArn(td.executionRoleArn, context);
  td.requiresCompatibilities = sortStrings(td.requiresCompatibilities as unknown[] | undefined);
  td.placementConstraints = sortByFields(td.placementConstraints as unknown[] | undefined, 'type', 'expression');
  td.volumes = sortByFields(asRecords(td.volumes).map(normalizeVolume), 'name');
  td.inferenceAccelerators = sortByFields(td.inferenceAccelerators as unknown[] | undefined, 'deviceName');
  td.tags = sortByFields(
    asRecords(td.tags).filter((tag) => !String(tag.key ?? '').startsWith(CONTROLLER_TAG_PREFIX)),
    'key',
  );
  if (isRecord(td.proxyConfiguration)) {
    td.proxyConfiguration = { ...td.proxyConfiguration, properties: sortByFields(td.proxyConfiguration.properties as unknown[] | undefined, 'name') };
  }
  td.containerDefinitions = sortByFields(
    asRecords(td.containerDefinitions).map((container) => normalizeContainer(container, hostPortIsContainerPort)),
    'name',
  );
  return (prune(td) ?? {}) as CanonicalTaskDefinition;
}

function normalizeContainer(input: JsonRecord, hostPortIsContainerPort: boolean): JsonRecord {
  const container = { ...input };
  for (const field of CONTAINER_NUMBER_FIELDS) container[field] = toNumber(container[field]);
  fillDefault(container, 'essential', true);
  dropDefault(container, 'cpu', 0);
  dropDefault(container, 'versionConsistency', 'enabled');
  container.portMappings = sortByFields(
    asRecords(container.portMappings).map((mapping) => normalizePortMapping(mapping, hostPortIsContainerPort)),
    'containerPort',
    'protocol',
    'containerPortRange',
  );
  container.environment = sortByFields(container.environment as unknown[] | undefined, 'name');
  container.secrets = sortByFields(container.secrets as unknown[] | undefined, 'name');
  container.mountPoints = sortByFields(asRecords(container.mountPoints).map(withoutFalse('readOnly')), 'sourceVolume', 'containerPath');
  container.volumesFrom = sortByFields(asRecords(container.volumesFrom).map(withoutFalse('readOnly')), 'sourceContainer');
  container.ulimits = sortByFields(container.ulimits as unknown[] | undefined, 'name');
  container.systemControls = sortByFields(container.systemControls as unknown[] | undefined, 'namespace');
  container.extraHosts = sortByFields(container.extraHosts as unknown[] | undefined, 'hostname', 'ipAddress');
  container.dependsOn = sortByFields(container.dependsOn as unknown[] | undefined, 'containerName');
  container.resourceRequirements = sortByFields(container.resourceRequirements as unknown[] | undefined, 'type');
  if (isRecord(container.healthCheck)) container.healthCheck = normalizeHealthCheck(container.healthCheck);
  if (isRecord(container.logConfiguration)) {
    container.logConfiguration = {
      ...container.logConfiguration,
      secretOptions: sortByFields(container.logConfiguration.secretOptions as unknown[] | undefined, 'name'),
    };
  }
  if (isRecord(container.linuxParameters) && isRecord(container.linuxParameters.capabilities)) {
    const { add, drop } = container.linuxParameters.capabilities;
    container.linuxParameters = {
      ...container.linuxParameters,
      capabilities: { add: sortStrings(add as unknown[] | undefined), drop: sortStrings(drop as unknown[] | undefined) },
    };
  }
  return container;
}

function normalizePortMapping(input: JsonRecord, hostPortIsContainerPort: boolean): JsonRecord {
  const mapping = { ...input, containerPort: toNumber(input.containerPort), hostPort: toNumber(input.hostPort) };
  dropDefault(mapping, 'protocol', 'tcp');
  dropDefault(mapping, 'hostPort', 0);
  if (hostPortIsContainerPort && mapping.hostPort === undefined && mapping.containerPort !== undefined) mapping.hostPort = mapping.containerPort;
  return mapping;
}

function normalizeHealthCheck(input: JsonRecord): JsonRecord {
  const check = { ...input };
  for (const field of ['interval', 'timeout', 'retries', 'startPeriod']) check[field] = toNumber(check[field]);
  fillDefault(check, 'interval', 30);
  fillDefault(check, 'timeout', 5);
  fillDefault(check, 'retries', 3);
  dropDefault(check, 'startPeriod', 0);
  return check;
}

function normalizeVolume(input: JsonRecord): JsonRecord {
  const volume = { ...input };
  dropDefault(volume, 'configuredAtLaunch', false);
  if (isRecord(volume.efsVolumeConfiguration)) {
    const efs = { ...volume.efsVolumeConfiguration };
    dropDefault(efs, 'rootDirectory', '/');
    dropDefault(efs, 'transitEncryption', 'DISABLED');
    volume.efsVolumeConfiguration = efs;
  }
  return volume;
}

function withoutFalse(field: string) {
  return (record: JsonRecord): JsonRecord => {
    const copy = { ...record };
    dropDefault(copy, field, false);
    return copy;
  };
}

function asRecords(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const CPU_UNITS_PER_VCPU = 1024;
const MIB_PER_GB = 1024;

/** Task cpu as AWS stores it: a string of CPU units ("1 vCPU" and 1024 both become "1024"). */
export function taskCpu(value: unknown): string | undefined {
  return unitString(value, /^([\d.]+)\s*vcpu$/i, CPU_UNITS_PER_VCPU, 'cpu');
}

/** Task memory as AWS stores it: a string of MiB ("2 GB" and 2048 both become "2048"). */
export function taskMemory(value: unknown): string | undefined {
  return unitString(value, /^([\d.]+)\s*gb$/i, MIB_PER_GB, 'memory');
}

function unitString(value: unknown, scaled: RegExp, factor: number, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  const match = scaled.exec(text);
  if (match?.[1] !== undefined) return String(Math.round(Number(match[1]) * factor));
  if (/^\d+$/.test(text)) return String(Number(text));
  throw new Error(`invalid task ${what} "${text}": expected a number or a value like ${what === 'cpu' ? '"1 vCPU"' : '"2 GB"'}`);
}
