import { describe, expect, it } from 'vitest';
import { diffValues, normalizeTaskDefinition, taskCpu, taskMemory } from '../../../src/diff/index.js';
import type { JsonRecord } from '../../../src/diff/index.js';

const base = (container: JsonRecord = {}, task: JsonRecord = {}): JsonRecord => ({
  family: 'web',
  networkMode: 'awsvpc',
  containerDefinitions: [{ name: 'app', image: 'repo/app:1', ...container }],
  ...task,
});

const same = (a: JsonRecord, b: JsonRecord, context = {}) =>
  expect(diffValues(normalizeTaskDefinition(a, context), normalizeTaskDefinition(b, context))).toEqual([]);

/**
 * One row per known perpetual diff: the manifest's spelling, what describe-task-definition returns, and where
 * the case is documented (terraform-provider-aws containerDefinitions.reduce(), ecspresso's diff normalization).
 */
const equivalentTaskDefinitions: [string, JsonRecord, JsonRecord][] = [
  ['essential defaults to true (terraform reduce)', base(), base({ essential: true })],
  ['container cpu 0 equals absent (ecspresso)', base(), base({ cpu: 0 })],
  ['portMappings protocol tcp is the default (terraform reduce)', base({ portMappings: [{ containerPort: 80 }] }), base({ portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }] })],
  ['awsvpc hostPort equals containerPort (terraform reduce, ecspresso)', base({ portMappings: [{ containerPort: 8080 }] }), base({ portMappings: [{ containerPort: 8080, hostPort: 8080 }] })],
  ['host network mode hostPort equals containerPort', base({ portMappings: [{ containerPort: 8080 }] }, { networkMode: 'host' }), base({ portMappings: [{ containerPort: 8080, hostPort: 8080 }] }, { networkMode: 'host' })],
  ['bridge hostPort 0 is dynamic, same as absent (terraform reduce)', base({ portMappings: [{ containerPort: 80 }] }, { networkMode: 'bridge' }), base({ portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }] }, { networkMode: 'bridge' })],
  ['networkMode bridge is the default', base({}, { networkMode: undefined }), base({}, { networkMode: 'bridge' })],
  [
    'healthCheck defaults interval 30, timeout 5, retries 3 (terraform reduce)',
    base({ healthCheck: { command: ['CMD', 'true'] } }),
    base({ healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 } }),
  ],
  ['healthCheck startPeriod 0 equals absent', base({ healthCheck: { command: ['CMD', 'true'] } }), base({ healthCheck: { command: ['CMD', 'true'], startPeriod: 0 } })],
  ...(
    [
      'command',
      'credentialSpecs',
      'dependsOn',
      'dnsSearchDomains',
      'dnsServers',
      'dockerSecurityOptions',
      'entryPoint',
      'environment',
      'environmentFiles',
      'extraHosts',
      'links',
      'mountPoints',
      'portMappings',
      'resourceRequirements',
      'secrets',
      'systemControls',
      'ulimits',
      'volumesFrom',
    ] as const
  ).map((field): [string, JsonRecord, JsonRecord] => [`empty container ${field} equals absent (terraform reduce)`, base(), base({ [field]: [] })]),
  ...(['volumes', 'placementConstraints', 'requiresCompatibilities', 'inferenceAccelerators'] as const).map(
    (field): [string, JsonRecord, JsonRecord] => [`empty task ${field} equals absent (ecspresso)`, base(), base({}, { [field]: [] })],
  ),
  ['empty dockerLabels map equals absent', base(), base({ dockerLabels: {} })],
  ['null equals absent (ecspresso)', base({ user: null }), base()],
  [
    'read-only describe fields are dropped (ecspresso, schema)',
    base(),
    base(
      {},
      {
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
        revision: 7,
        status: 'ACTIVE',
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: '2026-01-01T00:00:00.000Z',
        registeredBy: 'arn:aws:iam::123456789012:user/ci',
        deregisteredAt: '2026-01-02T00:00:00.000Z',
        deleteRequestedAt: '2026-01-03T00:00:00.000Z',
      },
    ),
  ],
  [
    'environment order does not matter (terraform orderEnvironmentVariables, ecspresso)',
    base({ environment: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }),
    base({ environment: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }),
  ],
  [
    'secrets order does not matter (terraform orderSecrets, ecspresso)',
    base({ secrets: [{ name: 'Z', valueFrom: 'z' }, { name: 'A', valueFrom: 'a' }] }),
    base({ secrets: [{ name: 'A', valueFrom: 'a' }, { name: 'Z', valueFrom: 'z' }] }),
  ],
  [
    'portMappings order does not matter (ecspresso)',
    base({ portMappings: [{ containerPort: 9090 }, { containerPort: 8080 }] }),
    base({ portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }, { containerPort: 9090, hostPort: 9090, protocol: 'tcp' }] }),
  ],
  [
    'mountPoints order does not matter and readOnly false is the default (ecspresso)',
    base({ mountPoints: [{ sourceVolume: 'b', containerPath: '/b' }, { sourceVolume: 'a', containerPath: '/a' }] }),
    base({ mountPoints: [{ sourceVolume: 'a', containerPath: '/a', readOnly: false }, { sourceVolume: 'b', containerPath: '/b', readOnly: false }] }),
  ],
  [
    'volumesFrom order does not matter (ecspresso)',
    base({ volumesFrom: [{ sourceContainer: 'y' }, { sourceContainer: 'x' }] }),
    base({ volumesFrom: [{ sourceContainer: 'x', readOnly: false }, { sourceContainer: 'y' }] }),
  ],
  [
    'ulimits order does not matter',
    base({ ulimits: [{ name: 'nproc', softLimit: 1, hardLimit: 2 }, { name: 'nofile', softLimit: 3, hardLimit: 4 }] }),
    base({ ulimits: [{ name: 'nofile', softLimit: 3, hardLimit: 4 }, { name: 'nproc', softLimit: 1, hardLimit: 2 }] }),
  ],
  [
    'containers are keyed by name, not position (terraform orderContainers, ecspresso)',
    { family: 'web', containerDefinitions: [{ name: 'sidecar', image: 's' }, { name: 'app', image: 'a' }] },
    { family: 'web', containerDefinitions: [{ name: 'app', image: 'a' }, { name: 'sidecar', image: 's' }] },
  ],
  ['requiresCompatibilities order does not matter (ecspresso)', base({}, { requiresCompatibilities: ['FARGATE', 'EC2'] }), base({}, { requiresCompatibilities: ['EC2', 'FARGATE'] })],
  [
    'volumes keyed by name; empty host {} of a bind mount equals absent',
    base({}, { volumes: [{ name: 'b' }, { name: 'a' }] }),
    base({}, { volumes: [{ name: 'a', host: {} }, { name: 'b', host: {} }] }),
  ],
  ['task cpu "1 vCPU" is "1024" (ecspresso toNumberCPU)', base({}, { cpu: '1 vCPU' }), base({}, { cpu: '1024' })],
  ['task cpu ".25 vCPU" is "256"', base({}, { cpu: '0.25 vCPU' }), base({}, { cpu: '256' })],
  ['task memory "2 GB" is "2048" (ecspresso toNumberMemory)', base({}, { memory: '2 GB' }), base({}, { memory: '2048' })],
  ['task cpu given as a number is its string', base({}, { cpu: 512 }), base({}, { cpu: '512' })],
  ['container numbers given as numeric strings (AWS coerces)', base({ memory: '512', portMappings: [{ containerPort: '80' }] }), base({ memory: 512, portMappings: [{ containerPort: 80, hostPort: 80 }] })],
  [
    'role name equals its ARN in the same account',
    base({}, { executionRoleArn: 'ecsTaskExecutionRole' }),
    base({}, { executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole' }),
  ],
  ['enableFaultInjection false is the default', base(), base({}, { enableFaultInjection: false })],
  ['versionConsistency enabled is the default', base(), base({ versionConsistency: 'enabled' })],
  [
    'controller tags are not content',
    base({}, { tags: [{ key: 'team', value: 'a' }] }),
    base({}, { tags: [{ key: 'team', value: 'a' }, { key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' }] }),
  ],
  [
    'EFS rootDirectory "/" and transitEncryption DISABLED are defaults',
    base({}, { volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-01234567' } }] }),
    base({}, { volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-01234567', rootDirectory: '/', transitEncryption: 'DISABLED' } }] }),
  ],
];

const differentTaskDefinitions: [string, JsonRecord, JsonRecord, string][] = [
  ['a new image', base({ image: 'repo/app:2' }), base(), 'containerDefinitions[0].image'],
  ['essential false', base({ essential: false }), base(), 'containerDefinitions[0].essential'],
  ['bridge hostPort pinned', base({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }, { networkMode: 'bridge' }), base({ portMappings: [{ containerPort: 80 }] }, { networkMode: 'bridge' }), 'containerDefinitions[0].portMappings[0].hostPort'],
  ['udp protocol', base({ portMappings: [{ containerPort: 53, protocol: 'udp' }] }), base({ portMappings: [{ containerPort: 53 }] }), 'containerDefinitions[0].portMappings[0].protocol'],
  ['an environment value', base({ environment: [{ name: 'A', value: '2' }] }), base({ environment: [{ name: 'A', value: '1' }] }), 'containerDefinitions[0].environment[0].value'],
  ['task memory', base({}, { memory: '4 GB' }), base({}, { memory: '2048' }), 'memory'],
];

describe('task definition normalization: no false differences', () => {
  it.each(equivalentTaskDefinitions)('%s', (_case, desired, observed) => {
    same(desired, observed, { accountId: '123456789012', partition: 'aws' });
  });
});

describe('task definition normalization keeps real differences', () => {
  it.each(differentTaskDefinitions)('%s', (_case, desired, observed, field) => {
    const changes = diffValues(normalizeTaskDefinition(desired), normalizeTaskDefinition(observed));
    expect(changes.map((c) => c.path.join('.').replace(/\.(\d+)/g, '[$1]'))).toEqual([field]);
  });

  it('keeps the role name as it is when the account is unknown', () => {
    expect(normalizeTaskDefinition(base({}, { taskRoleArn: 'app' })).taskRoleArn).toBe('app');
  });
});

describe('task size units', () => {
  it.each([
    ['1 vCPU', '1024'],
    ['2 vcpu', '2048'],
    ['0.5 vCPU', '512'],
    ['256', '256'],
    [4096, '4096'],
  ])('cpu %j -> %s', (input, expected) => expect(taskCpu(input)).toBe(expected));

  it.each([
    ['2 GB', '2048'],
    ['0.5 GB', '512'],
    ['30gb', '30720'],
    ['1024', '1024'],
  ])('memory %j -> %s', (input, expected) => expect(taskMemory(input)).toBe(expected));

  it('rejects an unknown unit with a clear error', () => {
    expect(() => taskMemory('2 TB')).toThrow(/invalid task memory "2 TB"/);
  });
});
