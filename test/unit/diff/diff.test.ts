import { describe, expect, it } from 'vitest';
import { diffValues, formatPath } from '../../../src/diff/index.js';

describe('diffValues', () => {
  it.each([
    ['equal scalars', 1, 1, []],
    ['changed scalar', { a: 1 }, { a: 2 }, [{ path: ['a'], kind: 'changed', desired: 1, observed: 2 }]],
    ['added field', { a: 1, b: 2 }, { a: 1 }, [{ path: ['b'], kind: 'added', desired: 2 }]],
    ['removed field', { a: 1 }, { a: 1, b: 2 }, [{ path: ['b'], kind: 'removed', observed: 2 }]],
    ['positional list element', { l: [1, 2] }, { l: [1, 3] }, [{ path: ['l', 1], kind: 'changed', desired: 2, observed: 3 }]],
    ['list grew', { l: [1, 2] }, { l: [1] }, [{ path: ['l', 1], kind: 'added', desired: 2 }]],
    ['type change', { a: [1] }, { a: 'x' }, [{ path: ['a'], kind: 'changed', desired: [1], observed: 'x' }]],
  ])('%s', (_case, desired, observed, expected) => {
    expect(diffValues(desired, observed)).toEqual(expected);
  });

  it('matches list elements by name, so an inserted container does not shift the others', () => {
    const desired = { c: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] };
    const observed = { c: [{ name: 'b', image: '2' }, { name: 'old', image: '9' }] };
    expect(diffValues(desired, observed)).toEqual([
      { path: ['c', 0], kind: 'added', desired: { name: 'a', image: '1' } },
      { path: ['c', 1], kind: 'removed', observed: { name: 'old', image: '9' } },
    ]);
  });
});

describe('formatPath', () => {
  it('formats paths like property accessors', () => {
    expect(formatPath(['containerDefinitions', 0, 'image'])).toBe('containerDefinitions[0].image');
    expect(formatPath(['attributes', 'deregistration_delay.timeout_seconds'])).toBe('attributes."deregistration_delay.timeout_seconds"');
  });
});
