import { describe, expect, it } from 'vitest';
import { AwsReadHealth } from '../../../src/controller/aws-reads.js';
import { evaluateReadiness } from '../../../src/server/readiness.js';
import { FakeTime } from './fake-time.js';

const read = (outcome: 'ok' | 'throttled' | 'error', errorCode?: string) => ({ api: 'ecs' as const, operation: 'DescribeServices', outcome, mutating: false, ...(errorCode ? { errorCode } : {}) });
const MINUTE = 60_000;

describe('AwsReadHealth', () => {
  it('reports a problem once reads have failed, with no success, for the bound, naming the last failure', () => {
    const time = new FakeTime();
    const health = new AwsReadHealth(time);
    health.observe(read('ok'));
    expect(health.problem(2 * MINUTE)).toBeUndefined();
    health.observe(read('error', 'ECONNREFUSED'));
    time.advance(2 * MINUTE - 1000);
    health.observe(read('error', 'ECONNREFUSED'));
    expect(health.problem(2 * MINUTE)).toBeUndefined();
    time.advance(1000);
    expect(health.problem(2 * MINUTE)).toBe('AWS reads have failed for 2m with no success (last: ecs DescribeServices: ECONNREFUSED); the controller cannot observe, so it reconciles nothing');
    // Without any further call, time alone keeps it failing.
    time.advance(10 * MINUTE);
    expect(health.problem(2 * MINUTE)).toMatch(/failed for 12m/);
  });

  it('a read that succeeds, or is throttled (AWS answered), ends the failure; writes say nothing about reads', () => {
    const time = new FakeTime();
    const health = new AwsReadHealth(time);
    health.observe(read('error', 'ECONNREFUSED'));
    time.advance(5 * MINUTE);
    health.observe({ ...read('ok'), mutating: true, operation: 'UpdateService' });
    expect(health.problem(2 * MINUTE)).toBeDefined();
    health.observe(read('throttled', 'ThrottlingException'));
    expect(health.problem(2 * MINUTE)).toBeUndefined();
    health.observe(read('error', 'InternalFailure'));
    time.advance(MINUTE);
    health.observe(read('ok'));
    time.advance(5 * MINUTE);
    expect(health.problem(2 * MINUTE)).toBeUndefined();
  });

  it('makes readiness fail with the reason, after the folder checks and before the first-sync check', () => {
    const awsUnreachable = 'AWS reads have failed for 2m with no success (last: ecs DescribeServices: ECONNREFUSED)';
    expect(evaluateReadiness({ desiredStateFolderExists: true, desiredStateLoaded: true, firstSyncDone: true, awsUnreachable })).toEqual({ ready: false, reason: awsUnreachable });
    expect(evaluateReadiness({ desiredStateFolderExists: true, desiredStateLoaded: false, firstSyncDone: false, awsUnreachable })).toEqual({ ready: false, reason: awsUnreachable });
    expect(evaluateReadiness({ desiredStateFolderExists: false, desiredStateLoaded: true, firstSyncDone: true, awsUnreachable })).toEqual({ ready: false, reason: 'desired-state folder missing' });
  });
});
