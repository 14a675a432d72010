import { describe, expect, it } from 'vitest';
import { recordRolloutMetrics, rolloutHealth, toRolloutSummary } from '../../../src/rollout/engine/index.js';
import type { RolloutReport } from '../../../src/rollout/engine/index.js';
import { canaryReport } from './fixtures.js';

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    metrics: {
      observeRolloutFinished: ({ strategy, outcome, reason, durationSeconds }: { strategy: string; outcome: string; reason?: string; durationSeconds: number }) =>
        calls.push(`rollout ${strategy} ${outcome} ${reason ?? '-'} ${durationSeconds}`),
      countAnalysisRun: (template: string, outcome: string) => calls.push(`analysis ${template} ${outcome}`),
      countRejectedRecord: (key: string, record: string, reason: string) => calls.push(`rejected ${key} ${record} ${reason}`),
    },
  };
}

const aborted = (reason: 'operator' | 'analysis', committed = true): RolloutReport => {
  const base = canaryReport();
  return {
    ...base,
    committed,
    record: { ...base.record!, stage: 'aborted', abortReason: reason },
    events: [{ type: 'Outcome', outcome: 'aborted', hash: base.hash!, durationSeconds: 800, message: 'x' }],
    finishedAnalysis: [{ runId: 'r', templates: ['error-rate', 'latency'], phase: 'Failed' }],
  };
};

const finished = (outcome: 'promoted' | 'superseded'): RolloutReport => {
  const base = canaryReport();
  return { ...base, committed: true, events: [{ type: 'Outcome', outcome, hash: base.hash!, durationSeconds: 300, message: 'x' }], finishedAnalysis: [] };
};

describe('the /status summary', () => {
  it('carries phase, step, weight, when the step began and each template run', () => {
    expect(toRolloutSummary(canaryReport())).toEqual({
      phase: 'Progressing',
      step: 2,
      totalSteps: 5,
      canaryWeight: 10,
      stepStartedAt: '2026-01-01T12:00:00.000Z',
      message: 'analysis 9bc0d1e2f3a4-0-s2 running',
      analysis: [{ template: 'error-rate', status: 'Running' }],
    });
  });

  it('is absent when the pass never reached the state machine', () => {
    const { status: _status, ...failed } = canaryReport();
    expect(toRolloutSummary(failed)).toBeUndefined();
    expect(rolloutHealth(failed)).toBe('Unknown');
  });

  it.each([
    ['Stable', 'Healthy'],
    ['Progressing', 'Progressing'],
    ['Paused', 'Progressing'],
    ['RollingBack', 'Degraded'],
    ['Degraded', 'Degraded'],
  ] as const)('health of phase %s is %s', (phase, health) => {
    const report = canaryReport();
    expect(rolloutHealth({ ...report, status: { ...report.status!, phase } })).toBe(health);
  });
});

describe('metrics', () => {
  it('counts finished rollouts and analysis runs of a committed pass, per template', () => {
    const { calls, metrics } = recorder();
    recordRolloutMetrics(metrics, aborted('analysis'));
    expect(calls).toEqual(['rollout Canary aborted analysis 800', 'analysis error-rate Failed', 'analysis latency Failed']);
  });

  it.each([
    ['an abort by an operator', aborted('operator'), 'rollout Canary aborted operator 800'],
    ['a promotion, with no reason', finished('promoted'), 'rollout Canary promoted - 300'],
    ['a rollout superseded by a newer version, with no reason', finished('superseded'), 'rollout Canary superseded - 300'],
  ])('labels %s by its outcome', (_, report, expected) => {
    const { calls, metrics } = recorder();
    recordRolloutMetrics(metrics, report);
    expect(calls.filter((call) => call.startsWith('rollout '))).toEqual([expected]);
  });

  it('counts every record rejected in a pass, even one that wrote nothing (a held rollout writes nothing)', () => {
    const { calls, metrics } = recorder();
    const held: RolloutReport = {
      ...canaryReport(),
      committed: false,
      events: [
        { type: 'RecordRejected', record: 'rollout', reason: 'unsigned', message: 'x' },
        { type: 'RecordRejected', record: 'analysis', reason: 'forged', message: 'y' },
      ],
    };
    recordRolloutMetrics(metrics, held);
    expect(calls).toEqual(['rejected prod/web rollout unsigned', 'rejected prod/web analysis forged']);
  });

  it('counts nothing when the record write failed: the replay will count it', () => {
    const { calls, metrics } = recorder();
    recordRolloutMetrics(metrics, aborted('analysis', false));
    expect(calls).toEqual([]);
  });
});
