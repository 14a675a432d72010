/**
 * Which shard a service belongs to, and which shards a replica should hold. Pure: every replica computes the same
 * answers from the same inputs, so no coordination beyond the lease table is needed.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes: stable across processes, versions and platforms. */
export function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash;
}

/** The shard of a service key (`cluster/service`), in 0..shards-1. */
export function shardOf(key: string, shards: number): number {
  return fnv1a(key) % shards;
}

/** ceil(shards / live replicas): no replica needs more for every shard to have a holder. */
export function fairShare(shards: number, liveReplicas: number): number {
  return Math.ceil(shards / Math.max(1, liveReplicas));
}

/**
 * Rendezvous (highest random weight) order of shards for one replica: each replica prefers different shards, so
 * replicas starting together mostly reach for different free leases instead of racing for the same one.
 */
export function preferenceOrder(replicaId: string, shards: readonly number[]): number[] {
  const weight = (shard: number) => fnv1a(`${replicaId}#${shard}`);
  return [...shards].sort((a, b) => weight(b) - weight(a) || a - b);
}

/** What the replica knows about one shard's lease at this instant. */
export type ShardView =
  /** Nobody holds it: no lease item yet, released, or its holder stopped renewing for a lease duration. */
  | { state: 'free' }
  /** This replica holds it and its last renewal is within the renew deadline. */
  | { state: 'mine' }
  /** Another replica renewed it within a lease duration, as seen on this replica's own clock. */
  | { state: 'taken' };

export interface ShardPlan {
  /** Free shards to try to take, most preferred first. */
  acquire: number[];
  /** Held shards above the fair share, to stop renewing (they expire and a replica below its share takes them). */
  relinquish: number[];
}

/**
 * Takes free shards up to the fair share and gives up what exceeds it. Shards this replica holds are kept in its
 * preference order, so a rebalance moves as few as possible.
 */
export function planShards(replicaId: string, views: readonly ShardView[], liveReplicas: number): ShardPlan {
  const share = fairShare(views.length, liveReplicas);
  const shardsIn = (state: ShardView['state']) => views.flatMap((view, shard) => (view.state === state ? [shard] : []));
  const held = preferenceOrder(replicaId, shardsIn('mine'));
  const room = share - held.length;
  return {
    acquire: room > 0 ? preferenceOrder(replicaId, shardsIn('free')).slice(0, room) : [],
    relinquish: room < 0 ? held.slice(room) : [],
  };
}
