import { describe, expect, it } from 'vitest';
import { isMutatingOperation, isThrottlingError, TokenBucket } from '../../../src/aws/index.js';

function clockAt(start = 0) {
  const clock = { t: start, now: () => clock.t, sleep: async (ms: number) => void (clock.t += ms) };
  return clock;
}

describe('TokenBucket', () => {
  it('allows the burst, then spaces calls at the sustained rate', () => {
    const clock = clockAt();
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 3 }, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBe(500);
    expect(bucket.reserve()).toBe(1000);
  });

  it('refills with time but never above the burst', () => {
    const clock = clockAt();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 2 }, clock);
    bucket.reserve();
    bucket.reserve();
    clock.t += 60_000;
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 1000]);
  });

  it('rejects a zero rate', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
  });
});

describe('call classification', () => {
  it.each([
    ['DescribeServices', false],
    ['ListServices', false],
    ['GetMetricData', false],
    ['UpdateService', true],
    ['RegisterTaskDefinition', true],
    ['TagResource', true],
  ])('%s mutating=%s', (operation, mutating) => {
    expect(isMutatingOperation(operation)).toBe(mutating);
  });

  it.each([
    [{ name: 'ThrottlingException' }, true],
    [{ name: 'Throttling' }, true],
    [{ name: 'TooManyRequestsException' }, true],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, true],
    [{ name: 'ClientException' }, false],
    [undefined, false],
  ])('isThrottlingError(%j) = %s', (error, expected) => {
    expect(isThrottlingError(error)).toBe(expected);
  });
});
