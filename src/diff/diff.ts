import equal from 'fast-deep-equal';
import { isRecord } from './json.js';

export type DiffPath = (string | number)[];

export interface FieldChange {
  path: DiffPath;
  kind: 'added' | 'removed' | 'changed';
  desired?: unknown;
  observed?: unknown;
}

/** Fields that identify an element of a list, so that lists are compared element by element and not by position. */
const IDENTITY_FIELDS = ['name', 'key', 'containerName', 'capacityProvider', 'sourceVolume', 'namespace'];

/**
 * Field-level differences from observed to desired. Both sides should be normalized first. Lists whose elements
 * all carry a unique identity (name, key...) are matched by it; the path then holds the element's index on the
 * side it comes from (desired for added/changed, observed for removed).
 */
export function diffValues(desired: unknown, observed: unknown, path: DiffPath = []): FieldChange[] {
  if (equal(desired, observed)) return [];
  if (desired === undefined) return [{ path, kind: 'removed', observed }];
  if (observed === undefined) return [{ path, kind: 'added', desired }];
  if (isRecord(desired) && isRecord(observed)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(observed)])].sort();
    return keys.flatMap((key) => diffValues(desired[key], observed[key], [...path, key]));
  }
  if (Array.isArray(desired) && Array.isArray(observed)) return diffLists(desired, observed, path);
  return [{ path, kind: 'changed', desired, observed }];
}

function diffLists(desired: unknown[], observed: unknown[], path: DiffPath): FieldChange[] {
  const identity = sharedIdentity(desired, observed);
  if (!identity) {
    const length = Math.max(desired.length, observed.length);
    return Array.from({ length }, (_, i) => diffValues(desired[i], observed[i], [...path, i])).flat();
  }
  const observedById = new Map(observed.map((item, index) => [(item as Record<string, unknown>)[identity], { item, index }]));
  const changes = desired.flatMap((item, index) => {
    const id = (item as Record<string, unknown>)[identity];
    const match = observedById.get(id);
    observedById.delete(id);
    return diffValues(item, match?.item, [...path, index]);
  });
  for (const { item, index } of observedById.values()) changes.push({ path: [...path, index], kind: 'removed', observed: item });
  return changes;
}

function sharedIdentity(desired: unknown[], observed: unknown[]): string | undefined {
  const all = [...desired, ...observed];
  if (all.length === 0 || !all.every(isRecord)) return undefined;
  return IDENTITY_FIELDS.find((field) => {
    const unique = (items: unknown[]) => {
      const values = items.map((item) => (item as Record<string, unknown>)[field]);
      return values.every((value) => typeof value === 'string') && new Set(values).size === values.length;
    };
    return unique(desired) && unique(observed);
  });
}

/** `containerDefinitions[0].image`, `tags.team` */
export function formatPath(path: DiffPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const safe = /^[A-Za-z_$][\w$-]*$/.test(segment) ? segment : JSON.stringify(segment);
    return text === '' ? safe : `${text}.${safe}`;
  }, '');
}
