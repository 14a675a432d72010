import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runApply } from '../../../src/cli/commands/apply.js';
import { runController } from '../../../src/cli/commands/run.js';
import type { RunFlags } from '../../../src/cli/commands/run.js';
import { addLimitOptions, inputLimits } from '../../../src/cli/limit-options.js';
import { DEFAULT_INPUT_LIMITS } from '../../../src/manifest/index.js';

function parsed(args: string[], env: Record<string, string> = {}): object {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const command = addLimitOptions(new Command('validate').exitOverride());
    command.parse(args, { from: 'user' });
    return command.opts();
  } finally {
    process.env = saved;
  }
}

describe('input limit options', () => {
  it('default to DEFAULT_INPUT_LIMITS', () => {
    expect(inputLimits(parsed([]))).toEqual(DEFAULT_INPUT_LIMITS);
  });

  it('come from flags, with units, and from ECS_RECONCILER_* variables', () => {
    expect(inputLimits(parsed(['--max-file-size', '256KiB', '--max-depth', '12'], { ECS_RECONCILER_MAX_TOTAL_SIZE: '8MiB', ECS_RECONCILER_MAX_DOCUMENTS: '40' }))).toEqual({
      maxFileBytes: 256 * 1024,
      maxTotalBytes: 8 * 1024 ** 2,
      maxFiles: DEFAULT_INPUT_LIMITS.maxFiles,
      maxDocuments: 40,
      maxDepth: 12,
    });
  });

  it.each([['--max-file-size', 'big'], ['--max-depth', '0'], ['--max-documents', '2.5']])('refuse %s %s', (flag, value) => {
    expect(() => parsed([flag, value])).toThrow(/expected a/);
  });
});

describe('one file where the whole desired state is needed', () => {
  it('apply --prune refuses it: every managed service it does not name would look deleted', async () => {
    await expect(runApply('desired-state/services/web.yaml', { instance: 'ecs-reconciler', prune: true })).rejects.toThrow(
      '--prune needs the whole desired-state folder, and desired-state/services/web.yaml is one file',
    );
  });

  it('run refuses it', async () => {
    await expect(runController({ dir: 'desired-state/services/web.yaml' } as RunFlags)).rejects.toThrow('--dir must be the desired-state folder, and desired-state/services/web.yaml is a file');
  });
});
