import { describe, expect, it } from 'vitest';
import { parseJsonPath, selectJsonPath } from '../../../src/rollout/analysis/providers/jsonpath.js';

const doc = {
  data: { ok: true, 'error-rate': 0.02, 500: 7 },
  items: [{ value: 1 }, { value: 2 }, { other: 3 }],
  empty: [],
};

describe('selectJsonPath', () => {
  it.each([
    ['$', doc],
    ['$.data.ok', true],
    ['{$.data.ok}', true],
    [' { $.data.ok } ', true],
    ['$.data.500', 7],
    ["$.data['error-rate']", 0.02],
    ['$["data"]["ok"]', true],
    ['$.items[0].value', 1],
    ['$.items[-1].other', 3],
    ['$.items[*].value', [1, 2]],
    ['$.items.*.value', [1, 2]],
    ['$.data.*', [7, true, 0.02]],
    ['$.empty[*]', []],
    ['$.missing[*].x', []],
  ])('%s', (path, expected) => {
    expect(selectJsonPath(doc, path)).toEqual(expected);
  });

  it.each([
    ['$.data.missing', 'jsonPath "$.data.missing" matched nothing in the response'],
    ['$.items[7]', 'matched nothing'],
    ['$.data.ok.deeper', 'matched nothing'],
    ['$.items.value', 'matched nothing'],
    ['$.constructor', 'matched nothing'],
    ['$.data.__proto__', 'matched nothing'],
    ['data.ok', 'must start with "$"'],
    ['$.', 'expected a field name after "." at 2'],
    ['$.items[x]', "expected .field, [index], ['field'] or [*] at 7"],
    ['$.items[0', "expected .field, [index], ['field'] or [*]"],
  ])('%s fails: %s', (path, message) => {
    expect(() => selectJsonPath(doc, path)).toThrow(message);
  });

  it('parses escaped quotes in bracket names', () => {
    expect(parseJsonPath("$['it\\'s']")).toEqual([{ kind: 'field', name: "it's" }]);
    expect(selectJsonPath({ "it's": 1 }, "$['it\\'s']")).toBe(1);
  });

  it('reads null values that are present', () => {
    expect(selectJsonPath({ a: null }, '$.a')).toBeNull();
  });
});
