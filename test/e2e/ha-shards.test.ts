/**
 * Three replicas, 6 shards, 600 services: each service is created by exactly one replica, the holder of its shard;
 * SIGKILL one replica and its shards move to the other two within the lease bound, which then own their services.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/ha/index.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startDynalite } from '../unit/ha/dynalite.js';
import type { RunningDynalite } from '../unit/ha/dynalite.js';
import { DEMO_SEED } from './apply-harness.js';
import { serviceManifest, tempDir, writeFiles } from './controller-harness.js';
import { LEASE_MS, mutatingCalls, RENEW_MS, replicaOf, startReplica, until } from './ha-harness.js';
import type { Replica } from './ha-harness.js';

const SHARDS = 6;
const SERVICES = 600;
const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(3, '0')}`);

let sandbox: RunningSandbox;
let dynamo: RunningDynalite;
let dir: string;
const replicas: Replica[] = [];

/** Which replica holds each shard, once every shard has exactly one holder among `alive`. */
async function shardHolders(alive: readonly Replica[]): Promise<Map<number, string> | undefined> {
  const holders = new Map<number, string>();
  for (const replica of alive) {
    for (const { shard } of (await replica.ha()).held) {
      if (holders.has(shard)) return undefined;
      holders.set(shard, replica.id);
    }
  }
  return holders.size === SHARDS ? holders : undefined;
}

beforeAll(async () => {
  [sandbox, dynamo, dir] = await Promise.all([startSandbox({ port: 0, seed: DEMO_SEED, timeScale: 60 }), startDynalite(), tempDir('ha-shards')]);
  const settings = {
    dir,
    sandbox: sandbox.endpoint,
    dynamo: dynamo.endpoint,
    table: 'ha-shards',
    shards: SHARDS,
    extra: ['--resync', '1h', '--workers', '16', '--aws-rate-scale', '50'],
  };
  replicas.push(...(await Promise.all(['r1', 'r2', 'r3'].map((id) => startReplica(id, settings)))));
}, 30_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await Promise.all([sandbox.stop(), dynamo.stop(), rm(dir, { recursive: true, force: true })]);
});

describe('three replicas, six shards, 600 services', () => {
  let holders: Map<number, string>;

  it('spreads the shards two per replica, then each service is created once, by the holder of its shard', async () => {
    holders = await until('two shards per replica', async () => {
      const found = await shardHolders(replicas);
      const counts = replicas.map((replica) => [...(found?.values() ?? [])].filter((id) => id === replica.id).length);
      return found && counts.every((count) => count === 2) ? found : undefined;
    });

    await writeFiles(dir, Object.fromEntries(names.map((name) => [`${name}.yaml`, serviceManifest(name, { family: 'shared' })])));
    const creators = await until(
      'every service created',
      async () => {
        const created = new Map<string, Set<string | undefined>>();
        for (const call of await mutatingCalls(sandbox.endpoint)) {
          if (call.operation !== 'CreateService' || call.outcome !== 'ok') continue;
          const key = `demo/${String(call.input?.serviceName)}`;
          created.set(key, (created.get(key) ?? new Set()).add(replicaOf(call)));
        }
        return created.size === SERVICES ? created : undefined;
      },
      40_000,
    );
    for (const [key, replicaIds] of creators) {
      expect([...replicaIds], key).toEqual([holders.get(shardOf(key, SHARDS))]);
    }
    const perReplica = await Promise.all(replicas.map(async (replica) => (await replica.status()).services.length));
    expect(perReplica.reduce((sum, count) => sum + count, 0)).toBe(SERVICES);
  }, 50_000);

  it('moves the shards of a SIGKILLed replica to the others within the lease duration plus one renew interval', async () => {
    const [victim, ...survivors] = replicas as [Replica, ...Replica[]];
    const orphaned = (await victim.ha()).held.map(({ shard }) => shard);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const moved = await until('every shard held by the two survivors', () => shardHolders(survivors), 10_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_MS + RENEW_MS + 1_000);
    for (const shard of orphaned) expect(survivors.map((replica) => replica.id)).toContain(moved.get(shard));
    for (const replica of survivors) expect((await replica.ha()).held).toHaveLength(3);

    // A change to a service of a moved shard is applied by its new holder, and by no one else.
    const name = names.find((candidate) => orphaned.includes(shardOf(`demo/${candidate}`, SHARDS))) as string;
    const seen = (await mutatingCalls(sandbox.endpoint)).length;
    await writeFiles(dir, { [`${name}.yaml`]: serviceManifest(name, { family: 'shared', desiredCount: 2 }) });
    const updates = await until(`${name} scaled to 2`, async () => {
      const found = (await mutatingCalls(sandbox.endpoint)).slice(seen).filter((call) => call.operation === 'UpdateService' && call.input?.service === name);
      return found.length > 0 ? found : undefined;
    });
    expect(new Set(updates.map(replicaOf))).toEqual(new Set([moved.get(shardOf(`demo/${name}`, SHARDS))]));
  }, 20_000);
});
