/** The input limit options (docs/manifest.md, "Limits"), shared by every command that loads manifests. */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_INPUT_LIMITS, LIMIT_SETTINGS, formatBytes, parseByteSize } from '../manifest/index.js';
import type { InputLimits, LimitSetting } from '../manifest/index.js';

function parseSize(value: string): number {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new InvalidArgumentError(`expected a size such as 1048576, 512KiB or 2MiB, got "${value}"`);
  return bytes;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return count;
}

function optionOf(setting: LimitSetting): Option {
  const value = setting.unit === 'bytes' ? 'size' : 'n';
  const fallback = DEFAULT_INPUT_LIMITS[setting.key];
  return new Option(`${setting.flag} <${value}>`, setting.description)
    .env(setting.env)
    .argParser(setting.unit === 'bytes' ? parseSize : parseCount)
    .default(fallback, setting.unit === 'bytes' ? formatBytes(fallback).replace(' ', '') : String(fallback));
}

export function addLimitOptions(command: Command): Command {
  for (const setting of LIMIT_SETTINGS) command.addOption(optionOf(setting));
  return command;
}

/** The limits from a command's parsed options (each defaults to DEFAULT_INPUT_LIMITS). */
export function inputLimits(flags: object): InputLimits {
  const values = flags as Record<string, unknown>;
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const setting of LIMIT_SETTINGS) {
    const value = values[optionOf(setting).attributeName()];
    if (typeof value === 'number') limits[setting.key] = value;
  }
  return limits;
}
