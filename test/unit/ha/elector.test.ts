/** The election protocol against a real DynamoDB (dynalite), every replica on an injected monotonic clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { LeaseElector, LeaseNotHeldError, leaseTimings, shardOf } from '../../../src/ha/index.js';
import { dynamoLeaseTable, ensureLeaseTable } from '../../../src/ha/table.js';
import type { LeaseTable } from '../../../src/ha/index.js';
import { FakeTime } from '../controller/fake-time.js';
import { startDynalite } from './dynalite.js';
import type { RunningDynalite } from './dynalite.js';

const timings = leaseTimings(15_000, 5_000);
const log = pino({ level: 'silent' });
let dynamo: RunningDynalite;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

async function freshTable(): Promise<LeaseTable> {
  const client = dynamo.client();
  const name = `leases-${++tables}`;
  await ensureLeaseTable(client, name, { pollMs: 10 });
  return dynamoLeaseTable(client, name);
}

function replica(table: LeaseTable, replicaId: string, time: FakeTime, shards = 1): LeaseElector & { changes: number[][] } {
  const changes: number[][] = [];
  const elector = new LeaseElector({ table, replicaId, shards, timings, clock: time, log, onChange: (held) => changes.push([...held]) });
  return Object.assign(elector, { changes });
}

/** A key in each shard, to ask the fence about. */
function keyOfShard(shard: number, shards: number): string {
  for (let i = 0; ; i++) if (shardOf(`demo/svc-${i}`, shards) === shard) return `demo/svc-${i}`;
}

describe('one shard, two replicas', () => {
  it('elects exactly one leader; the other is a standby the fence refuses', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const a = replica(table, 'a', time);
    const b = replica(table, 'b', time);
    await a.tick();
    await b.tick();
    expect(a.status()).toMatchObject({ role: 'leader', held: [{ shard: 0, token: 1 }] });
    expect(b.status()).toMatchObject({ role: 'standby', held: [], liveReplicas: 2 });
    expect(() => a.assertWritable('demo/web', 'UpdateService')).not.toThrow();
    expect(() => b.assertWritable('demo/web', 'UpdateService')).toThrow(LeaseNotHeldError);
    expect(() => b.assertWritable('demo/web', 'UpdateService')).toThrow(/refusing UpdateService for demo\/web: replica b does not hold the lease of shard 0/);
  });

  it('keeps the lease while the leader renews, however long the follower watches', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const a = replica(table, 'a', time);
    const b = replica(table, 'b', time);
    for (let round = 0; round < 10; round++) {
      await a.tick();
      await b.tick();
      time.advance(5_000);
    }
    expect(a.heldShards()).toEqual([0]);
    expect(b.heldShards()).toEqual([]);
    expect(a.status().held).toEqual([{ shard: 0, token: 1 }]);
  });

  it('fails over once the leader is silent for a lease duration; the ex-leader stopped writing one renew interval earlier', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const a = replica(table, 'a', time);
    const b = replica(table, 'b', time);
    await a.tick();
    await b.tick(); // b first sees a's lease at t=0
    // a is paused from now on (a stopped process, a long GC, a partition): it renews no more.
    time.advance(10_000);
    expect(a.owns('demo/web')).toBe(false); // renew deadline passed: a's fence already refuses
    await b.tick();
    expect(b.heldShards()).toEqual([]); // only 10 s of silence seen: not yet
    time.advance(5_000);
    await b.tick();
    expect(b.status()).toMatchObject({ role: 'leader', held: [{ shard: 0, token: 2 }] });
    // a wakes up: its renewal's condition fails, and it knows it lost.
    await a.tick();
    expect(a.status()).toMatchObject({ role: 'standby', held: [] });
    expect(a.changes).toEqual([[0], []]);
  });

  it('judges expiry on its own clock only: wall clocks hours apart change nothing', async () => {
    const table = await freshTable();
    const timeA = new FakeTime(0);
    const timeB = new FakeTime(7 * 3600_000);
    const a = replica(table, 'a', timeA);
    const b = replica(table, 'b', timeB);
    await a.tick();
    await b.tick();
    timeA.advance(5_000);
    timeB.advance(14_999);
    await a.tick(); // renewed: the version moved, so b's count starts again
    await b.tick();
    expect(b.heldShards()).toEqual([]);
    timeB.advance(14_999);
    await b.tick();
    expect(b.heldShards()).toEqual([]);
    timeB.advance(1);
    await b.tick();
    expect(b.heldShards()).toEqual([0]);
  });

  it('hands the lease over at once when the leader releases it on shutdown', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const a = replica(table, 'a', time);
    const b = replica(table, 'b', time);
    await a.tick();
    await b.tick();
    await a.stop({ release: true });
    expect(a.heldShards()).toEqual([]);
    await b.tick();
    expect(b.status().held).toEqual([{ shard: 0, token: 2 }]);
  });

  it('lets only one of two replicas racing for the same free lease win', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const a = replica(table, 'a', time);
    const b = replica(table, 'b', time);
    await Promise.all([a.tick(), b.tick()]);
    expect([...a.heldShards(), ...b.heldShards()]).toEqual([0]);
  });
});

describe('sharding', () => {
  it('spreads 6 shards over 3 replicas, then moves a dead replica\'s shards to the others within the lease bound', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    const replicas = ['a', 'b', 'c'].map((id) => replica(table, id, time, 6));
    const round = async (alive = replicas) => {
      for (const r of alive) await r.tick();
      time.advance(5_000);
    };
    for (let i = 0; i < 6; i++) await round();
    const held = replicas.map((r) => r.heldShards());
    expect(held.map((shards) => shards.length)).toEqual([2, 2, 2]);
    expect(held.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [i, r] of replicas.entries()) {
      for (let shard = 0; shard < 6; shard++) expect(r.owns(keyOfShard(shard, 6))).toBe(held[i]?.includes(shard));
    }

    const [a, b, c] = replicas as [ReturnType<typeof replica>, ReturnType<typeof replica>, ReturnType<typeof replica>];
    const orphaned = c.heldShards();
    // c dies: within a lease duration plus one renew interval its shards have new holders.
    for (let elapsed = 0; elapsed <= 20_000; elapsed += 5_000) await round([a, b]);
    expect(a.heldShards().length + b.heldShards().length).toBe(6);
    expect([...a.heldShards(), ...b.heldShards()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.status().liveReplicas).toBe(2);
    for (const shard of orphaned) expect(a.owns(keyOfShard(shard, 6)) || b.owns(keyOfShard(shard, 6))).toBe(true);
  });

  it('refuses to start when the table was set up for another shard count', async () => {
    const table = await freshTable();
    const time = new FakeTime(0);
    await replica(table, 'a', time, 6).start();
    await expect(replica(table, 'b', time, 3).start()).rejects.toThrow(/set up for 6 shards, this replica for 3/);
  });
});

describe('ensureLeaseTable', () => {
  it('creates the table once and then finds it', async () => {
    const client = dynamo.client();
    expect(await ensureLeaseTable(client, 'created-once', { pollMs: 10 })).toBe('created');
    expect(await ensureLeaseTable(client, 'created-once', { pollMs: 10 })).toBe('exists');
  });
});
