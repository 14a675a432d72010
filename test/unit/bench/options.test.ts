import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseBenchArgs } from '../../../bench/lib/options.js';

describe('parseBenchArgs', () => {
  it('defaults to 100, 1,000 and 5,000 services at 30 ms', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.services).toEqual([100, 1000, 5000]);
    expect(DEFAULT_OPTIONS.latencyMs).toBe(30);
  });

  it('reads flags with separate or inline values', () => {
    const options = parseBenchArgs(['--services', '1000', '--latency-ms=50', '--clusters', '2', '--trials', '10', '--throttle', '0.2', '--only', 'steady,latency']);
    expect(options).toMatchObject({ services: [1000], latencyMs: 50, clusters: 2, trials: 10, throttleRate: 0.2 });
    expect([...(options.only ?? [])]).toEqual(['steady', 'latency']);
  });

  it('takes a list of service counts', () => {
    expect(parseBenchArgs(['--services', '100,500']).services).toEqual([100, 500]);
  });

  it.each([
    [['--services', '0'], /--services must be a positive integer/],
    [['--services'], /--services needs a value/],
    [['--throttle', '1.5'], /--throttle must be a number in 0\.\.0\.9/],
    [['--only', 'cold,warp'], /unknown scenario\(s\) warp/],
    [['--fast'], /unknown option --fast/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
