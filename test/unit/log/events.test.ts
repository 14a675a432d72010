import { describe, expect, it } from 'vitest';
import { awsCallLogger, logDecision, newReconcileId, reconcileLogger } from '../../../src/log/events.js';
import { createLogger } from '../../../src/log/logger.js';
import { captureLines } from './capture.js';

function setup(level = 'info') {
  const out = captureLines();
  return { out, log: createLogger({ destination: out.stream, level }) };
}

describe('reconcile context', () => {
  it('puts the reconcile id, key, cluster, service and revision on every line of a pass', () => {
    const { out, log } = setup();
    const child = reconcileLogger(log, { reconcileId: 'a1b2c3d4', cluster: 'prod', service: 'checkout', revision: '9f1c2e7' });
    child.info('observed');
    child.info('planned');
    for (const record of out.records()) {
      expect(record).toMatchObject({ reconcileId: 'a1b2c3d4', key: 'prod/checkout', cluster: 'prod', service: 'checkout', revision: '9f1c2e7' });
    }
    expect(out.records()).toHaveLength(2);
  });

  it('leaves revision out when unknown', () => {
    const { out, log } = setup();
    reconcileLogger(log, { reconcileId: 'x', cluster: 'prod', service: 'checkout' }).info('m');
    expect(out.records()[0]).not.toHaveProperty('revision');
  });

  it('makes short, distinct reconcile ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newReconcileId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('logDecision', () => {
  it('writes one line with action, outcome, details and the reason as message', () => {
    const { out, log } = setup();
    logDecision(log, { action: 'set-weight', outcome: 'applied', reason: 'canary step 3: weight 10 -> 25', details: { from: 10, to: 25 } });
    expect(out.records()).toEqual([
      expect.objectContaining({ level: 'info', event: 'decision', action: 'set-weight', outcome: 'applied', from: 10, to: 25, msg: 'canary step 3: weight 10 -> 25' }),
    ]);
  });

  it('raises the level for refusals and failures and keeps the error', () => {
    const { out, log } = setup();
    logDecision(log, { action: 'prune', outcome: 'refused', reason: 'desired set is empty' });
    logDecision(log, { action: 'update-service', outcome: 'failed', reason: 'UpdateService failed', err: new Error('AccessDenied') });
    const [refused, failed] = out.records();
    expect(refused).toMatchObject({ level: 'warn', outcome: 'refused' });
    expect(failed).toMatchObject({ level: 'error', outcome: 'failed', err: { message: 'AccessDenied', type: 'Error' } });
  });

  it('does not let details overwrite the decision fields', () => {
    const { out, log } = setup();
    logDecision(log, { action: 'promote', outcome: 'applied', reason: 'r', details: { action: 'x', outcome: 'y', event: 'z' } });
    expect(out.records()[0]).toMatchObject({ event: 'decision', action: 'promote', outcome: 'applied' });
  });

  it('logs skipped decisions only at debug', () => {
    const { out, log } = setup();
    logDecision(log, { action: 'update-service', outcome: 'skipped', reason: 'in sync' });
    expect(out.lines).toEqual([]);
  });
});

describe('awsCallLogger', () => {
  it('writes one line per AWS write, with a level for its outcome', () => {
    const { out, log } = setup();
    const observe = awsCallLogger(log);
    observe({ api: 'elbv2', operation: 'ModifyRule', outcome: 'ok', durationSeconds: 0.0826, mutating: true });
    observe({ api: 'ecs', operation: 'RegisterTaskDefinition', outcome: 'throttled', durationSeconds: 2, mutating: true });
    observe({ api: 'ecs', operation: 'DescribeServices', outcome: 'ok', durationSeconds: 0.03, mutating: false });
    expect(out.records()).toEqual([
      expect.objectContaining({ level: 'info', event: 'aws-call', api: 'elbv2', operation: 'ModifyRule', outcome: 'ok', durationMs: 83, msg: 'elbv2:ModifyRule ok' }),
      expect.objectContaining({ level: 'warn', operation: 'RegisterTaskDefinition', outcome: 'throttled' }),
    ]);
  });

  it('keeps reads at debug', () => {
    const { out, log } = setup('debug');
    awsCallLogger(log)({ api: 'ecs', operation: 'DescribeServices', outcome: 'error', durationSeconds: 0.03, mutating: false });
    expect(out.records()[0]).toMatchObject({ level: 'debug', operation: 'DescribeServices', mutating: false });
  });
});
