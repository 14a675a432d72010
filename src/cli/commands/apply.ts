import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import { isHeld } from '../../hold/index.js';
import { loadDesiredState, parseDuration } from '../../manifest/index.js';
import { addAwsOptions, awsClientOptions, recordKeyOption, runPass } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';
import { addLimitOptions, inputLimits } from '../limit-options.js';
import { addPruneBudgetOptions, pruneBudgetOf } from '../prune-options.js';
import type { PruneBudgetFlags } from '../prune-options.js';
import { renderReport, reportJson, useColour } from '../render.js';
import { hasFailures } from '../../reconcile/index.js';
import type { ReconcileReport } from '../../reconcile/index.js';
import { appliedOutcomes } from '../../wait/poll.js';
import { WAIT_EXIT, waitForOutcomes } from '../../wait/wait.js';

interface ApplyFlags extends AwsFlags, PruneBudgetFlags {
  dryRun?: boolean;
  json?: boolean;
  prune?: boolean;
  forcePrune?: boolean;
  wait?: boolean;
  /** With --wait (commander's defaults: 10m and 2s). */
  timeout?: string;
  interval?: string;
}

const DEFAULT_TIMEOUT = '10m';
const DEFAULT_INTERVAL = '2s';

/**
 * One reconcile pass over every manifest; exit 0 when every service is where its manifest wants it, else 1.
 * With `--wait`: then waits until every service it changed is healthy on the desired revision (exit 0), failed or
 * Degraded (1, with the reason), or the timeout passed or AWS failed (2).
 */
export async function runApply(dir: string, flags: ApplyFlags): Promise<number> {
  if (flags.forcePrune && !flags.prune) throw new Error('--force-prune only makes sense with --prune');
  if (flags.wait && flags.dryRun) throw new Error('--wait waits for what apply changed; a dry run changes nothing');
  // One file is not the whole desired state: every managed service it does not name would look deleted.
  if (flags.prune && (await stat(dir).catch(() => undefined))?.isFile()) throw new Error(`--prune needs the whole desired-state folder, and ${dir} is one file`);
  const timeout = flags.timeout ?? DEFAULT_TIMEOUT;
  const timeoutMs = parseDuration(timeout) * 1000;
  const intervalMs = parseDuration(flags.interval ?? DEFAULT_INTERVAL) * 1000;
  const limits = inputLimits(flags);
  const report = await runPass({ dir, limits }, flags, {
    dryRun: flags.dryRun ?? false,
    prune: flags.prune ?? false,
    forcePrune: flags.forcePrune ?? false,
    pruneBudget: pruneBudgetOf(flags),
  });
  process.stdout.write(flags.json ? reportJson(report) : renderReport(report, { color: useColour(process.stdout), showCalls: true }));
  if (!flags.wait) return hasFailures(report) ? 1 : 0;
  if (report.error) return WAIT_EXIT.timeoutOrError;
  const keys = waitedKeys(report);
  const otherFailures = hasFailures({ ...report, services: report.services.filter((service) => !keys.includes(service.key)) });
  if (keys.length === 0) return otherFailures ? WAIT_EXIT.failed : WAIT_EXIT.healthy;
  const snapshot = await loadDesiredState(dir, limits);
  const services = keys.flatMap((key) => snapshot.services.get(key) ?? []);
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    process.stdout.write(`waiting up to ${timeout} for ${keys.join(', ')}\n`);
    const waited = await waitForOutcomes(keys, appliedOutcomes(clients, snapshot, services, { revision: snapshot.revision, instance: flags.instance, ...recordKeyOption() }), {
      timeoutMs,
      intervalMs,
      out: process.stdout,
    });
    return waited === WAIT_EXIT.healthy && otherFailures ? WAIT_EXIT.failed : waited;
  } finally {
    destroyAwsClients(clients);
  }
}

/** What apply changed (or left to the rollout engine), and what it holds: the services whose outcome matters. */
function waitedKeys(report: ReconcileReport): string[] {
  return report.services
    .filter((service) => service.status === 'changed' || service.status === 'not-converged' || service.deferred.length > 0 || isHeld(service.hold))
    .map((service) => service.key);
}

export function register(program: Command): void {
  addPruneBudgetOptions(
  addAwsOptions(
    addLimitOptions(
      program
        .command('apply')
        .description(
          'one reconcile pass over every manifest, then exit (exit 0 ok, 1 some service failed); with --wait, then wait for the outcome (0 healthy, 1 failed, 2 timeout or error)',
        )
        .argument('[dir]', 'desired-state folder, or one manifest file (not with --prune)', 'desired-state')
        .option('--dry-run', 'plan only: print what would change, send no mutating call')
        .option('--json', 'print the report as JSON')
        .option('--prune', 'delete managed services that no manifest names (scale to 0, then delete)')
        .option('--force-prune', 'with --prune: delete past the deletion budget (the deletions are still recorded)')
        .option('--wait', 'then wait until every service apply changed is healthy on the desired revision, or failed')
        .option('--timeout <duration>', 'with --wait: give up after this long (exit 2)', DEFAULT_TIMEOUT)
        .option('--interval <duration>', 'with --wait: how often to look', DEFAULT_INTERVAL),
      ),
    ),
  ).action(async (dir: string, flags: ApplyFlags) => {
    try {
      process.exitCode = await runApply(dir, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler apply: ${(error as Error).message}\n`);
      process.exitCode = flags.wait ? WAIT_EXIT.timeoutOrError : 1;
    }
  });
}
