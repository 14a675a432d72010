import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { CallRecorder } from '../../../src/apply/index.js';
import { hasDifferences, hasFailures, reconcileAll, reconcileService } from '../../../src/reconcile/index.js';
import { fakeEcsAccount } from './fake-ecs.js';

function manifest(name: string, image = `${name}:1.0.0`, desiredCount = 2): string {
  return `apiVersion: ecs-reconciler/v1
kind: Service
metadata: {name: ${name}}
spec:
  cluster: demo
  desiredCount: ${desiredCount}
  launchType: FARGATE
  networkConfiguration: {awsvpcConfiguration: {subnets: [subnet-0a1b2c3d4e5f60001], securityGroups: [sg-0123456789abcdef0]}}
  taskDefinition:
    family: ${name}
    cpu: "256"
    memory: "512"
    networkMode: awsvpc
    requiresCompatibilities: [FARGATE]
    executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
    containerDefinitions:
      - {name: app, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/${image}"}
`;
}

const dirs: string[] = [];
async function desiredState(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reconcile-unit-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const noWait = { attempts: 3, delayMs: 1000, sleep: async () => {} };

describe('reconcileAll', () => {
  it('creates what is missing, reads it back in sync, and a second pass changes nothing', async () => {
    const fake = fakeEcsAccount();
    const dir = await desiredState({ 'api.yaml': manifest('api') });
    const first = await reconcileAll({ dir, clients: fake.clients, options: { readBack: noWait } });
    expect(first.services.map((s) => [s.key, s.status])).toEqual([['demo/api', 'changed']]);
    expect(fake.operations()).toEqual(['DescribeServices', 'ListTaskDefinitions', 'RegisterTaskDefinition', 'CreateService', 'DescribeServices', 'DescribeTaskDefinition']);

    const recorder = new CallRecorder();
    fake.ecs.resetHistory();
    const second = await reconcileAll({ dir, clients: fake.clients, calls: recorder, options: { readBack: noWait } });
    expect(second.services.map((s) => s.status)).toEqual(['in-sync']);
    expect(fake.operations().every((operation) => /^(Describe|List)/.test(operation))).toBe(true);
    expect(hasDifferences(second)).toBe(false);
    expect(hasFailures(second)).toBe(false);
  });

  it('one service failing does not stop the others, and its error code and message are reported', async () => {
    const fake = fakeEcsAccount();
    fake.ecs.on(CreateServiceCommand, { serviceName: 'api' }).rejects(Object.assign(new Error('subnet not found'), { name: 'InvalidParameterException' }));
    const dir = await desiredState({ 'api.yaml': manifest('api'), 'web.yaml': manifest('web') });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { readBack: noWait } });
    expect(report.services.map((s) => [s.key, s.status])).toEqual([
      ['demo/api', 'failed'],
      ['demo/web', 'changed'],
    ]);
    expect(report.services[0]?.error).toEqual({ code: 'InvalidParameterException', message: 'subnet not found', action: 'CreateService' });
    expect(fake.services.has('demo/web')).toBe(true);
    expect(hasFailures(report)).toBe(true);
  });

  it('a dry run plans but sends no mutating call', async () => {
    const fake = fakeEcsAccount();
    const dir = await desiredState({ 'api.yaml': manifest('api') });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { dryRun: true } });
    expect(report.services[0]?.status).toBe('planned');
    expect(report.services[0]?.actions.map((a) => `${a.kind}:${a.status}`)).toEqual(['RegisterTaskDefinition:planned', 'CreateService:planned']);
    expect(fake.operations()).toEqual(['DescribeServices']);
    expect(hasDifferences(report)).toBe(true);
  });

  it('tolerates eventual consistency: a service not yet visible after CreateService is read again', async () => {
    const fake = fakeEcsAccount();
    const slept: number[] = [];
    fake.hideFor('api', 2);
    const dir = await desiredState({ 'api.yaml': manifest('api') });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { readBack: { attempts: 3, delayMs: 500, sleep: async (ms) => void slept.push(ms) } } });
    expect(report.services[0]?.status).toBe('changed');
    expect(slept).toEqual([500]);
  });

  it('reports not converged, with what still differs, when the read-back never matches', async () => {
    const fake = fakeEcsAccount();
    fake.hideFor('api', 10);
    const dir = await desiredState({ 'api.yaml': manifest('api') });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { readBack: noWait } });
    expect(report.services[0]?.status).toBe('not-converged');
    expect(report.services[0]?.remaining?.map((change) => change.path[0])).toContain('service');
    expect(fake.ecs.commandCalls(CreateServiceCommand)).toHaveLength(1);
  });

  it('a broken file keeps its services untouched and reported; the other files are reconciled; prune refuses', async () => {
    const fake = fakeEcsAccount();
    const broken = manifest('web').replace('memory: "512"', 'memory: "4096"');
    const dir = await desiredState({ 'api.yaml': manifest('api'), 'web.yaml': broken });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { prune: true, readBack: noWait } });
    expect(report.services.map((s) => [s.key, s.status])).toEqual([
      ['demo/api', 'changed'],
      ['demo/web', 'invalid'],
    ]);
    expect(report.services[1]?.diagnostics?.[0]?.file).toBe('web.yaml');
    const described = fake.ecs.commandCalls(DescribeServicesCommand).flatMap((call) => call.args[0].input.services ?? []);
    expect(described).not.toContain('web');
    expect(report.prune).toMatchObject({ outcome: 'refused' });
    expect(report.prune?.outcome === 'refused' && report.prune.reason).toMatch(/error/);
  });

  it('a file that does not even parse into a manifest is reported by file:line and names its service, touching nothing', async () => {
    const fake = fakeEcsAccount();
    const dir = await desiredState({ 'api.yaml': manifest('api'), 'web.yaml': manifest('web').replace('desiredCount: 2', 'desiredCount: two') });
    const report = await reconcileAll({ dir, clients: fake.clients, options: { readBack: noWait } });
    expect(report.services.map((s) => [s.key, s.status])).toEqual([
      ['demo/api', 'changed'],
      ['demo/web', 'invalid'],
    ]);
    expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.file, d.path])).toEqual([['web.yaml', 'spec.desiredCount']]);
    expect(fake.services.has('demo/web')).toBe(false);
    expect(hasFailures(report)).toBe(true);
  });

  it('an empty folder deletes nothing even with prune, and says why', async () => {
    const fake = fakeEcsAccount();
    await reconcileAll({ dir: await desiredState({ 'api.yaml': manifest('api') }), clients: fake.clients, options: { readBack: noWait } });
    fake.ecs.resetHistory();
    const report = await reconcileAll({ dir: await desiredState({}), clients: fake.clients, options: { prune: true, forcePrune: true } });
    expect(report.prune).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/names no service/) });
    expect(fake.operations().filter((operation) => !/^(Describe|List)/.test(operation))).toEqual([]);
  });

  it('a missing folder is an error in the report, and nothing is touched', async () => {
    const fake = fakeEcsAccount();
    const report = await reconcileAll({ dir: path.join(tmpdir(), 'no-such-desired-state-folder'), clients: fake.clients, options: { prune: true } });
    expect(report.diagnostics[0]?.code).toBe('unreadable');
    expect(report.prune).toMatchObject({ outcome: 'refused' });
    expect(hasFailures(report)).toBe(true);
    expect(fake.operations().filter((operation) => !/^(Describe|List)/.test(operation))).toEqual([]);
  });

  it('AWS failing while observing ends the pass with the error in the report instead of throwing', async () => {
    const fake = fakeEcsAccount();
    fake.ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    const report = await reconcileAll({ dir: await desiredState({ 'api.yaml': manifest('api') }), clients: fake.clients });
    expect(report.error).toEqual({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(hasFailures(report)).toBe(true);
  });
});

describe('reconcileService', () => {
  it('reconciles one key through the same path, reading only that service', async () => {
    const fake = fakeEcsAccount();
    const dir = await desiredState({ 'api.yaml': manifest('api'), 'web.yaml': manifest('web') });
    const report = await reconcileService('demo/web', { dir, clients: fake.clients, options: { readBack: noWait } });
    expect(report.services.map((s) => [s.key, s.status])).toEqual([['demo/web', 'changed']]);
    const described = fake.ecs.commandCalls(DescribeServicesCommand).flatMap((call) => call.args[0].input.services ?? []);
    expect(new Set(described)).toEqual(new Set(['web']));
  });

  it('reports the service as observed before acting: absent while missing, present once it exists', async () => {
    const fake = fakeEcsAccount();
    const dir = await desiredState({ 'api.yaml': manifest('api') });
    const creating = await reconcileService('demo/api', { dir, clients: fake.clients, options: { readBack: noWait } });
    expect(creating.observed).toEqual({});
    const again = await reconcileService('demo/api', { dir, clients: fake.clients, options: { readBack: noWait } });
    expect(Object.keys(again.observed ?? {})).toEqual(['demo/api']);
    expect(again.observed?.['demo/api']).toMatchObject({ serviceName: 'api', desiredCount: 2 });
  });

  it('a key no manifest names does nothing (deleting is prune\'s decision)', async () => {
    const fake = fakeEcsAccount();
    const report = await reconcileService('demo/gone', { dir: await desiredState({ 'api.yaml': manifest('api') }), clients: fake.clients });
    expect(report.services).toEqual([]);
    expect(fake.operations()).toEqual([]);
  });
});
