import type { RolloutReport } from '../../../src/rollout/engine/index.js';

/** A canary at step 3 of 5 (analysis), 10% on the new version, with a failed run of error-rate. */
export function canaryReport(overrides: Partial<RolloutReport> = {}): RolloutReport {
  return {
    key: 'prod/web',
    strategy: 'Canary',
    hash: '9bc0d1e2f3a4b5c6',
    status: {
      strategy: 'Canary',
      phase: 'Progressing',
      subPhase: 'Analyzing',
      step: { index: 2, total: 5 },
      canaryWeight: 10,
      stable: { hash: '3f2a9c0d1e4b5a67', taskSetArn: 'arn:ts/1', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-blue/1', scalePercent: 100, desired: 4, running: 4, healthyTargets: 4 },
      canary: { hash: '9bc0d1e2f3a4b5c6', taskSetArn: 'arn:ts/2', targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-green/2', scalePercent: 10, desired: 1, running: 1, healthyTargets: 1 },
      analysis: [{ runId: '9bc0d1e2f3a4-0-s2', phase: 'Running' }],
      message: 'analysis 9bc0d1e2f3a4-0-s2 running',
    },
    record: { hash: '9bc0d1e2f3a4b5c6', stage: 'progressing', step: 2, stepStartedAt: 1767268800, startedAt: 1767268000, attempt: 0, backgroundRun: 0, consumed: {} },
    steps: ['setWeight 10', 'pause 60s', 'analysis error-rate', 'setWeight 50', 'setWeight 100'],
    analysis: [
      {
        runId: '9bc0d1e2f3a4-0-s2',
        templates: ['error-rate'],
        phase: 'Running',
        summary: {
          phase: 'Running',
          decision: 'wait',
          metrics: [{ name: 'error-rate', phase: 'Running', successful: 1, failed: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0, message: '1 of 2 measurement(s) taken', lastMeasurement: { phase: 'Successful', startedAt: 0, finishedAt: 0, value: '[0.01]' } }],
        },
      },
    ],
    events: [],
    actions: [],
    requeueAfterMs: 30_000,
    committed: true,
    finishedAnalysis: [],
    decisions: [],
    ...overrides,
  };
}
