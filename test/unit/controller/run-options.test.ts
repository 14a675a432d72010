import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseListen, parseLogLevel } from '../../../src/cli/commands/run.js';

describe('run options', () => {
  it.each([
    ['127.0.0.1:9400', { host: '127.0.0.1', port: 9400 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    [':9400', { host: '0.0.0.0', port: 9400 }],
    ['[::1]:9400', { host: '::1', port: 9400 }],
  ])('--listen %s', (value, expected) => {
    expect(parseListen(value)).toEqual(expected);
  });

  it.each(['9400', '127.0.0.1', '127.0.0.1:', '127.0.0.1:70000', 'host:port'])('--listen %s is refused', (value) => {
    expect(() => parseListen(value)).toThrow(InvalidArgumentError);
  });

  it.each([
    ['5m', 300_000],
    ['2s', 2_000],
    ['1h30m', 5_400_000],
    ['45', 45_000],
  ])('duration %s = %d ms', (value, ms) => {
    expect(parseDurationMs(value)).toBe(ms);
  });

  it.each(['0s', '0', '5x', '-1', '1.5s', ''])('duration %j is refused', (value) => {
    expect(() => parseDurationMs(value)).toThrow(InvalidArgumentError);
  });

  it('log levels are checked', () => {
    expect(parseLogLevel('debug')).toBe('debug');
    expect(() => parseLogLevel('loud')).toThrow(/expected one of fatal, error/);
  });
});
