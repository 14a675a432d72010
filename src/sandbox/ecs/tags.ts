import { invalidParameter } from './errors.js';

export interface Tag {
  key: string;
  value: string;
}

const MAX_TAGS = 50;

/** Validates and merges tags the way TagResource does: same key overwrites, at most 50 per resource. */
export function mergeTags(existing: Tag[], added: unknown): Tag[] {
  const merged = new Map(existing.map((t) => [t.key, t.value]));
  for (const tag of parseTags(added)) merged.set(tag.key, tag.value);
  if (merged.size > MAX_TAGS) throw invalidParameter(`The number of tags exceeds the limit of ${MAX_TAGS}.`);
  return [...merged].map(([key, value]) => ({ key, value }));
}

export function parseTags(input: unknown): Tag[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) throw invalidParameter('tags must be a list of {key, value}.');
  return input.map((tag: { key?: unknown; value?: unknown }) => {
    if (typeof tag?.key !== 'string' || tag.key.length === 0 || tag.key.length > 128) {
      throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    }
    if (tag.value !== undefined && (typeof tag.value !== 'string' || tag.value.length > 256)) {
      throw invalidParameter('Tag values must be at most 256 characters.');
    }
    if (tag.key.toLowerCase().startsWith('aws:')) throw invalidParameter('Tag keys cannot start with the reserved prefix "aws:".');
    return { key: tag.key, value: (tag.value as string | undefined) ?? '' };
  });
}

export function removeTags(existing: Tag[], keys: unknown): Tag[] {
  if (!Array.isArray(keys)) throw invalidParameter('tagKeys must be a list of strings.');
  const drop = new Set(keys);
  return existing.filter((t) => !drop.has(t.key));
}
