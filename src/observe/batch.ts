export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
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
