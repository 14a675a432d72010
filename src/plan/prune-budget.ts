/**
 * The prune deletion budget: how many managed services of one cluster prune may delete within a rolling window.
 * Each deletion is recorded in a tag on its cluster before the service is deleted, so the budget survives restarts
 * and is shared by every process that prunes there (an `apply --prune` in CI, the controller, its replicas).
 * Pure: parsing, formatting and arithmetic; reading and writing the tags is `src/apply/prune-ledger.ts`.
 */

/** On the cluster: recent deletions, `<epoch seconds>:<count>` entries separated by spaces, oldest first. */
export const PRUNE_LEDGER_TAG = 'ecs-reconciler:prune-ledger';
/** On the cluster: an operator's approval (ISO time) until which the budget does not hold prune back there. */
export const PRUNE_APPROVAL_TAG = 'ecs-reconciler:prune-approved-until';

export interface PruneBudget {
  /** Largest share (0..1) of a cluster's managed services deleted within the window. */
  maxShare: number;
  /** Largest number of a cluster's managed services deleted within the window. */
  maxCount: number;
  windowMs: number;
}

export const DEFAULT_PRUNE_BUDGET: PruneBudget = { maxShare: 0.3, maxCount: 5, windowMs: 60 * 60_000 };

/** AWS's limit on a tag value. */
const TAG_VALUE_LIMIT = 256;

export interface LedgerEntry {
  /** Epoch milliseconds (whole seconds). */
  at: number;
  count: number;
}

export function validateBudget(budget: PruneBudget): PruneBudget {
  if (!(budget.maxShare >= 0 && budget.maxShare <= 1)) throw new Error(`the prune budget's share must be between 0 and 1, got ${String(budget.maxShare)}`);
  if (!Number.isInteger(budget.maxCount) || budget.maxCount < 0) throw new Error(`the prune budget's count must be a whole number >= 0, got ${String(budget.maxCount)}`);
  if (!(budget.windowMs > 0)) throw new Error(`the prune budget's window must be longer than 0, got ${String(budget.windowMs)} ms`);
  return budget;
}

/**
 * The entries of a ledger tag value. A value that does not parse (edited by hand, truncated) counts as a full budget
 * spent: `undefined`, which the policy treats as "over budget" rather than as "nothing was deleted".
 */
export function parseLedger(value: string | undefined): LedgerEntry[] | undefined {
  if (value === undefined || value.trim() === '') return [];
  const entries: LedgerEntry[] = [];
  for (const part of value.trim().split(/\s+/)) {
    const match = /^(\d{1,12}):(\d{1,6})$/.exec(part);
    if (!match) return undefined;
    entries.push({ at: Number(match[1]) * 1000, count: Number(match[2]) });
  }
  return entries.sort((a, b) => a.at - b.at);
}

export function formatLedger(entries: readonly LedgerEntry[]): string {
  return entries.map((entry) => `${Math.floor(entry.at / 1000)}:${entry.count}`).join(' ');
}

/** Deletions recorded within the window that ends at `now`. */
export function deletionsWithin(entries: readonly LedgerEntry[], now: number, windowMs: number): number {
  return entries.filter((entry) => entry.at > now - windowMs).reduce((sum, entry) => sum + entry.count, 0);
}

/**
 * The ledger with `count` more deletions at `now`: entries that left the window are dropped, and while the value is
 * too long for a tag the two oldest entries merge at the newer time (counted for longer: never fewer deletions).
 */
export function withDeletions(entries: readonly LedgerEntry[], now: number, count: number, windowMs: number): LedgerEntry[] {
  const at = Math.floor(now / 1000) * 1000;
  const kept = entries.filter((entry) => entry.at > now - windowMs);
  const last = kept.at(-1);
  const next = last?.at === at ? [...kept.slice(0, -1), { at, count: last.count + count }] : [...kept, { at, count }];
  while (formatLedger(next).length > TAG_VALUE_LIMIT && next.length > 1) {
    const [first, second] = next.splice(0, 2) as [LedgerEntry, LedgerEntry];
    next.unshift({ at: second.at, count: first.count + second.count });
  }
  return next;
}

/** The approval's end (epoch ms), or undefined when the tag is absent or not a time. */
export function parseApproval(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const until = Date.parse(value);
  return Number.isNaN(until) ? undefined : until;
}

/** How many deletions the window may hold for a cluster whose managed services, counting those deleted within it, number `population`. */
export function allowedDeletions(budget: PruneBudget, population: number): number {
  // The epsilon keeps 0.29 * 100 from flooring to 28.
  return Math.min(budget.maxCount, Math.floor(budget.maxShare * population + 1e-9));
}

/** `3600000` -> `1h`, `90000` -> `1m30s`: how refusals and logs name the window. */
export function formatWindow(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  return parts.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`).join('') || '0s';
}
