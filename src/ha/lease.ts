/**
 * The lease rules, pure. Expiry is judged as client-go's leaderelection does: a replica never compares its wall
 * clock with another host's. It notes, on its own monotonic clock, when it first saw each version of a record; a
 * record whose version has not changed for a lease duration is expired. Clock skew between hosts therefore plays no
 * part; only the rate of each host's monotonic clock does.
 */
import type { ShardView } from './shards.js';

export interface LeaseTimings {
  /** How long a holder's silence must last, on an observer's clock, before another replica may take its lease. */
  leaseDurationMs: number;
  /** How often the holder renews (and every replica reads the table). */
  renewIntervalMs: number;
  /**
   * How long after its last successful renewal (measured from when that request was sent) the holder still acts.
   * lease duration - renew interval: at least one renew interval of margin before any observer can take over.
   */
  renewDeadlineMs: number;
}

export const DEFAULT_LEASE_TABLE = 'ecs-reconciler-leases';
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_INTERVAL_MS = 5_000;

export function leaseTimings(leaseDurationMs = DEFAULT_LEASE_DURATION_MS, renewIntervalMs = DEFAULT_RENEW_INTERVAL_MS): LeaseTimings {
  if (!(renewIntervalMs > 0) || !(leaseDurationMs > 0)) throw new Error(`lease duration and renew interval must be positive, got ${leaseDurationMs} ms and ${renewIntervalMs} ms`);
  if (renewIntervalMs * 2 > leaseDurationMs) {
    throw new Error(
      `the renew interval (${renewIntervalMs} ms) must be at most half the lease duration (${leaseDurationMs} ms): the holder stops acting one renew interval before anyone may take over, and needs time to renew before that`,
    );
  }
  return { leaseDurationMs, renewIntervalMs, renewDeadlineMs: leaseDurationMs - renewIntervalMs };
}

/** A shard's lease item as stored. */
export interface LeaseRecord {
  shard: number;
  /** The replica holding it; absent once released. */
  holder?: string;
  /** Bumped by every write (take, renew, release): what observers watch. */
  version: number;
  /** The fencing token: bumped on every takeover, never on renewal. */
  token: number;
  /** The lease duration its holder runs with (observers honour the holder's, not their own). */
  leaseDurationMs: number;
}

/** A replica's heartbeat item: alive while its version keeps changing. */
export interface HeartbeatRecord {
  replicaId: string;
  version: number;
  leaseDurationMs: number;
}

/** When this replica first saw a given (holder, version) of a record, on its own monotonic clock. */
export interface Sighting {
  holder: string | undefined;
  version: number;
  seenAt: number;
}

/** Keeps the earlier sighting while nothing changed; any change restarts the count. */
export function sight(previous: Sighting | undefined, holder: string | undefined, version: number, now: number): Sighting {
  if (previous !== undefined && previous.holder === holder && previous.version === version) return previous;
  return { holder, version, seenAt: now };
}

/** Unchanged for a whole lease duration on this replica's clock. */
export function isExpired(sighting: Sighting, now: number, leaseDurationMs: number): boolean {
  return now - sighting.seenAt >= leaseDurationMs;
}

/** A lease this replica holds: what it wrote last, and when it sent that write. */
export interface Holding {
  token: number;
  version: number;
  /** Monotonic time the last successful take or renewal was *sent*: the lease is counted from there, never later. */
  renewedAt: number;
}

/** Still within the renew deadline: the holder may act (and its writes may go out). */
export function isHoldingValid(holding: Holding | undefined, now: number, timings: LeaseTimings): holding is Holding {
  return holding !== undefined && now - holding.renewedAt < timings.renewDeadlineMs;
}

/** How a shard looks to this replica, from its lease record, the record's sighting and what it holds itself. */
export function viewOfShard(input: { replicaId: string; record: LeaseRecord | undefined; sighting: Sighting | undefined; holding: Holding | undefined; now: number; timings: LeaseTimings }): ShardView {
  const { record, sighting, now } = input;
  if (isHoldingValid(input.holding, now, input.timings)) return { state: 'mine' };
  if (record?.holder === undefined) return { state: 'free' };
  // A record this replica has not seen before counts as just renewed: a newcomer waits a full lease duration.
  if (sighting === undefined || !isExpired(sighting, now, record.leaseDurationMs)) return { state: 'taken' };
  return { state: 'free' };
}

/** Replicas whose heartbeat changed within its lease duration, this one included. */
export function liveReplicaCount(replicaId: string, heartbeats: readonly HeartbeatRecord[], sightings: ReadonlyMap<string, Sighting>, now: number): number {
  const live = heartbeats.filter((beat) => {
    if (beat.replicaId === replicaId) return false;
    const sighting = sightings.get(beat.replicaId);
    return sighting === undefined || !isExpired(sighting, now, beat.leaseDurationMs);
  });
  return live.length + 1;
}
