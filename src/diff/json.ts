/** Small helpers over plain JSON-like data, shared by the normalizers. */

export type JsonRecord = { [key: string]: unknown };

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Removes what AWS treats as "not set": undefined, null, empty arrays and empty objects, at any depth.
 * Dates become ISO strings so both sides compare as text. Empty strings and zeros are values and stay.
 */
export function prune(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (isRecord(value)) {
    const out: JsonRecord = {};
    for (const [key, child] of Object.entries(value)) {
      const pruned = prune(child);
      if (pruned !== undefined) out[key] = pruned;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value === null ? undefined : value;
}

/** A stable sort of records by one or more fields; records without the field sort first. */
export function sortByFields<T>(items: readonly T[] | undefined, ...fields: string[]): T[] | undefined {
  if (!items) return undefined;
  const key = (item: T) => fields.map((field) => (isRecord(item) ? String(item[field] ?? '') : String(item))).join('\u0000');
  return [...items].sort((a, b) => compareText(key(a), key(b)));
}

export function sortStrings(items: readonly unknown[] | undefined): unknown[] | undefined {
  return items ? [...items].sort((a, b) => compareText(String(a), String(b))) : undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** AWS coerces numeric strings in number fields ("8080" -> 8080); so does the canonical form. */
export function toNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** Drops `record[field]` when it equals the value AWS assumes for an absent field. */
export function dropDefault(record: JsonRecord, field: string, defaultValue: unknown): void {
  if (record[field] === defaultValue) delete record[field];
}

export function fillDefault(record: JsonRecord, field: string, defaultValue: unknown): void {
  if (record[field] === undefined || record[field] === null) record[field] = defaultValue;
}

export function withoutFields(record: JsonRecord, fields: readonly string[]): JsonRecord {
  const copy = { ...record };
  for (const field of fields) delete copy[field];
  return copy;
}
