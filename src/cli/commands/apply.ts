import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { addAwsOptions, runPass } from '../aws-options.js';
import { addLimitOptions, inputLimits } from '../limit-options.js';
import type { AwsFlags } from '../aws-options.js';
import { renderReport, reportJson, useColour } from '../render.js';
import { hasFailures } from '../../reconcile/index.js';

interface ApplyFlags extends AwsFlags {
  dryRun?: boolean;
  json?: boolean;
  prune?: boolean;
  forcePrune?: boolean;
}

/** One reconcile pass over every manifest; exit 0 when every service is where its manifest wants it, else 1. */
export async function runApply(dir: string, flags: ApplyFlags): Promise<number> {
  if (flags.forcePrune && !flags.prune) throw new Error('--force-prune only makes sense with --prune');
  // One file is not the whole desired state: every managed service it does not name would look deleted.
  if (flags.prune && (await stat(dir).catch(() => undefined))?.isFile()) throw new Error(`--prune needs the whole desired-state folder, and ${dir} is one file`);
  const report = await runPass({ dir, limits: inputLimits(flags) }, flags, { dryRun: flags.dryRun ?? false, prune: flags.prune ?? false, forcePrune: flags.forcePrune ?? false });
  process.stdout.write(flags.json ? reportJson(report) : renderReport(report, { color: useColour(process.stdout), showCalls: true }));
  return hasFailures(report) ? 1 : 0;
}

export function register(program: Command): void {
  addAwsOptions(
    addLimitOptions(program
      .command('apply')
      .description('one reconcile pass over every manifest, then exit (exit 0 ok, 1 some service failed)')
      .argument('[dir]', 'desired-state folder, or one manifest file (not with --prune)', 'desired-state')
      .option('--dry-run', 'plan only: print what would change, send no mutating call')
      .option('--json', 'print the report as JSON')
      .option('--prune', 'delete managed services that no manifest names (scale to 0, then delete)')
      .option('--force-prune', 'with --prune: allow deleting more than the safe share of managed services')),
  ).action(async (dir: string, flags: ApplyFlags) => {
    try {
      process.exitCode = await runApply(dir, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler apply: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });
}
