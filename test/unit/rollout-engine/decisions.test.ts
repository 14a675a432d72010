/**
 * The decision audit of rollouts: the decisions a pass logs are derived from what the state machine says changed
 * (steps, pauses, weights, operator requests, outcomes) and the measurements the pass took.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/log/events.js';
import { measurementsTaken, rolloutDecisions } from '../../../src/rollout/engine/decisions.js';
import type { PassFacts } from '../../../src/rollout/engine/decisions.js';
import type { StoredRun } from '../../../src/rollout/engine/index.js';
import { REQUEST_TAG } from '../../../src/rollout/index.js';
import type { RolloutEvent, StepResult } from '../../../src/rollout/index.js';
import type { MetricRun } from '../../../src/rollout/analysis/run.js';
import { parseExpression } from '../../../src/rollout/analysis/expression/index.js';
import { CANARY_STEPS, drive, settled, target, World } from '../rollout/world.js';

function decisionsOf(results: readonly StepResult[], extra: Partial<PassFacts> = {}): Decision[] {
  return results.flatMap((result) =>
    rolloutDecisions({ strategy: 'Canary', revision: 'c0ffee1', events: result.events, measurements: [], finishedAnalysis: [], committed: true, ...extra }),
  );
}

const line = (decision: Decision) => `${decision.action}: ${decision.reason}`;

const promoteWhenWaiting = (world: World, last: StepResult | undefined) => {
  if (last?.status.subPhase === 'WaitingForPromote') world.tags[REQUEST_TAG] = `promote:tok-${last.status.step?.index ?? 'x'}`;
};

describe('rollout decisions', () => {
  it('a promoted canary: every step, weight, pause and the operator promote, in order, once each', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { react: promoteWhenWaiting, until: settled });
    const decisions = decisionsOf(trace.results);
    expect(decisions.map(line)).toEqual([
      'rollout-started: rolling out v2',
      'step: canary step 1/5: setWeight 10',
      'set-weight: canary step 1/5: weight 0 -> 10',
      'step: canary step 2/5: pause 300s',
      'pause-started: canary step 2/5: paused for 300s',
      'pause-ended: canary step 2/5: pause ended (paused 300s)',
      'step: canary step 3/5: analysis error-rate',
      'step: canary step 4/5: setWeight 50',
      'set-weight: canary step 4/5: weight 10 -> 50',
      'step: canary step 5/5: pause until promote',
      'pause-started: canary step 5/5: paused until promote',
      'promote: promoted past step 4',
      'pause-ended: canary step 5/5: pause ended (promoted)',
      'set-weight: canary promoting: weight 50 -> 100',
      'rollout-promoted: v2 promoted',
    ]);
    expect(decisions.find((d) => d.action === 'set-weight' && d.to === 50)).toMatchObject({ from: 10, to: 50, outcome: 'applied', requestedBy: 'controller', details: { step: 3 } });
    expect(decisions.find((d) => d.action === 'promote')).toMatchObject({ outcome: 'applied', requestedBy: 'request:promote:tok-4' });
    expect(decisions[0]).toMatchObject({ requestedBy: 'git:c0ffee1', to: 'v2' });
    expect(decisions.find((d) => d.action === 'pause-started')?.outcome).toBe('waiting');
  });

  it('an analysis failure: the weight goes back to 0 and the abort is the controller\'s', () => {
    const world = World.stableOn('v1');
    world.analysisResult = () => 'Failed';
    const decisions = decisionsOf(drive(world, target('v2', { steps: CANARY_STEPS }), { until: settled }).results);
    const tail = decisions.slice(decisions.findIndex((d) => d.action === 'rollout-aborted'));
    expect(tail.map(line)).toEqual(['rollout-aborted: analysis v2-0-s2: Failed', 'set-weight: canary aborted: weight 10 -> 0']);
    expect(tail[0]).toMatchObject({ requestedBy: 'controller', outcome: 'applied' });
  });

  it('abort and retry name the request that asked; the manifest\'s promote names the git revision', () => {
    const world = World.stableOn('v1');
    const t = target('v2', { steps: CANARY_STEPS });
    drive(world, t, { until: (r) => r.status.subPhase === 'Paused' });
    world.tags[REQUEST_TAG] = 'abort:a1';
    const aborted = decisionsOf(drive(world, t, { until: settled }).results);
    expect(aborted.slice(0, 2)).toMatchObject([
      { action: 'abort', outcome: 'applied', requestedBy: 'request:abort:a1' },
      { action: 'rollout-aborted', requestedBy: 'request:abort:a1' },
    ]);
    world.tags[REQUEST_TAG] = 'retry:r1';
    const retried = decisionsOf(drive(world, t, { until: () => true }).results);
    expect(retried.slice(0, 3).map((d) => [d.action, d.requestedBy])).toEqual([
      ['retry', 'request:retry:r1'],
      ['rollout-started', 'controller'],
      ['step', 'controller'],
    ]);

    const other = World.stableOn('v1');
    const steps = [{ type: 'setWeight', weight: 20 }, { type: 'pause' }] as const;
    drive(other, target('v3', { steps }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    const promoted = decisionsOf(drive(other, target('v3', { steps }, { promote: 'go' }), { until: () => true }).results);
    expect(promoted[0]).toMatchObject({ action: 'promote', outcome: 'applied', requestedBy: 'git:c0ffee1' });
  });

  it('a request with nothing to act on is refused, not silently dropped', () => {
    const events: RolloutEvent[] = [{ type: 'OperatorRequest', request: 'promote', applied: false, message: 'nothing to promote in stage aborted', source: 'cli', requestTag: 'promote:x' }];
    expect(rolloutDecisions({ strategy: 'BlueGreen', revision: 'r', events, measurements: [], finishedAnalysis: [], committed: true })).toEqual([
      { action: 'promote', outcome: 'refused', reason: 'nothing to promote in stage aborted', requestedBy: 'request:promote:x' },
    ]);
  });

  it('a record that failed verification is a refused decision, naming the record and why', () => {
    const events: RolloutEvent[] = [{ type: 'RecordRejected', record: 'rollout', reason: 'forged', message: 'rollout tag ecs-reconciler:rollout has a signature that does not match' }];
    expect(rolloutDecisions({ strategy: 'Canary', revision: 'r', events, measurements: [], finishedAnalysis: [], committed: false })).toEqual([
      {
        action: 'record-rejected',
        outcome: 'refused',
        reason: 'rollout tag ecs-reconciler:rollout has a signature that does not match: not obeyed, the rollout holds',
        requestedBy: 'controller',
        details: { record: 'rollout', verification: 'forged' },
      },
    ]);
  });

  it('a pass whose record write failed made no transition: its decisions are failed, and made again next pass', () => {
    const events: RolloutEvent[] = [{ type: 'WeightChanged', from: 10, to: 50, stage: 'progressing', step: 3, total: 5 }];
    const [decision] = rolloutDecisions({ strategy: 'Canary', revision: 'r', events, measurements: [], finishedAnalysis: [], committed: false });
    expect(decision).toMatchObject({ action: 'set-weight', outcome: 'failed', reason: 'canary step 4/5: weight 10 -> 50' });
  });

  it('each new measurement with its value and the conditions it was judged by; earlier ones are not repeated', () => {
    const metric = (recent: MetricRun['recent']): MetricRun => ({
      name: 'error-rate',
      policy: { initialDelayMs: 0, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, count: 3 },
      successful: recent.length,
      failed: 0,
      inconclusive: 0,
      errors: 0,
      consecutiveErrors: 0,
      ...(recent.length > 0 ? { lastMeasuredAt: recent.at(-1)?.finishedAt ?? 0 } : {}),
      recent,
    });
    const first = { phase: 'Successful' as const, startedAt: 1, finishedAt: 2, value: '[0.01]' };
    const second = { phase: 'Failed' as const, startedAt: 3, finishedAt: 4, value: '[0.5]' };
    const spec = {
      templates: ['error-rate'],
      args: {},
      background: false,
      metrics: [
        {
          name: 'error-rate',
          template: 'error-rate',
          provider: {},
          successCondition: parseExpression('result[0] < 0.05'),
          failureCondition: parseExpression('result[0] >= 0.05'),
          policy: metric([]).policy,
        },
      ],
    } as unknown as StoredRun['spec'];
    const stored = (recent: MetricRun['recent']): StoredRun => ({ runId: 'v2-0-s2', templates: ['error-rate'], tag: String(recent.length), ...(spec ? { spec } : {}), run: { startedAt: 0, metrics: [metric(recent)] } });
    const taken = measurementsTaken(new Map([['v2-0-s2', stored([first])]]), new Map([['v2-0-s2', stored([first, second])]]));
    expect(taken).toEqual([{ runId: 'v2-0-s2', metric: 'error-rate', phase: 'Failed', value: '[0.5]', successCondition: 'result[0] < 0.05', failureCondition: 'result[0] >= 0.05' }]);
    const [decision] = rolloutDecisions({ strategy: 'Canary', revision: 'r', events: [], measurements: taken, finishedAnalysis: [], committed: true });
    expect(decision).toMatchObject({
      action: 'analysis-measurement',
      reason: 'analysis v2-0-s2: error-rate = [0.5]: Failed (success when result[0] < 0.05, failure when result[0] >= 0.05)',
      details: { run: 'v2-0-s2', metric: 'error-rate', value: '[0.5]', phase: 'Failed' },
    });
    expect(measurementsTaken(new Map(), new Map([['v2-0-s2', stored([first])]]))).toHaveLength(1);
  });
});
