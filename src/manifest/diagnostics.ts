/** Diagnostics: what validation reports, where, and how it prints. */
import path from 'node:path';

export type Severity = 'error' | 'warning';

/** A position in a source file; line and col are 1-based, file is relative to the desired-state root. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic extends SourceLocation {
  severity: Severity;
  /** Stable rule id, e.g. "unknown-field", "fargate-task-size". */
  code: string;
  /** Field path inside the manifest, e.g. spec.taskDefinition.containerDefinitions[0].image ("" for the whole document or file). */
  path: string;
  message: string;
  hint?: string;
}

export type PathSegment = string | number;

/** A problem at a field path inside one manifest, before it is placed in a file. */
export interface Finding {
  at: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
}

/** Places a finding at its position, as a diagnostic. */
export function placeFinding(locate: (path: readonly PathSegment[]) => SourceLocation, finding: Finding): Diagnostic {
  const { at, severity, code, message, hint } = finding;
  return { ...locate(at), severity, code, path: formatPath(at), message, ...(hint !== undefined && { hint }) };
}

/**
 * Renders a field path the way users write it: a.b[0].c, quoting keys that contain dots. Control characters in a
 * key are escaped (JSON leaves DEL and C1 as they are), so a diagnostic never writes them to a terminal.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}]`;
  }
  return out;
}

/** `file:line:col: severity: path: message (hint)`; errors omit the severity word, as compilers do. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const what = d.path === '' ? d.message : `${d.path}: ${d.message}`;
  const hint = d.hint ? ` (${d.hint})` : '';
  return d.severity === 'warning' ? `${where}: warning: ${what}${hint}` : `${where}: ${what}${hint}`;
}

/**
 * A root-relative file path as seen from `cwd`, for printing: `desired-state/services/web.yaml` opens from the
 * shell, `services/web.yaml` only from inside the root.
 */
export function pathFromCwd(root: string, file: string, cwd: string): string {
  return path.relative(cwd, path.resolve(root, file)) || '.';
}

/** Orders diagnostics by file, then position, so output is stable whatever order the rules ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/**
 * One line per diagnostic, in file order. `displayFile` rewrites the root-relative file for printing (see
 * `pathFromCwd`); the order stays that of the root, whatever the rewritten paths look like.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: { displayFile?: (file: string) => string } = {}): string {
  const { displayFile = (file: string) => file } = options;
  return sortDiagnostics(diagnostics)
    .map((d) => formatDiagnostic({ ...d, file: displayFile(d.file) }))
    .join('\n');
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `input` by edit distance (case-insensitive), if it is close enough to be a plausible
 * typo: at most a third of the longer word, and never more than 4 edits.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  const limit = Math.min(4, Math.max(1, Math.floor(Math.max(input.length, best.candidate.length) / 3)));
  return best.distance <= limit ? best.candidate : undefined;
}

export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const match = closestMatch(input, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}
