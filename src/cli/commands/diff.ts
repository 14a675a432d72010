import type { Command } from 'commander';
import { addAwsOptions, runPass } from '../aws-options.js';
import { addLimitOptions, inputLimits } from '../limit-options.js';
import type { AwsFlags } from '../aws-options.js';
import { renderReport, reportJson, useColour } from '../render.js';
import { hasDifferences, manifestErrors } from '../../reconcile/index.js';

interface DiffFlags extends AwsFlags {
  json?: boolean;
}

/** What apply would change; exit 0 in sync, 1 differences, 2 error (bad manifests, AWS unreachable...). */
export async function runDiff(dir: string, flags: DiffFlags): Promise<number> {
  const report = await runPass({ dir, limits: inputLimits(flags) }, flags, { dryRun: true });
  process.stdout.write(flags.json ? reportJson(report) : renderReport(report, { color: useColour(process.stdout), showCalls: false }));
  if (report.error || manifestErrors(report) > 0) return 2;
  return hasDifferences(report) ? 1 : 0;
}

export function register(program: Command): void {
  addAwsOptions(
    addLimitOptions(program
      .command('diff')
      .description('show what apply would change, against the live account or the sandbox (exit 0 in sync, 1 differences, 2 error)')
      .argument('[dir]', 'desired-state folder, or one manifest file', 'desired-state')
      .option('--json', 'print the report as JSON')),
  ).action(async (dir: string, flags: DiffFlags) => {
    try {
      process.exitCode = await runDiff(dir, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler diff: ${(error as Error).message}\n`);
      process.exitCode = 2;
    }
  });
}
