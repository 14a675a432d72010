/**
 * Leader election wired for the controller process: the DynamoDB lease client, the elector on a monotonic clock,
 * the leader gauge per shard, and the hooks `startController` plugs in (ownership, the write fence, the user agent
 * that tags this replica's AWS calls).
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { AwsApi, AwsClientOptions } from '../aws/index.js';
import type { ControllerIo } from '../controller/io.js';
import type { HaStatus } from '../controller/status.js';
import { systemTime } from '../controller/time.js';
import type { TimeSource } from '../controller/time.js';
import type { Logger } from '../log/logger.js';
import type { ControllerMetrics } from '../metrics/metrics.js';
import { LeaseElector } from './elector.js';
import { fencedIo, mutatingCallFence } from './fence.js';
import { leaseTimings } from './lease.js';

export interface HaSettings {
  tableName: string;
  leaseDurationMs: number;
  renewIntervalMs: number;
  replicaId: string;
  /** Create the table (on-demand) when it does not exist. */
  createTable: boolean;
  shards: number;
  /** DynamoDB endpoint; default the SDK's (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL, AWS). */
  endpoint?: string;
}

export interface HaDependencies {
  log: Logger;
  metrics: Pick<ControllerMetrics, 'setLeader'>;
  /** Region and credentials of the controller's clients; the endpoint is DynamoDB's own (AWS_ENDPOINT_URL_DYNAMODB). */
  region?: string;
  clientConfig?: Record<string, unknown>;
  /** Monotonic time; default performance.now() with real timers. */
  clock?: TimeSource;
}

export interface HighAvailability {
  replicaId: string;
  owns(key: string): boolean;
  /** For createAwsClients: refuses a mutating call unless this replica holds the lease of the keys it acts for. */
  beforeMutatingCall(call: { api: AwsApi; operation: string }): void;
  /** For every AWS client: the replica id in the user agent, so each call says which replica made it. */
  clientConfig: { customUserAgent: Array<[string, string]> };
  /** The controller's I/O, each reconcile and deletion running under the fence. */
  fence(io: ControllerIo): ControllerIo;
  /** Called whenever the shards this replica holds change. */
  onChange(listener: () => void): void;
  status(): HaStatus;
  /** Checks the table, then runs the first election round (so ownership is known before the first sync). */
  start(): Promise<void>;
  /** Stops electing; `release` gives the leases back at once (only when no write of ours can still be in flight). */
  stop(options: { release: boolean }): Promise<void>;
}

export const DEFAULT_SHARDS = 1;

export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}`;
}

const monotonicTime: TimeSource = { now: () => performance.now(), schedule: systemTime.schedule };

/**
 * Leader election on the DynamoDB lease table. The DynamoDB client and the table adapter are imported here, on
 * demand: a controller without election never loads them (a few MB of resident memory).
 */
export async function createHighAvailability(settings: HaSettings, deps: HaDependencies): Promise<HighAvailability> {
  const timings = leaseTimings(settings.leaseDurationMs, settings.renewIntervalMs);
  const { log, metrics } = deps;
  const [{ DynamoDBClient }, { dynamoLeaseTable, ensureLeaseTable }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('./table.js')]);
  const client = new DynamoDBClient({
    ...deps.clientConfig,
    ...(deps.region ? { region: deps.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // A hung request must not outlive a renew interval: the next round retries with a fresh read.
    requestHandler: { requestTimeout: timings.renewIntervalMs, connectionTimeout: timings.renewIntervalMs },
    maxAttempts: 2,
  });
  const listeners: Array<() => void> = [];
  const elector = new LeaseElector({
    table: dynamoLeaseTable(client, settings.tableName),
    replicaId: settings.replicaId,
    shards: settings.shards,
    timings,
    clock: deps.clock ?? monotonicTime,
    log,
    onChange(held) {
      const holding = new Set(held);
      for (let shard = 0; shard < settings.shards; shard++) metrics.setLeader(holding.has(shard), shard);
      log.info({ event: 'lease', replicaId: settings.replicaId, held }, held.length > 0 ? `holding shards ${held.join(', ')} of ${settings.shards}` : 'standby: holding no shard');
      for (const listener of listeners) listener();
    },
  });
  const fence = mutatingCallFence(elector);
  return {
    replicaId: settings.replicaId,
    owns: (key) => elector.owns(key),
    beforeMutatingCall: fence,
    clientConfig: { customUserAgent: [['ecs-reconciler-replica', settings.replicaId]] },
    fence: fencedIo,
    onChange: (listener) => listeners.push(listener),
    status: () => elector.status(),
    async start() {
      for (let shard = 0; shard < settings.shards; shard++) metrics.setLeader(false, shard);
      if (settings.createTable) {
        const outcome = await ensureLeaseTable(client, settings.tableName);
        log.info({ event: 'lease', table: settings.tableName, outcome }, `lease table ${settings.tableName}: ${outcome === 'created' ? 'created' : 'exists'}`);
      }
      try {
        await elector.start();
      } catch (error) {
        client.destroy();
        throw new Error(`leader election on DynamoDB table ${settings.tableName} failed to start: ${(error as Error).message}`, { cause: error });
      }
      log.info({ event: 'lease', replicaId: settings.replicaId, table: settings.tableName, shards: settings.shards, ...timings }, `leader election started as replica ${settings.replicaId}`);
    },
    async stop(options) {
      await elector.stop(options);
      client.destroy();
    },
  };
}

/** The controller's client options with this replica's fence and user agent added (unchanged without election). */
export function withReplicaIdentity<T extends AwsClientOptions>(ha: HighAvailability | undefined, aws: T): T {
  if (!ha) return aws;
  return { ...aws, clientConfig: { ...aws.clientConfig, ...ha.clientConfig }, beforeMutatingCall: ha.beforeMutatingCall };
}

/** The controller's I/O under the fence (unchanged without election). */
export function withFence(ha: HighAvailability | undefined, io: ControllerIo): ControllerIo {
  return ha ? ha.fence(io) : io;
}
