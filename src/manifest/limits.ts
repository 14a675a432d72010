/**
 * Bounds on what the loader reads, so that no folder content can exhaust the controller's heap or hold it up: the
 * YAML parser's memory and time grow with size, and faster still with nesting, so both are bounded before it runs.
 * One table drives the defaults, the CLI flags, the ECS_RECONCILER_* variables and the messages naming them.
 */

export interface InputLimits {
  /** Largest manifest file, in bytes; a larger file is rejected from its size alone, without being read. */
  maxFileBytes: number;
  /** Largest sum of all manifest file sizes; a larger folder is not read at all. */
  maxTotalBytes: number;
  /** Most manifest files in the folder (each costs memory however small); a folder with more is not read at all. */
  maxFiles: number;
  /** Most YAML documents, or manifests in a top-level list, per file. */
  maxDocuments: number;
  /** Deepest nesting of mappings and sequences (a document that is a plain mapping is 1 deep). */
  maxDepth: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = {
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxFiles: 20_000,
  maxDocuments: 500,
  maxDepth: 32,
};

export interface LimitSetting {
  key: keyof InputLimits;
  flag: string;
  env: string;
  /** Sizes take units (512KiB, 1MiB); counts are plain integers. */
  unit: 'bytes' | 'count';
  description: string;
}

export const LIMIT_SETTINGS: readonly LimitSetting[] = [
  { key: 'maxFileBytes', flag: '--max-file-size', env: 'ECS_RECONCILER_MAX_FILE_SIZE', unit: 'bytes', description: 'largest manifest file (e.g. 512KiB, 2MiB)' },
  { key: 'maxTotalBytes', flag: '--max-total-size', env: 'ECS_RECONCILER_MAX_TOTAL_SIZE', unit: 'bytes', description: 'largest sum of all manifest files' },
  { key: 'maxFiles', flag: '--max-files', env: 'ECS_RECONCILER_MAX_FILES', unit: 'count', description: 'most manifest files in the folder' },
  { key: 'maxDocuments', flag: '--max-documents', env: 'ECS_RECONCILER_MAX_DOCUMENTS', unit: 'count', description: 'most YAML documents (or list items) per file' },
  { key: 'maxDepth', flag: '--max-depth', env: 'ECS_RECONCILER_MAX_DEPTH', unit: 'count', description: 'deepest nesting of mappings and sequences' },
];

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "1048576", "512KiB", "2MiB" or "1GiB" (KB/MB are read as binary units too) -> bytes; undefined if not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match ? UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || factor === undefined) return undefined;
  const bytes = Math.floor(Number(match[1]) * factor);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 1048576 -> "1 MiB", 40000000 -> "38.15 MiB", 1000 -> "1000 bytes": what a limit message prints. */
export function formatBytes(bytes: number): string {
  for (const [unit, factor] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= factor) return `${Math.round((bytes / factor) * 100) / 100} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** How a message names the setting that raises a limit. */
export function limitSettingName(key: keyof InputLimits): string {
  const setting = LIMIT_SETTINGS.find((s) => s.key === key);
  return setting ? `${setting.flag} / ${setting.env}` : key;
}
