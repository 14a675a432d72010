import type { AwsError } from '../core/errors.js';

/**
 * One page of a stable, ordered result list. The token is an opaque offset, so a client that pages through
 * while nothing changes sees every item exactly once.
 */
export function pageOf<T>(items: readonly T[], token: string | undefined, pageSize: number, invalidToken: () => AwsError): { page: T[]; next: string | undefined } {
  let start = 0;
  if (token !== undefined && token !== '') {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const match = /^offset:(\d+)$/.exec(decoded);
    if (!match || Number(match[1]) > items.length) throw invalidToken();
    start = Number(match[1]);
  }
  const end = start + pageSize;
  return { page: items.slice(start, end), next: end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : undefined };
}
