import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { checkStructure } from '../../../src/manifest/structure.js';
import { analysisTemplate, baseService, canaryRollout } from './helpers.js';

const LOOSE = { maxDocuments: 1_000_000, maxDepth: 1_000_000 };

/** Nesting as the loader's limit means it: a mapping or sequence is one level more than its parent. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

function parsedDepth(text: string): number {
  return Math.max(0, ...parseAllDocuments(text).map((doc) => depthOf(doc.toJS())));
}

function scannedDepth(text: string): number {
  const verdict = checkStructure(text, LOOSE);
  if (!verdict.ok) throw new Error('unexpected limit');
  return verdict.depth;
}

const canary = baseService();
canary.spec.rollout = canaryRollout();

const SHAPES: Record<string, string> = {
  'a service': stringify(baseService()),
  'a canary service': stringify(canary),
  'an analysis template': stringify(analysisTemplate()),
  'JSON on one line': JSON.stringify(baseService()),
  'indented JSON': JSON.stringify(canary, null, 2),
  'flow style': stringify(canary, { collectionStyle: 'flow' }),
  'indentless sequences': 'a:\n- b:\n  - c:\n    - d: 1\n',
  'compact sequences': '- - - - 1\n',
  'compact mappings in sequences': '- a: 1\n  b:\n    - c: [1, {d: 2}]\n',
  'a block scalar holding brackets': 'a:\n  cmd: |\n    [[[[ {{{{\n    "unclosed\n  b: [1]\n',
  'a block scalar with an explicit indent': 'a:\n  cmd: |2\n      [[[[\n  b: {c: 1}\n',
  'quotes holding brackets and colons': 'a: "x: [[[["\nb: \'it\'\'s [[ {\'\nc: plain [with] {brackets}\n',
  'a multi-line quoted key': '"a\n  b": {c: [1]}\n',
  'comments holding brackets': '# [[[[\na: 1 # {{{{\n',
  'anchors, tags and aliases': 'a: &x [1, [2]]\nb: !!seq *x\nc: &y\n  d: {e: 1}\n',
  'several documents': 'a: 1\n---\nb: [1, [2, [3]]]\n...\n---\nc: 1\n',
};

describe('checkStructure', () => {
  it.each(Object.entries(SHAPES))('never under-estimates the nesting of %s, and is exact for it', (_shape, text) => {
    expect(scannedDepth(text)).toBe(parsedDepth(text));
  });

  it('is exact on every manifest the repository ships', async () => {
    const files = ['desired-state/services/checkout.yaml', 'desired-state/services/web.yaml', 'desired-state/.sandbox/seed.yaml'];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(scannedDepth(text), file).toBe(parsedDepth(text));
    }
  });

  it('over-estimates rather than misses the nesting it cannot read exactly', () => {
    // A quoted scalar left open at the end of a line may be a key, so its mapping is counted.
    expect(scannedDepth('a: "x\n  y"\n')).toBeGreaterThanOrEqual(parsedDepth('a: "x\n  y"\n'));
    // A block scalar whose first line is not indented ends at once: the next lines count.
    expect(scannedDepth('a: |\nb: [[1]]\n')).toBe(3);
  });

  it('stops at the first line deeper than the limit, before reading further', () => {
    const text = `a: 1\nb:\n  c:\n    d: [1]\n${'['.repeat(600_000)}`;
    const started = process.hrtime.bigint();
    expect(checkStructure(text, { maxDocuments: 10, maxDepth: 3 })).toEqual({ ok: false, limit: 'depth', offset: text.indexOf('[1]') });
    expect(checkStructure('- '.repeat(500_000), { maxDocuments: 10, maxDepth: 32 })).toEqual({ ok: false, limit: 'depth', offset: 64 });
    expect(checkStructure('{"a": '.repeat(100_000), { maxDocuments: 10, maxDepth: 32 })).toMatchObject({ ok: false, limit: 'depth' });
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(5);
  });

  it('counts documents, including one before the first marker, and stops at the first one over the limit', () => {
    expect(checkStructure('a: 1\n---\nb: 1\n', LOOSE)).toMatchObject({ ok: true, documents: 2 });
    expect(checkStructure('%YAML 1.2\n---\na: 1\n', LOOSE)).toMatchObject({ ok: true, documents: 1 });
    expect(checkStructure('# only a comment\n', LOOSE)).toMatchObject({ ok: true, documents: 0 });
    const text = 'a: 1\n---\nb: 1\n---\nc: 1\n';
    expect(checkStructure(text, { maxDocuments: 2, maxDepth: 32 })).toEqual({ ok: false, limit: 'documents', offset: text.lastIndexOf('---') });
  });

  it('a document marker ends an unclosed quote, so nothing after it can hide from the count', () => {
    const text = `a: "never closed\n---\nb: ${'['.repeat(40)}`;
    expect(checkStructure(text, { maxDocuments: 10, maxDepth: 32 })).toMatchObject({ ok: false, limit: 'depth' });
  });
});
