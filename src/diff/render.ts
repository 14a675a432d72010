/**
 * Text and JSON renderings of field changes. The text reads like `kubectl diff`: `-` observed, `+` desired, one
 * line per scalar change, and objects or lists as indented YAML-like blocks, one line per field or item.
 */
import { formatPath } from './diff.js';
import type { FieldChange } from './diff.js';
import { isRecord } from './json.js';

export interface RenderOptions {
  color?: boolean;
  /** Printed before the changes, e.g. `prod/checkout task definition`. */
  title?: string;
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', cyan: '\u001b[36m', reset: '\u001b[0m' };

/** A value fits on its key's line, or needs a block of lines below it (indented relative to the key). */
type Rendered = { inline: string } | { block: string[] };

const INDENT = '  ';

/**
 * Scalars print as JSON, so a string "300" never looks like the number 300 (a difference AWS cares about); keys are
 * bare unless quoting is needed to read them back.
 */
function renderKey(key: string): string {
  return /^[\w$][\w$.\-/]*$/.test(key) ? key : JSON.stringify(key);
}

function renderValue(value: unknown): Rendered {
  if (Array.isArray(value)) {
    if (value.length === 0) return { inline: '[]' };
    return { block: value.flatMap((item) => prefixFirst(renderValue(item), '- ')) };
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return { inline: '{}' };
    return { block: entries.flatMap(([key, item]) => keyed(renderKey(key), renderValue(item))) };
  }
  return { inline: JSON.stringify(value) ?? 'null' };
}

/** `key: value` on one line, or `key:` above the value's block. */
function keyed(key: string, rendered: Rendered): string[] {
  return 'inline' in rendered ? [`${key}: ${rendered.inline}`] : [`${key}:`, ...rendered.block.map((line) => INDENT + line)];
}

/** A list item: the marker on the item's first line, its other lines aligned under that first one. */
function prefixFirst(rendered: Rendered, marker: string): string[] {
  if ('inline' in rendered) return [marker + rendered.inline];
  const [first, ...rest] = rendered.block;
  return [marker + (first ?? ''), ...rest.map((line) => ' '.repeat(marker.length) + line)];
}

/** One side of a change, every line carrying the side's sign. */
function sideLines(sign: '-' | '+', where: string, value: unknown): string[] {
  return keyed(where, renderValue(value)).map((line) => `${sign} ${line}`);
}

/** A unified-diff-like listing: `-` observed, `+` desired, one block per changed field. Colour only when asked. */
export function renderText(changes: readonly FieldChange[], options: RenderOptions = {}): string {
  const paint = (colour: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[colour]}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  if (options.title) lines.push(paint('cyan', `@@ ${options.title} @@`));
  for (const change of changes) {
    const where = formatPath(change.path) || '(root)';
    if (change.kind !== 'added') lines.push(...sideLines('-', where, change.observed).map((line) => paint('red', line)));
    if (change.kind !== 'removed') lines.push(...sideLines('+', where, change.desired).map((line) => paint('green', line)));
  }
  return lines.join('\n');
}

/** The same changes as JSON (paths kept as arrays, plus their text form). */
export function renderJson(changes: readonly FieldChange[]): string {
  return JSON.stringify(
    changes.map((change) => ({ ...change, field: formatPath(change.path) })),
    null,
    2,
  );
}
