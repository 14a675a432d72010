/**
 * Three replicas, 6 shards, 120 services: each service is created by exactly one replica, the holder of its shard;
 * SIGKILL one replica and its shards move to the other two within the lease bound, which then own their services.
 *
 * Event-driven, so that it passes on a loaded machine as it does alone: holdings come from the replicas' own
 * `holding shards ...` log lines and calls from the in-process sandbox's call log as they happen, never from polling
 * /status or the whole call log. The failover time is taken from the survivors' log timestamps, not from when the
 * test got round to looking. 120 services (20 per shard) exercise the same property as 600 did, at a fifth of the work,
 * and the lease tolerates a loaded machine's lag (LEASE).
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/ha/index.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import type { CallRecord } from '../../src/sandbox/core/calls.js';
import { startDynalite } from '../unit/ha/dynalite.js';
import type { RunningDynalite } from '../unit/ha/dynalite.js';
import { DEMO_SEED } from './apply-harness.js';
import { serviceManifest, tempDir, writeFiles } from './controller-harness.js';
import { heldFromLog, replicaOf, startReplica, untilLogged } from './ha-harness.js';
import type { Replica } from './ha-harness.js';

/**
 * A replica that has not renewed within lease - renew refuses to write (its fence): with the harness's 3 s / 1 s, a
 * renewal more than 1 s late on a loaded machine stalled every write for seconds (LeaseNotHeld), which is what made
 * this file time out inside `npm test`. 6 s / 1 s tolerates 4 s of lag, and a takeover still takes at most 7 s.
 */
const LEASE = { durationMs: 6_000, renewMs: 1_000 };
const SHARDS = 6;
const SERVICES = 120;
const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(3, '0')}`);

let sandbox: RunningSandbox;
let dynamo: RunningDynalite;
let dir: string;
const replicas: Replica[] = [];

/** Which replica holds each shard, once every shard has exactly one holder among `alive` (by their logs). */
function shardHolders(alive: readonly Replica[]): Map<number, string> | undefined {
  const holders = new Map<number, string>();
  for (const replica of alive) {
    for (const shard of heldFromLog(replica) ?? []) {
      if (holders.has(shard)) return undefined;
      holders.set(shard, replica.id);
    }
  }
  return holders.size === SHARDS ? holders : undefined;
}

/** Resolves with the calls accepted from now on once `done` says they are enough; no polling. */
function collectCalls<T>(keep: (call: CallRecord) => boolean, done: (calls: CallRecord[]) => T | undefined, timeoutMs = 120_000): Promise<T> {
  const calls: CallRecord[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms with ${calls.length} matching calls`));
    }, timeoutMs);
    const unsubscribe = sandbox.account.calls.subscribe((call) => {
      if (!keep(call)) return;
      calls.push(call);
      const value = done(calls);
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

beforeAll(async () => {
  [sandbox, dynamo, dir] = await Promise.all([startSandbox({ port: 0, seed: DEMO_SEED, timeScale: 60 }), startDynalite(), tempDir('ha-shards')]);
  const settings = {
    dir,
    sandbox: sandbox.endpoint,
    dynamo: dynamo.endpoint,
    table: 'ha-shards',
    shards: SHARDS,
    lease: LEASE,
    extra: ['--resync', '1h', '--workers', '16', '--aws-rate-scale', '50'],
  };
  replicas.push(...(await Promise.all(['r1', 'r2', 'r3'].map((id) => startReplica(id, settings)))));
}, 90_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await Promise.all([sandbox.stop(), dynamo.stop(), rm(dir, { recursive: true, force: true })]);
});

describe(`three replicas, six shards, ${SERVICES} services`, () => {
  let holders: Map<number, string>;

  it('spreads the shards two per replica, then each service is created once, by the holder of its shard', async () => {
    holders = await untilLogged('two shards per replica', replicas, () => {
      const found = shardHolders(replicas);
      const counts = replicas.map((replica) => [...(found?.values() ?? [])].filter((id) => id === replica.id).length);
      return found && counts.every((count) => count === 2) ? found : undefined;
    });

    const created = collectCalls(
      (call) => call.operation === 'CreateService' && call.outcome === 'ok',
      (calls) => (calls.length === SERVICES ? calls : undefined),
    );
    await writeFiles(dir, Object.fromEntries(names.map((name) => [`${name}.yaml`, serviceManifest(name, { family: 'shared' })])));
    const creators = new Map<string, string[]>();
    for (const call of await created) {
      const key = `demo/${String((call.input as { serviceName?: string } | undefined)?.serviceName)}`;
      creators.set(key, [...(creators.get(key) ?? []), replicaOf(call) ?? '?']);
    }
    expect(creators.size).toBe(SERVICES);
    for (const [key, replicaIds] of creators) expect(replicaIds, key).toEqual([holders.get(shardOf(key, SHARDS))]);
    const perReplica = await Promise.all(replicas.map(async (replica) => (await replica.status()).services.length));
    expect(perReplica.reduce((sum, count) => sum + count, 0)).toBe(SERVICES);
  }, 180_000);

  it('moves the shards of a SIGKILLed replica to the others within the lease duration plus one renew interval', async () => {
    const [victim, ...survivors] = replicas as [Replica, ...Replica[]];
    const orphaned = heldFromLog(victim) ?? [];
    expect(orphaned).toHaveLength(2);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const moved = await untilLogged('every shard held by the two survivors', survivors, () => shardHolders(survivors));
    // When the survivors took the shards, by their own clocks (the same machine's): what the lease bound promises.
    const takenAt = Math.max(...survivors.map((replica) => Date.parse(String(replica.lines.findLast((line) => line.event === 'lease' && Array.isArray(line.held))?.time))));
    expect(takenAt - killedAt).toBeLessThanOrEqual(LEASE.durationMs + LEASE.renewMs + 1_000);
    for (const shard of orphaned) expect(survivors.map((replica) => replica.id)).toContain(moved.get(shard));
    for (const replica of survivors) expect(heldFromLog(replica)).toHaveLength(3);

    // A change to a service of a moved shard is applied by its new holder, and by no one else.
    const name = names.find((candidate) => orphaned.includes(shardOf(`demo/${candidate}`, SHARDS))) as string;
    const updates = collectCalls(
      (call) => call.mutating && call.operation === 'UpdateService' && (call.input as { service?: string } | undefined)?.service === name,
      (calls) => calls,
    );
    await writeFiles(dir, { [`${name}.yaml`]: serviceManifest(name, { family: 'shared', desiredCount: 2 }) });
    expect(new Set((await updates).map(replicaOf))).toEqual(new Set([moved.get(shardOf(`demo/${name}`, SHARDS))]));
  }, 120_000);
});
