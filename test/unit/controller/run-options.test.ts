import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { controllerRecordKey, parseListen, parseLogLevel } from '../../../src/cli/commands/run.js';
import { RecordKey, signRecord, verifyRecord } from '../../../src/integrity/index.js';
import type { Logger } from '../../../src/log/logger.js';
import { parseDurationMs } from '../../../src/cli/durations.js';

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

describe('the record key of `run`', () => {
  const SECRET = 'a-secret-that-must-never-be-printed-0123456789';
  const SERVICE = { resource: 'arn:aws:ecs:us-east-1:123456789012:service/prod/web', tag: 'ecs-reconciler:rollout' };
  const warnings: string[] = [];
  const log = { warn: (_fields: object, message: string) => warnings.push(message) } as unknown as Pick<Logger, 'warn'>;

  it('comes from ECS_RECONCILER_RECORD_KEY, against AWS and the sandbox alike', () => {
    for (const endpointUrl of [undefined, 'http://127.0.0.1:4566']) {
      const key = controllerRecordKey({ ...(endpointUrl ? { endpointUrl } : {}) }, log, { ECS_RECONCILER_RECORD_KEY: SECRET });
      expect(verifyRecord(key, SERVICE, signRecord(RecordKey.fromSecret(SECRET), SERVICE, 'v=1')).ok).toBe(true);
    }
    expect(warnings).toEqual([]);
  });

  it('is required against AWS: the error names the variable', () => {
    expect(() => controllerRecordKey({}, log, {})).toThrow(/ECS_RECONCILER_RECORD_KEY is not set/);
    expect(() => controllerRecordKey({ endpointUrl: 'https://ecs.example.com' }, log, {})).toThrow(/ECS_RECONCILER_RECORD_KEY is not set/);
  });

  it('is generated against the sandbox (a loopback endpoint) when not set, with a warning that says what that means', () => {
    const first = controllerRecordKey({ endpointUrl: 'http://127.0.0.1:4566' }, log, {});
    const second = controllerRecordKey({ endpointUrl: 'http://localhost:4566' }, log, {});
    expect(verifyRecord(second, SERVICE, signRecord(first, SERVICE, 'v=1')).ok).toBe(false);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/generated for this process.*after a restart, rollouts in flight hold/);
  });
});
