/**
 * The election loop of one replica: every renew interval it beats its heartbeat, renews the leases it holds, reads
 * the table, and takes free shards up to its fair share (or lets go of what exceeds it). The decisions are the pure
 * functions of lease.ts and shards.ts; this class only keeps the sightings and holdings between rounds.
 */
import type { Logger } from '../log/logger.js';
import type { HaStatus } from '../controller/status.js';
import type { CancelTimer, TimeSource } from '../controller/time.js';
import { isHoldingValid, liveReplicaCount, sight, viewOfShard } from './lease.js';
import type { Holding, LeaseRecord, LeaseTimings, Sighting } from './lease.js';
import { planShards, shardOf } from './shards.js';
import type { LeaseTable } from './table.js';

/** Thrown before a mutating AWS call that this replica may not make; AWS never sees the request. */
export class LeaseNotHeldError extends Error {
  override readonly name = 'LeaseNotHeld';
}

export interface ElectorOptions {
  table: LeaseTable;
  replicaId: string;
  shards: number;
  timings: LeaseTimings;
  /** A monotonic clock (never the wall clock: lease expiry must not jump with NTP) and its timers. */
  clock: TimeSource;
  log: Logger;
  /** Told whenever the set of shards this replica may act on changes. */
  onChange?: (held: readonly number[]) => void;
}

export class LeaseElector {
  private readonly holdings = new Map<number, Holding>();
  private leaseSightings = new Map<number, Sighting>();
  private beatSightings = new Map<string, Sighting>();
  private liveReplicas = 1;
  private lastHeld: readonly number[] = [];
  private round: Promise<void> = Promise.resolve();
  private timer: CancelTimer | undefined;
  private stopped = false;

  constructor(private readonly options: ElectorOptions) {
    if (!Number.isInteger(options.shards) || options.shards < 1) throw new Error(`shards must be a positive integer, got ${options.shards}`);
  }

  /** Checks the table's shard count, runs the first round, then one round per renew interval until `stop`. */
  async start(): Promise<void> {
    const { table, shards } = this.options;
    const recorded = await table.claimShardCount(shards);
    if (recorded !== shards) {
      throw new Error(
        `the lease table is set up for ${recorded} shards, this replica for ${shards}: every replica must use the same --shards (to change it, stop every replica and delete the table's "config" item)`,
      );
    }
    await this.tick();
    this.scheduleNext();
  }

  /** One round. Exposed for tests, which drive rounds with a fake clock instead of timers. */
  tick(): Promise<void> {
    this.round = this.round.then(() => this.runRound());
    return this.round;
  }

  /** The shards this replica may act on now: held, and renewed within the renew deadline. */
  heldShards(): number[] {
    const now = this.options.clock.now();
    return [...this.holdings].filter(([, holding]) => isHoldingValid(holding, now, this.options.timings)).map(([shard]) => shard).sort((a, b) => a - b);
  }

  owns(key: string): boolean {
    return isHoldingValid(this.holdings.get(this.shardOf(key)), this.options.clock.now(), this.options.timings);
  }

  shardOf(key: string): number {
    return shardOf(key, this.options.shards);
  }

  /** The client-side fence: throws unless this replica may write for `key` right now. */
  assertWritable(key: string, operation: string): void {
    if (this.owns(key)) return;
    const shard = this.shardOf(key);
    throw new LeaseNotHeldError(
      `refusing ${operation} for ${key}: replica ${this.options.replicaId} does not hold the lease of shard ${shard}, or its last renewal is older than the renew deadline (${this.options.timings.renewDeadlineMs} ms)`,
    );
  }

  status(): HaStatus {
    const held = this.heldShards();
    return {
      replicaId: this.options.replicaId,
      role: held.length > 0 ? 'leader' : 'standby',
      shardCount: this.options.shards,
      held: held.map((shard) => ({ shard, token: (this.holdings.get(shard) as Holding).token })),
      liveReplicas: this.liveReplicas,
    };
  }

  /**
   * Stops the rounds. With `release`, gives the leases back (and removes the heartbeat) so another replica takes
   * over at once; only safe once no write of this replica can still be in flight.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.stopped = true;
    this.timer?.();
    await this.round;
    const releasing = [...this.holdings].filter(([, holding]) => isHoldingValid(holding, this.options.clock.now(), this.options.timings));
    this.holdings.clear();
    this.notify();
    if (!options.release) return;
    const { table, replicaId, log } = this.options;
    await Promise.all([
      ...releasing.map(([shard, holding]) =>
        table.release(shard, replicaId, holding.token).then(
          (released) => log.info({ event: 'lease', shard, token: holding.token, released }, released ? `released shard ${shard}` : `shard ${shard} was no longer ours to release`),
          (error: unknown) => log.warn({ event: 'lease', shard, err: error }, `releasing shard ${shard} failed; it expires after the lease duration`),
        ),
      ),
      table.removeHeartbeat(replicaId).catch((error: unknown) => log.warn({ event: 'lease', err: error }, 'removing the heartbeat failed; it stops counting after the lease duration')),
    ]);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.schedule(() => {
      void this.tick().finally(() => this.scheduleNext());
    }, this.options.timings.renewIntervalMs);
  }

  private async runRound(): Promise<void> {
    if (this.stopped) return;
    const { table, replicaId, timings, log } = this.options;
    await table.heartbeat(replicaId, timings.leaseDurationMs).catch((error: unknown) => log.warn({ event: 'lease', err: error }, 'heartbeat failed'));
    await Promise.all([...this.holdings].map(([shard, holding]) => this.renew(shard, holding)));
    let contents;
    try {
      contents = await table.read();
    } catch (error) {
      log.warn({ event: 'lease', err: error }, 'reading the lease table failed; held leases stay valid until their renew deadline');
      this.notify();
      return;
    }
    const now = this.options.clock.now();
    this.leaseSightings = new Map(contents.leases.map((record) => [record.shard, sight(this.leaseSightings.get(record.shard), record.holder, record.version, now)]));
    this.beatSightings = new Map(contents.heartbeats.map((beat) => [beat.replicaId, sight(this.beatSightings.get(beat.replicaId), beat.replicaId, beat.version, now)]));
    this.liveReplicas = liveReplicaCount(replicaId, contents.heartbeats, this.beatSightings, now);
    const records = new Map(contents.leases.map((record) => [record.shard, record]));
    const views = Array.from({ length: this.options.shards }, (_, shard) =>
      viewOfShard({ replicaId, record: records.get(shard), sighting: this.leaseSightings.get(shard), holding: this.holdings.get(shard), now, timings }),
    );
    const plan = planShards(replicaId, views, this.liveReplicas);
    for (const shard of plan.relinquish) {
      // Not released: stopping the renewals lets it expire, so a write of ours still in flight lands before anyone
      // else may take the shard (the same bound as a failover).
      this.holdings.delete(shard);
      log.info({ event: 'lease', shard, liveReplicas: this.liveReplicas }, `relinquishing shard ${shard}: above the fair share of ${this.liveReplicas} live replicas`);
    }
    if (!this.stopped) await Promise.all(plan.acquire.map((shard) => this.take(shard, records.get(shard))));
    this.notify();
  }

  private async renew(shard: number, holding: Holding): Promise<void> {
    const { table, replicaId, timings, clock, log } = this.options;
    const sentAt = clock.now();
    try {
      const record = await table.renew(shard, replicaId, holding.token, timings.leaseDurationMs);
      if (record === undefined) {
        this.holdings.delete(shard);
        log.warn({ event: 'lease', shard, token: holding.token }, `lost shard ${shard}: another replica took it`);
      } else if (this.holdings.get(shard) === holding) {
        this.holdings.set(shard, { token: holding.token, version: record.version, renewedAt: sentAt });
      }
    } catch (error) {
      log.warn({ event: 'lease', shard, err: error }, `renewing shard ${shard} failed; retried next round`);
    }
  }

  private async take(shard: number, previous: LeaseRecord | undefined): Promise<void> {
    const { table, replicaId, timings, clock, log } = this.options;
    const sentAt = clock.now();
    try {
      const record = await table.take(shard, replicaId, previous, timings.leaseDurationMs);
      if (record === undefined || this.stopped) return;
      this.holdings.set(shard, { token: record.token, version: record.version, renewedAt: sentAt });
      log.info({ event: 'lease', shard, token: record.token, previousHolder: previous?.holder }, `acquired shard ${shard} (fencing token ${record.token})`);
    } catch (error) {
      log.warn({ event: 'lease', shard, err: error }, `taking shard ${shard} failed`);
    }
  }

  private notify(): void {
    const held = this.heldShards();
    if (held.length === this.lastHeld.length && held.every((shard, i) => shard === this.lastHeld[i])) return;
    this.lastHeld = held;
    this.options.onChange?.(held);
  }
}
