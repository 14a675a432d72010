import { describe, expect, it } from 'vitest';
import { createLogger, parseLevel } from '../../../src/log/logger.js';
import { settle } from '../controller/fake-time.js';
import { captureLines } from './capture.js';

describe('createLogger', () => {
  it('writes one JSON object per line with an ISO time, a level label and the controller name', () => {
    const out = captureLines();
    createLogger({ destination: out.stream, pretty: false }).info({ cluster: 'prod' }, 'started');
    const [record] = out.records();
    expect(record).toMatchObject({ level: 'info', name: 'ecs-reconciler', cluster: 'prod', msg: 'started' });
    expect(new Date(record?.time as string).toISOString()).toBe(record?.time);
  });

  it('writes JSON by default to a destination that is not a terminal', () => {
    const out = captureLines();
    createLogger({ destination: out.stream }).warn('careful');
    expect(out.records()[0]).toMatchObject({ level: 'warn', msg: 'careful' });
  });

  it('drops lines below the level', () => {
    const out = captureLines();
    const log = createLogger({ destination: out.stream, level: 'warn' });
    log.info('hidden');
    log.error('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });

  it('rejects an unknown level with the valid ones', () => {
    expect(() => createLogger({ level: 'verbose' })).toThrow('invalid log level "verbose": expected one of fatal, error, warn, info, debug, trace, silent');
    expect(parseLevel('debug')).toBe('debug');
  });

  it('redacts credentials', () => {
    const out = captureLines();
    createLogger({ destination: out.stream }).info({ password: 'hunter2', credentials: { secretAccessKey: 'abc' } }, 'x');
    expect(out.lines[0]).not.toMatch(/hunter2|abc/);
    expect(out.records()[0]).toMatchObject({ password: '[redacted]', credentials: { secretAccessKey: '[redacted]' } });
  });

  it('writes one human-readable line per record through pino-pretty in-process when asked', async () => {
    const out = captureLines();
    const log = createLogger({ destination: out.stream, pretty: true });
    log.info({ cluster: 'prod' }, 'started');
    log.info({ event: 'aws-call', api: 'ecs', operation: 'DescribeServices', outcome: 'ok', mutating: false, durationMs: 12 }, 'ecs:DescribeServices ok');
    await settle();
    expect(out.lines.filter((line) => line !== '')).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: started \{"cluster":"prod"\}$/),
      expect.stringMatching(/INFO: ecs:DescribeServices ok \{"event":"aws-call","api":"ecs","operation":"DescribeServices","outcome":"ok","mutating":false,"durationMs":12\}$/),
    ]);
  });
});
