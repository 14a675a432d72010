import { describe, expect, it } from 'vitest';
import { Composer, parseAllDocuments, stringify } from 'yaml';
import { parseStructure } from '../../../src/manifest/structure.js';
import { analysisTemplate, baseService, canaryRollout } from './helpers.js';

const LOOSE = { maxDocuments: 1_000_000, maxDepth: 1_000_000 };

const canary = baseService();
canary.spec.rollout = canaryRollout();

/** Half a megabyte or more of each: the old loader handed these to the YAML parser, which ran out of heap or aborted. */
const HOSTILE: Record<string, string> = {
  'a run of "["': '['.repeat(600_000),
  'nested flow mappings': '{a: '.repeat(150_000),
  'compact sequences': '- '.repeat(300_000),
  'a malformed run the parser still nests': 'ab: &x ::'.repeat(70_000),
  'block mappings indented ever deeper': Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
};

describe('parseStructure', () => {
  it.each([
    ['a service', stringify(baseService())],
    ['a canary service', stringify(canary)],
    ['an analysis template', stringify(analysisTemplate())],
    ['JSON', JSON.stringify(canary, null, 2)],
    ['several documents', `${stringify(baseService())}---\n${stringify(canary)}`],
  ])('yields the tokens the YAML library composes into the same documents, for %s', (_shape, text) => {
    const verdict = parseStructure(text, { maxDocuments: 10, maxDepth: 32 });
    if (!verdict.ok) throw new Error(`unexpected limit: ${verdict.limit}`);
    const composed = Array.from(new Composer().compose(verdict.tokens), (doc) => doc.toJS() as unknown);
    expect(composed).toEqual(parseAllDocuments(text).map((doc) => doc.toJS() as unknown));
  });

  it.each(Object.entries(HOSTILE))('stops %s at the depth limit, where it is crossed', (_shape, text) => {
    const verdict = parseStructure(text, { maxDocuments: 10, maxDepth: 32 });
    expect(verdict).toMatchObject({ ok: false, limit: 'depth' });
    expect(verdict.ok ? 0 : verdict.offset).toBeLessThan(2000);
  });

  it('counts documents and stops at the first one over the limit', () => {
    const text = 'a: 1\n---\nb: 1\n---\nc: 1\n';
    expect(parseStructure(text, { maxDocuments: 2, maxDepth: 32 })).toEqual({ ok: false, limit: 'documents', offset: text.lastIndexOf('---') });
    expect(parseStructure(text, { maxDocuments: 3, maxDepth: 32 })).toMatchObject({ ok: true });
    expect(parseStructure('a: 1\n---\n'.repeat(200_000), { maxDocuments: 500, maxDepth: 32 })).toMatchObject({ ok: false, limit: 'documents' });
  });

  it('passes a manifest at exactly the depth limit, and stops it one level lower', () => {
    const text = stringify(baseService());
    const depth = 7;
    expect(parseStructure(text, { ...LOOSE, maxDepth: depth })).toMatchObject({ ok: true });
    expect(parseStructure(text, { ...LOOSE, maxDepth: depth - 1 })).toMatchObject({ ok: false, limit: 'depth' });
  });
});
