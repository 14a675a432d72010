import { invalidParameter } from './errors.js';

/**
 * ECS-style pages over items sorted by `key` (ascending, or descending with `descending`). The token names the last key returned, so a page stays correct
 * when items are added or removed between calls.
 */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  input: { maxResults?: number; nextToken?: string },
  options: { maxLimit?: number; descending?: boolean } = {},
): { page: T[]; nextToken?: string } {
  const maxLimit = options.maxLimit ?? 100;
  const max = input.maxResults ?? maxLimit;
  if (!Number.isInteger(max) || max < 1 || max > maxLimit) throw invalidParameter(`maxResults must be between 1 and ${maxLimit}.`);
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken);
  const isPast = (item: T) => (options.descending ? key(item) < after! : key(item) > after!);
  const start = after === undefined ? 0 : items.findIndex(isPast);
  if (start === -1) return { page: [] };
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return more ? { page, nextToken: Buffer.from(key(page[page.length - 1]!)).toString('base64url') } : { page };
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (decoded.length === 0) throw invalidParameter('Invalid nextToken.');
  return decoded;
}
