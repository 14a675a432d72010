export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/**
 * Maps with at most `limit` calls in flight, results in input order. Thousands of reads started at once would all
 * wait in the client's rate limiter anyway, each holding its request and middleware state: that is memory, not speed.
 */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Follows a token-paged API until it stops returning a token. */
export async function allPages<P>(fetchPage: (token: string | undefined) => Promise<{ items: P[]; next?: string | undefined }>): Promise<P[]> {
  const items: P[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}

export function tagRecord(tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.key !== undefined) record[tag.key] = tag.value ?? '';
  return record;
}
