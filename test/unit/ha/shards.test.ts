import { describe, expect, it } from 'vitest';
import { fairShare, fnv1a, planShards, preferenceOrder, shardOf } from '../../../src/ha/index.js';
import type { ShardView } from '../../../src/ha/index.js';

const free: ShardView = { state: 'free' };
const mine: ShardView = { state: 'mine' };
const taken: ShardView = { state: 'taken' };

describe('shard assignment', () => {
  it('hashes with 32-bit FNV-1a (reference vectors)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('puts every key in one stable shard, and spreads 600 services evenly enough', () => {
    expect(shardOf('prod/checkout', 6)).toBe(shardOf('prod/checkout', 6));
    expect(shardOf('prod/checkout', 1)).toBe(0);
    const counts = Array.from({ length: 6 }, () => 0);
    for (let i = 0; i < 600; i++) counts[shardOf(`demo/svc-${i}`, 6)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(60);
  });

  it('gives each replica at most ceil(shards / live replicas)', () => {
    expect(fairShare(6, 3)).toBe(2);
    expect(fairShare(6, 4)).toBe(2);
    expect(fairShare(6, 5)).toBe(2);
    expect(fairShare(1, 3)).toBe(1);
    expect(fairShare(6, 0)).toBe(6);
  });

  it('orders shards differently per replica, and the same way every time', () => {
    const shards = [0, 1, 2, 3, 4, 5];
    expect(preferenceOrder('a', shards)).toEqual(preferenceOrder('a', [...shards].reverse()));
    expect(preferenceOrder('a', shards)).not.toEqual(preferenceOrder('b', shards));
  });
});

describe('planShards', () => {
  it('takes free shards up to the fair share, in preference order', () => {
    const plan = planShards('a', [free, free, free, free, free, free], 3);
    expect(plan.acquire).toEqual(preferenceOrder('a', [0, 1, 2, 3, 4, 5]).slice(0, 2));
    expect(plan.relinquish).toEqual([]);
  });

  it('takes nothing while at its share, and never a shard another replica holds', () => {
    expect(planShards('a', [mine, mine, taken, taken, free, free], 3)).toEqual({ acquire: [], relinquish: [] });
    expect(planShards('a', [taken, taken, taken], 1)).toEqual({ acquire: [], relinquish: [] });
  });

  it('takes the shards of a dead replica when the share grows', () => {
    expect(planShards('a', [mine, mine, taken, taken, free, free], 2).acquire).toHaveLength(1);
  });

  it('relinquishes what exceeds the share when replicas join, keeping its most preferred shards', () => {
    const plan = planShards('a', [mine, mine, mine, mine, mine, mine], 3);
    expect(plan.acquire).toEqual([]);
    expect(plan.relinquish).toEqual(preferenceOrder('a', [0, 1, 2, 3, 4, 5]).slice(2));
  });
});
