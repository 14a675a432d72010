import { describe, expect, it } from 'vitest';
import { isExpired, isHoldingValid, leaseTimings, liveReplicaCount, sight, viewOfShard } from '../../../src/ha/index.js';
import type { LeaseRecord } from '../../../src/ha/index.js';

const timings = leaseTimings(15_000, 5_000);
const record = (holder: string | undefined, version = 1): LeaseRecord => ({ shard: 0, ...(holder ? { holder } : {}), version, token: 1, leaseDurationMs: 15_000 });

describe('lease timings', () => {
  it('acts until lease duration minus one renew interval', () => {
    expect(timings).toEqual({ leaseDurationMs: 15_000, renewIntervalMs: 5_000, renewDeadlineMs: 10_000 });
  });

  it('refuses a renew interval above half the lease duration, or non-positive values', () => {
    expect(() => leaseTimings(3_000, 2_000)).toThrow(/at most half the lease duration/);
    expect(() => leaseTimings(0, 0)).toThrow(/must be positive/);
  });
});

describe('expiry on the observer clock', () => {
  it('keeps the first sighting while the record does not change, and restarts on any change', () => {
    const first = sight(undefined, 'a', 1, 100);
    expect(sight(first, 'a', 1, 9_000)).toBe(first);
    expect(sight(first, 'a', 2, 9_000)).toEqual({ holder: 'a', version: 2, seenAt: 9_000 });
    expect(sight(first, 'b', 1, 9_000)).toEqual({ holder: 'b', version: 1, seenAt: 9_000 });
  });

  it('expires a record unchanged for a lease duration, whatever wall time its holder wrote', () => {
    const seen = sight(undefined, 'a', 7, 1_000);
    expect(isExpired(seen, 15_999, 15_000)).toBe(false);
    expect(isExpired(seen, 16_000, 15_000)).toBe(true);
  });

  it('counts a holding valid until the renew deadline after the renewal was sent', () => {
    const holding = { token: 3, version: 9, renewedAt: 50_000 };
    expect(isHoldingValid(holding, 59_999, timings)).toBe(true);
    expect(isHoldingValid(holding, 60_000, timings)).toBe(false);
    expect(isHoldingValid(undefined, 0, timings)).toBe(false);
  });
});

describe('viewOfShard', () => {
  const base = { replicaId: 'me', holding: undefined, timings };

  it('sees a missing or released lease as free at once', () => {
    expect(viewOfShard({ ...base, record: undefined, sighting: undefined, now: 0 })).toEqual({ state: 'free' });
    expect(viewOfShard({ ...base, record: record(undefined, 4), sighting: sight(undefined, undefined, 4, 0), now: 0 })).toEqual({ state: 'free' });
  });

  it('waits a full lease duration of silence before another holder counts as gone; a first sighting is fresh', () => {
    const seen = sight(undefined, 'other', 2, 1_000);
    expect(viewOfShard({ ...base, record: record('other', 2), sighting: undefined, now: 1_000 })).toEqual({ state: 'taken' });
    expect(viewOfShard({ ...base, record: record('other', 2), sighting: seen, now: 15_999 })).toEqual({ state: 'taken' });
    expect(viewOfShard({ ...base, record: record('other', 2), sighting: seen, now: 16_000 })).toEqual({ state: 'free' });
  });

  it('is mine only while the holding is within its renew deadline', () => {
    const holding = { token: 1, version: 1, renewedAt: 0 };
    const seen = sight(undefined, 'me', 1, 0);
    expect(viewOfShard({ ...base, holding, record: record('me'), sighting: seen, now: 9_999 })).toEqual({ state: 'mine' });
    expect(viewOfShard({ ...base, holding, record: record('me'), sighting: seen, now: 10_000 })).toEqual({ state: 'taken' });
  });
});

describe('liveReplicaCount', () => {
  it('counts itself and every heartbeat that changed within its lease duration', () => {
    const beats = [
      { replicaId: 'me', version: 1, leaseDurationMs: 15_000 },
      { replicaId: 'b', version: 5, leaseDurationMs: 15_000 },
      { replicaId: 'dead', version: 9, leaseDurationMs: 15_000 },
    ];
    const sightings = new Map([
      ['b', sight(undefined, 'b', 5, 10_000)],
      ['dead', sight(undefined, 'dead', 9, 0)],
    ]);
    expect(liveReplicaCount('me', beats, sightings, 20_000)).toBe(2);
    expect(liveReplicaCount('me', [], new Map(), 0)).toBe(1);
  });
});
