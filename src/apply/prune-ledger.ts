/**
 * Writes prune's deletion ledger: a tag on the cluster, updated before each deletion (a crash between the two counts
 * one deletion too many, never one too few). Read fresh each time and re-checked against the plan's limit, so two
 * processes pruning the same cluster cannot both spend the same budget; writes to one cluster are serialized here.
 */
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { describeClusters } from '../observe/ecs.js';
import { deletionsWithin, formatLedger, formatWindow, parseLedger, PRUNE_LEDGER_TAG, withDeletions } from '../plan/index.js';

/** Ledger entries are kept at least this long, whatever window a process reads them with. */
const LEDGER_RETENTION_MS = 24 * 60 * 60_000;

export class PruneBudgetSpent extends Error {
  override readonly name = 'PruneBudgetSpent';
}

export class PruneLedgerWriter {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly now: () => number,
  ) {}

  /**
   * Records one deletion in `cluster`, unless the window already holds `limit` (null: forced or approved, no
   * limit). Throws PruneBudgetSpent when it does, and whatever AWS throws: the service must then not be deleted.
   */
  record(cluster: string, limit: number | null, windowMs: number): Promise<void> {
    const previous = this.tails.get(cluster) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.recordNow(cluster, limit, windowMs));
    this.tails.set(cluster, next);
    return next;
  }

  private async recordNow(cluster: string, limit: number | null, windowMs: number): Promise<void> {
    const [described] = await describeClusters(this.ecs, [cluster]);
    if (!described) throw new Error(`cluster ${cluster} does not exist (or is INACTIVE): its prune ledger cannot be written`);
    const now = this.now();
    const entries = parseLedger(described.tags[PRUNE_LEDGER_TAG]);
    if (limit !== null) {
      if (entries === undefined) throw new PruneBudgetSpent(`the ${PRUNE_LEDGER_TAG} tag of cluster ${cluster} does not parse; nothing is deleted there without --force-prune or an approval`);
      const recent = deletionsWithin(entries, now, windowMs);
      if (recent >= limit) {
        throw new PruneBudgetSpent(`cluster ${cluster} already had ${recent} deletions within ${formatWindow(windowMs)} (at most ${limit}): another process pruned meanwhile`);
      }
    }
    const value = formatLedger(withDeletions(entries ?? [], now, 1, Math.max(windowMs, LEDGER_RETENTION_MS)));
    await this.ecs.send(new TagResourceCommand({ resourceArn: described.arn, tags: [{ key: PRUNE_LEDGER_TAG, value }] }));
  }
}
