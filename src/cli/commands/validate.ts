import type { Command } from 'commander';
import { formatDiagnostics, loadDesiredState, pathFromCwd, validateSnapshot } from '../../manifest/index.js';
import type { DesiredStateSnapshot, InputLimits, ValidationResult } from '../../manifest/index.js';
import { addLimitOptions, inputLimits } from '../limit-options.js';

interface ValidateOptions {
  strict?: boolean;
  json?: boolean;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function summary(snapshot: DesiredStateSnapshot, result: ValidationResult): string {
  const notifications = snapshot.notifications.size > 0 ? `, ${plural(snapshot.notifications.size, 'notification')}` : '';
  const contents = `${plural(snapshot.services.size, 'service')}, ${plural(snapshot.analysisTemplates.size, 'analysis template')}${notifications}`;
  const verdict = result.valid ? 'valid' : 'invalid';
  return `${verdict}: ${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')} (${contents}, revision ${snapshot.revision})`;
}

/** Offline schema and semantic checks; exit code 0 when valid, 1 when not. */
export async function runValidate(dir: string, options: ValidateOptions, limits?: InputLimits): Promise<number> {
  const snapshot = await loadDesiredState(dir, limits);
  const result = validateSnapshot(snapshot, { strict: options.strict ?? false });
  if (options.json) {
    const report = {
      valid: result.valid,
      revision: snapshot.revision,
      root: snapshot.root,
      errors: result.errors,
      warnings: result.warnings,
      services: [...snapshot.services.keys()],
      analysisTemplates: [...snapshot.analysisTemplates.keys()],
      notifications: [...snapshot.notifications.keys()],
      diagnostics: result.diagnostics,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    // The JSON keeps root-relative files next to `root`; text is read in a shell, so its paths start from there.
    const cwd = process.cwd();
    const text = formatDiagnostics(result.diagnostics, { displayFile: (file) => pathFromCwd(snapshot.root, file, cwd) });
    process.stdout.write(`${text ? `${text}\n` : ''}${summary(snapshot, result)}\n`);
  }
  return result.valid ? 0 : 1;
}

export function register(program: Command): void {
  addLimitOptions(program
    .command('validate')
    .description('offline schema and semantic checks of the desired state (exit 0 valid, 1 invalid)')
    .argument('[dir]', 'desired-state folder, or one manifest file', 'desired-state')
    .option('--strict', 'warnings fail validation too')
    .option('--json', 'print the result and diagnostics as JSON'))
    .action(async (dir: string, options: ValidateOptions) => {
      process.exitCode = await runValidate(dir, options, inputLimits(options));
    });
}
