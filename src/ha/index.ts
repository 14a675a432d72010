/** Leader election and sharding on a DynamoDB lease table. See docs/ha.md. */
export { LeaseElector, LeaseNotHeldError } from './elector.js';
export type { ElectorOptions } from './elector.js';
export { actFor, fencedIo, mutatingCallFence } from './fence.js';
export type { WriteGuard } from './fence.js';
export { DEFAULT_LEASE_DURATION_MS, DEFAULT_LEASE_TABLE, DEFAULT_RENEW_INTERVAL_MS, isExpired, isHoldingValid, leaseTimings, liveReplicaCount, sight, viewOfShard } from './lease.js';
export type { HeartbeatRecord, Holding, LeaseRecord, LeaseTimings, Sighting } from './lease.js';
export { createHighAvailability, DEFAULT_SHARDS, defaultReplicaId, withFence, withReplicaIdentity } from './replica.js';
export type { HaDependencies, HaSettings, HighAvailability } from './replica.js';
export { fairShare, fnv1a, planShards, preferenceOrder, shardOf } from './shards.js';
export type { ShardPlan, ShardView } from './shards.js';
// The DynamoDB adapter (./table.js) is not re-exported: it loads @aws-sdk/client-dynamodb, which a controller
// without --leader-elect never needs; createHighAvailability imports it when election is on.
export type { LeaseTable, TableContents } from './table.js';
