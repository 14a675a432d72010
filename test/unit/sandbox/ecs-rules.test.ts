import { describe, expect, it } from 'vitest';
import { BehaviourBook } from '../../../src/sandbox/core/behaviours.js';
import { isValidFargateSize, normalizeCpu, normalizeMemory } from '../../../src/sandbox/ecs/fargate.js';
import { TimerHeap } from '../../../src/sandbox/ecs/heap.js';
import { paginate } from '../../../src/sandbox/ecs/pagination.js';
import { circuitBreakerThreshold } from '../../../src/sandbox/ecs/rollout.js';

describe('Fargate sizes', () => {
  it.each([
    [256, 512, true],
    [256, 3072, false],
    [512, 4096, true],
    [1024, 1024, false],
    [4096, 30720, true],
    [8192, 20480, true],
    [8192, 18432, false],
    [16384, 122880, true],
    [300, 1024, false],
  ])('cpu %i with memory %i valid: %s', (cpu, memory, valid) => {
    expect(isValidFargateSize(cpu, memory)).toBe(valid);
  });

  it('normalizes unit strings to units', () => {
    expect(normalizeCpu('1 vCPU')).toBe('1024');
    expect(normalizeCpu('.25 vcpu')).toBeUndefined();
    expect(normalizeCpu('0.25 vcpu')).toBe('256');
    expect(normalizeMemory('2 GB')).toBe('2048');
    expect(normalizeMemory('512')).toBe('512');
    expect(normalizeMemory('lots')).toBeUndefined();
  });
});

describe('circuitBreakerThreshold', () => {
  it.each([
    [1, 3],
    [6, 3],
    [7, 4],
    [100, 50],
    [1000, 200],
  ])('desired %i -> %i', (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });
});

describe('paginate', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  it('walks all pages with tokens that survive inserts', () => {
    const first = paginate(items, (x) => x, { maxResults: 2 });
    expect(first.page).toEqual(['a', 'b']);
    const second = paginate(['a', 'aa', ...items.slice(1)], (x) => x, { maxResults: 2, nextToken: first.nextToken });
    expect(second.page).toEqual(['c', 'd']);
    expect(paginate(items, (x) => x, { maxResults: 5 }).nextToken).toBeUndefined();
  });

  it('rejects maxResults out of range', () => {
    expect(() => paginate(items, (x) => x, { maxResults: 0 })).toThrow('maxResults must be between 1 and 100.');
  });
});

describe('TimerHeap', () => {
  it('pops only due items, earliest first', () => {
    const heap = new TimerHeap<string>();
    for (const [at, value] of [[30, 'c'], [10, 'a'], [20, 'b'], [40, 'd']] as const) heap.push(at, value);
    const popped: string[] = [];
    for (let value = heap.popDue(30); value !== undefined; value = heap.popDue(30)) popped.push(value);
    expect(popped).toEqual(['a', 'b', 'c']);
    expect(heap.peekAt()).toBe(40);
  });
});

describe('BehaviourBook', () => {
  it('prefers a family rule over an image rule, and the latest rule of a kind', () => {
    const book = new BehaviourBook();
    book.set(BehaviourBook.parse([{ image: '*checkout:*', errorRate: 0.1 }, { image: '*:1.5*', healthy: false }, { family: 'checkout', latencyMs: 500 }]));
    expect(book.resolve('checkout', 'ecr/checkout:1.5.0')).toMatchObject({ family: 'checkout', latencyMs: 500 });
    expect(book.resolve('other', 'ecr/checkout:1.5.0')).toMatchObject({ healthy: false });
    expect(book.resolve('other', 'nginx:1')).toMatchObject({ healthy: true, errorRate: 0 });
    book.set(BehaviourBook.parse({ image: '*:1.5*', healthy: true }));
    expect(book.list()).toHaveLength(3);
  });

  it('answers lifecycle hooks per target ARN glob: the latest matching rule, else success at once', () => {
    const book = new BehaviourBook();
    book.set(BehaviourBook.parse([{ hookTargetArn: '*:function:smoke*', hookStatus: 'FAILED' }, { hookTargetArn: '*:function:smoke-slow', hookInProgressSeconds: 30 }]));
    expect(book.hook('arn:aws:lambda:us-east-1:1:function:smoke-fast')).toMatchObject({ hookStatus: 'FAILED', hookInProgressSeconds: 0 });
    expect(book.hook('arn:aws:lambda:us-east-1:1:function:smoke-slow')).toMatchObject({ hookStatus: 'SUCCEEDED', hookInProgressSeconds: 30 });
    expect(book.hook('arn:aws:lambda:us-east-1:1:function:other')).toMatchObject({ hookStatus: 'SUCCEEDED', hookInProgressSeconds: 0 });
    expect(book.resolve('web', 'nginx:1')).toMatchObject({ healthy: true });
    expect(book.list()).toHaveLength(2);
    expect(() => BehaviourBook.parse({ hookTargetArn: 'x', hookStatus: 'MAYBE' })).toThrow(/invalid behaviour/);
  });

  it('rejects a behaviour without a selector', () => {
    expect(() => BehaviourBook.parse({ healthy: false })).toThrow(/image.*family/);
  });
});
