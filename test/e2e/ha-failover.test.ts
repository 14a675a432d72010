/**
 * Two replicas of `ecs-reconciler run --leader-elect` (separate processes) on the sandbox and a real DynamoDB
 * (dynalite): exactly one leads; SIGKILLed, it is replaced within the lease bound, and only leaders ever write.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startDynalite } from '../unit/ha/dynalite.js';
import type { RunningDynalite } from '../unit/ha/dynalite.js';
import { DEMO_SEED } from './apply-harness.js';
import { activeService, ecsClient, sampleValue, serviceManifest, tempDir, writeFiles } from './controller-harness.js';
import { LEASE_MS, mutatingCalls, RENEW_MS, replicaOf, startReplica, until } from './ha-harness.js';
import type { Replica } from './ha-harness.js';

let sandbox: RunningSandbox;
let dynamo: RunningDynalite;
let ecs: ECSClient;
let dir: string;
const replicas: Replica[] = [];

beforeAll(async () => {
  [sandbox, dynamo, dir] = await Promise.all([startSandbox({ port: 0, seed: DEMO_SEED }), startDynalite(), tempDir('ha-failover')]);
  ecs = ecsClient(sandbox.endpoint);
  await writeFiles(dir, { 'alpha.yaml': serviceManifest('alpha'), 'beta.yaml': serviceManifest('beta') });
  const settings = { dir, sandbox: sandbox.endpoint, dynamo: dynamo.endpoint, table: 'ha-failover', extra: ['--resync', '1h'] };
  replicas.push(...(await Promise.all(['replica-a', 'replica-b'].map((id) => startReplica(id, settings)))));
});

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  ecs.destroy();
  await Promise.all([sandbox.stop(), dynamo.stop(), rm(dir, { recursive: true, force: true })]);
});

describe('two replicas with leader election', () => {
  let leader: Replica;
  let standby: Replica;

  it('elects exactly one leader, which applies the manifests; the standby is ready and writes nothing', async () => {
    const roles = await until('one leader and one standby', async () => {
      const statuses = await Promise.all(replicas.map((replica) => replica.ha()));
      const leaders = statuses.filter((status) => status.role === 'leader');
      return leaders.length === 1 && statuses.every((status) => status.liveReplicas === 2) ? statuses : undefined;
    });
    leader = replicas[roles.findIndex((status) => status.role === 'leader')] as Replica;
    standby = replicas[roles.findIndex((status) => status.role === 'standby')] as Replica;
    expect(roles.find((status) => status.role === 'leader')?.held).toEqual([{ shard: 0, token: expect.any(Number) }]);

    await until('alpha and beta created', async () => ((await activeService(ecs, 'alpha')) && (await activeService(ecs, 'beta')) ? true : undefined));
    const standbyReady = await until('the standby ready', async () => {
      const readyz = await standby.readyz();
      return readyz.status === 200 ? readyz.body : undefined;
    });
    expect(standbyReady).toEqual({ status: 'ready', role: 'standby' });
    expect((await leader.readyz()).body).toEqual({ status: 'ready', role: 'leader' });
    expect(sampleValue(await leader.metrics(), 'ecs_reconciler_leader', { shard: '0' })).toBe(1);
    expect(sampleValue(await standby.metrics(), 'ecs_reconciler_leader', { shard: '0' })).toBe(0);
    expect((await standby.status()).services).toEqual([]);

    const writers = new Set((await mutatingCalls(sandbox.endpoint)).map(replicaOf));
    expect(writers).toEqual(new Set([leader.id]));
  });

  it('fails over to the standby within the lease duration plus one renew interval after a SIGKILL, and the new leader applies a new manifest', async () => {
    const before = (await mutatingCalls(sandbox.endpoint)).length;
    const killedAt = Date.now();
    await leader.stop('SIGKILL');
    await writeFiles(dir, { 'gamma.yaml': serviceManifest('gamma') });

    await standby.waitForLine((line) => line.event === 'lease' && /^acquired shard 0/.test(line.msg ?? ''), 15_000);
    const takeoverMs = Date.now() - killedAt;
    // The bound, plus a second for the round itself and for the log line to reach the test on a loaded machine.
    expect(takeoverMs).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + 1_000);
    expect((await standby.ha()).held).toEqual([{ shard: 0, token: expect.any(Number) }]);

    await until('gamma created by the new leader', () => activeService(ecs, 'gamma'), 15_000);
    const calls = await mutatingCalls(sandbox.endpoint);
    const afterKill = calls.slice(before);
    expect(afterKill.map((call) => call.operation)).toContain('CreateService');
    expect(new Set(afterKill.map(replicaOf))).toEqual(new Set([standby.id]));
    // Every write, from the start: first only the old leader's, then only the new one's, never interleaved.
    const writers = calls.map(replicaOf);
    expect(writers.every((id) => id !== undefined)).toBe(true);
    expect(writers.lastIndexOf(leader.id)).toBeLessThan(writers.indexOf(standby.id));
  });
});
