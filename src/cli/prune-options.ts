/** The prune budget's options, shared by `apply` and `run` so both enforce the same configured policy. */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_PRUNE_BUDGET, formatWindow } from '../plan/index.js';
import type { PruneBudget } from '../plan/index.js';
import { parseDurationMs } from './durations.js';

/** Commander fills in the defaults; a caller that builds flags by hand may leave them out (DEFAULT_PRUNE_BUDGET applies). */
export interface PruneBudgetFlags {
  pruneMaxShare?: number;
  pruneMaxCount?: number;
  pruneWindow?: number;
}

function parseShare(value: string): number {
  const share = Number(value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : value);
  if (value.trim() === '' || !(share >= 0 && share <= 1)) throw new InvalidArgumentError(`expected a share between 0 and 1 (or 0% to 100%), got "${value}"`);
  return share;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (value.trim() === '' || !Number.isInteger(count) || count < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return count;
}

export function addPruneBudgetOptions(command: Command): Command {
  const { maxShare, maxCount, windowMs } = DEFAULT_PRUNE_BUDGET;
  return command
    .addOption(
      new Option('--prune-max-share <share>', 'prune deletes at most this share of a cluster\'s managed services per window (0.3 or 30%)').env('ECS_RECONCILER_PRUNE_MAX_SHARE').argParser(parseShare).default(maxShare),
    )
    .addOption(new Option('--prune-max-count <n>', 'prune deletes at most this many of a cluster\'s managed services per window').env('ECS_RECONCILER_PRUNE_MAX_COUNT').argParser(parseCount).default(maxCount))
    .addOption(
      new Option('--prune-window <duration>', 'the rolling window of the prune budget (deletions are recorded on the cluster)')
        .env('ECS_RECONCILER_PRUNE_WINDOW')
        .argParser(parseDurationMs)
        .default(windowMs, formatWindow(windowMs)),
    );
}

export function pruneBudgetOf(flags: PruneBudgetFlags): Partial<PruneBudget> {
  return {
    ...(flags.pruneMaxShare !== undefined ? { maxShare: flags.pruneMaxShare } : {}),
    ...(flags.pruneMaxCount !== undefined ? { maxCount: flags.pruneMaxCount } : {}),
    ...(flags.pruneWindow !== undefined ? { windowMs: flags.pruneWindow } : {}),
  };
}
