import { describe, expect, it } from 'vitest';
import { REQUEST_TAG } from '../../../src/rollout/index.js';
import type { RolloutAction, RolloutEvent, StepResult } from '../../../src/rollout/index.js';
import { scaleAt, weightAt } from '../../../src/rollout/canary.js';
import type { ResolvedStep } from '../../../src/rollout/types.js';
import { CANARY_STEPS, drive, RULE, settled, target, TG_BLUE, TG_GREEN, World } from './world.js';


/** The canary (green) weights written to the production rule, in order. */
function greenWeights(world: World): number[] {
  return world.applied
    .filter((a): a is Extract<RolloutAction, { kind: 'ModifyRule' }> => a.kind === 'ModifyRule' && a.input.RuleArn === RULE)
    .map((a) => a.input.Actions?.[0]?.ForwardConfig?.TargetGroups?.find((g) => g.TargetGroupArn === TG_GREEN)?.Weight ?? -1);
}

function outcomes(results: StepResult[]): RolloutEvent[] {
  return results.flatMap((r) => r.events).filter((e) => e.type === 'Outcome');
}

const promoteWhenWaiting = (token = 'p1') => (w: World, last: StepResult | undefined) => {
  if (last?.status.subPhase === 'WaitingForPromote') w.tags[REQUEST_TAG] = `promote:${token}-${last.status.step?.index ?? 'x'}`;
};

describe('canary rollout', () => {
  it('runs 10 -> pause 5m -> analysis -> 50 -> pause{} -> promote -> 100 -> finalize', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { react: promoteWhenWaiting(), until: settled });
    expect(trace.phases).toEqual([
      'Progressing/Creating@0',
      'Progressing/ShiftingTraffic@0',
      'Paused/Paused@1',
      'Progressing/Analyzing@2',
      'Progressing/Scaling@3',
      'Progressing/ShiftingTraffic@3',
      'Paused/WaitingForPromote@4',
      'Promoting/Scaling',
      'Promoting/ShiftingTraffic',
      'Finalizing/SettingPrimary',
      'Finalizing/ScaleDownDelay',
      'Finalizing/ScalingDown',
      'Stable/Done',
    ]);
    expect(greenWeights(world)).toEqual([10, 50, 100]);
    expect(world.weights()).toEqual({ [TG_BLUE]: 0, [TG_GREEN]: 100 });
    expect(world.liveHashes()).toEqual(['v2:PRIMARY:100']);
    expect(world.record()).toBeUndefined();
    expect(Object.keys(world.runs)).toEqual(['v2-0-s2']);
    const [promoted] = outcomes(trace.results);
    expect(promoted).toMatchObject({ outcome: 'promoted', hash: 'v2' });
    expect(promoted?.type === 'Outcome' && promoted.durationSeconds).toBeGreaterThanOrEqual(300 + 60);
  });

  it('keeps the pause for its full duration, measured from the step start in the tag', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { until: (r) => r.status.step?.index === 2 });
    const pauseStart = trace.results.findIndex((r) => r.status.subPhase === 'Paused');
    const pauseEnd = trace.results.findIndex((r) => r.status.step?.index === 2);
    const started = trace.results[pauseStart]?.state?.stepStartedAt ?? 0;
    expect(trace.results[pauseEnd]?.state?.stepStartedAt).toBeGreaterThanOrEqual(started + 300);
    const sleeping = trace.results.find((r) => r.status.subPhase === 'Paused' && r.actions.length === 0);
    expect(sleeping?.requeueAfterMs).toBeGreaterThan(290_000);
    expect(sleeping?.requeueAfterMs).toBeLessThanOrEqual(300_000);
  });

  it('writes the step to the tag before the change it describes', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { react: promoteWhenWaiting(), until: settled });
    for (const result of trace.results) {
      const tagAt = result.actions.findIndex((a) => a.kind === 'TagResource');
      if (tagAt >= 0) expect(tagAt).toBe(0);
    }
  });

  it('never gives weight to a version whose tasks never become healthy, and aborts at the progress deadline', () => {
    const world = World.stableOn('v1');
    world.unhealthy.add('v2');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS, progressDeadlineSeconds: 120 }), { until: settled });
    expect(greenWeights(world)).toEqual([]);
    expect(trace.phases).toContain('Progressing/WaitingForHealthy@0');
    expect(trace.phases.at(-1)).toBe('Degraded/Done');
    expect(world.record()).toMatchObject({ stage: 'aborted', abortReason: 'deadline' });
    expect(world.liveHashes()).toEqual(['v1:PRIMARY:100']);
    expect(outcomes(trace.results).map((e) => e.type === 'Outcome' && e.outcome)).toEqual(['aborted']);
  });

  it('aborts on a failed analysis: traffic back to stable first, the canary removed after abortScaleDownDelay', () => {
    const world = World.stableOn('v1');
    world.analysisResult = () => 'Failed';
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { until: settled });
    expect(greenWeights(world)).toEqual([10, 0]);
    expect(trace.phases.slice(-4)).toEqual(['Aborting/ShiftingTraffic', 'RollingBack/ScaleDownDelay', 'RollingBack/ScalingDown', 'Degraded/Done']);
    expect(world.record()).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    const deletedAt = world.applied.findIndex((a) => a.kind === 'DeleteTaskSet');
    const rolledBackAt = world.applied.findLastIndex((a) => a.kind === 'ModifyRule');
    expect(deletedAt).toBeGreaterThan(rolledBackAt);
  });

  it('pauses on an inconclusive analysis until promote', () => {
    const world = World.stableOn('v1');
    world.analysisResult = () => 'Inconclusive';
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    expect(trace.results.at(-1)?.status).toMatchObject({ phase: 'Paused', step: { index: 2 } });
    expect(trace.results.at(-1)?.requeueAfterMs).toBeUndefined();
    world.tags[REQUEST_TAG] = 'promote:go';
    const next = drive(world, target('v2', { steps: CANARY_STEPS }), { until: (r) => r.status.step?.index === 4 });
    expect(next.phases[0]).toBe('Progressing/Scaling@3');
  });

  it('abort from the CLI mid-rollout, then retry runs again from step 0 with a new attempt', () => {
    const world = World.stableOn('v1');
    const t = target('v2', { steps: CANARY_STEPS });
    drive(world, t, { until: (r) => r.status.subPhase === 'Paused' });
    world.tags[REQUEST_TAG] = 'abort:a1';
    const aborted = drive(world, t, { until: settled });
    expect(aborted.results[0]?.events).toContainEqual(expect.objectContaining({ type: 'Outcome', outcome: 'aborted' }));
    expect(world.record()).toMatchObject({ stage: 'aborted', abortReason: 'operator' });
    // The same request seen again does nothing.
    expect(drive(world, t, { until: () => true }).results[0]?.actions).toEqual([]);
    world.tags[REQUEST_TAG] = 'retry:r1';
    const retried = drive(world, t, { react: promoteWhenWaiting('again'), until: settled });
    expect(retried.results[0]?.state).toMatchObject({ stage: 'progressing', step: 0, attempt: 1 });
    expect(Object.keys(world.runs)).toEqual(['v2-1-s2']);
    expect(world.liveHashes()).toEqual(['v2:PRIMARY:100']);
  });

  it('abort set in the manifest holds the stable version and does not start the new one', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS }, { abort: true }), { until: () => true });
    expect(trace.results[0]?.status).toMatchObject({ phase: 'Degraded' });
    expect(trace.results[0]?.actions).toEqual([]);
  });

  it('a manifest promote token acts once; the same token left in place does not promote again', () => {
    const world = World.stableOn('v1');
    const steps: ResolvedStep[] = [{ type: 'setWeight', weight: 10 }, { type: 'pause' }, { type: 'setWeight', weight: 20 }, { type: 'pause' }];
    drive(world, target('v2', { steps }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    const promoted = drive(world, target('v2', { steps }, { promote: 'tok-1' }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    expect(promoted.results.at(-1)?.status.step?.index).toBe(3);
    const again = drive(world, target('v2', { steps }, { promote: 'tok-1' }), { until: () => true });
    expect(again.results[0]?.status).toMatchObject({ subPhase: 'WaitingForPromote', step: { index: 3 } });
  });

  it('promote --full skips the remaining steps but not the gates', () => {
    const world = World.stableOn('v1');
    const t = target('v2', { steps: CANARY_STEPS });
    drive(world, t, { until: (r) => r.status.subPhase === 'Paused' });
    world.tags[REQUEST_TAG] = 'promote-full:f1';
    const trace = drive(world, t, { until: settled });
    expect(trace.phases.slice(0, 2)).toEqual(['Promoting/Scaling', 'Promoting/ShiftingTraffic']);
    expect(greenWeights(world)).toEqual([10, 100]);
    expect(Object.keys(world.runs)).toEqual([]);
  });

  it('a new commit mid-rollout supersedes it: traffic back to stable, old canary removed, new rollout from step 0', () => {
    const world = World.stableOn('v1');
    drive(world, target('v2', { steps: CANARY_STEPS }), { until: (r) => r.status.subPhase === 'Paused' });
    const trace = drive(world, target('v3', { steps: CANARY_STEPS }), { react: promoteWhenWaiting(), until: settled });
    expect(trace.phases.slice(0, 4)).toEqual(['Superseding/ShiftingTraffic@1', 'Superseding/ScalingDown@1', 'Progressing/Creating@0', 'Progressing/ShiftingTraffic@0']);
    expect(greenWeights(world)).toEqual([10, 0, 10, 50, 100]);
    expect(outcomes(trace.results).map((e) => e.type === 'Outcome' && `${e.outcome}:${e.hash}`)).toEqual(['superseded:v2', 'promoted:v3']);
    expect(world.liveHashes()).toEqual(['v3:PRIMARY:100']);
  });

  it('reverting to the stable version mid-rollout rolls back and ends stable without a new rollout', () => {
    const world = World.stableOn('v1');
    drive(world, target('v2', { steps: CANARY_STEPS }), { until: (r) => r.status.subPhase === 'Paused' });
    const trace = drive(world, target('v1', { steps: CANARY_STEPS }), { until: settled });
    expect(trace.phases.at(-1)).toBe('Stable/Done');
    expect(world.record()).toBeUndefined();
    expect(world.weights()).toEqual({ [TG_BLUE]: 100, [TG_GREEN]: 0 });
  });

  it('setCanaryScale runs more canary tasks than its traffic share, and matchTrafficWeight goes back', () => {
    const world = World.stableOn('v1');
    const steps: ResolvedStep[] = [
      { type: 'setCanaryScale', scale: { replicas: 2 } },
      { type: 'setWeight', weight: 10 },
      { type: 'pause' },
      { type: 'setCanaryScale', scale: { matchTrafficWeight: true } },
      { type: 'pause' },
    ];
    drive(world, target('v2', { steps }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    expect(world.liveHashes()).toEqual(['v1:PRIMARY:100', 'v2:ACTIVE:50']);
    expect(greenWeights(world)).toEqual([10]);
    world.tags[REQUEST_TAG] = 'promote:x';
    drive(world, target('v2', { steps }), { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    expect(world.liveHashes()).toEqual(['v1:PRIMARY:100', 'v2:ACTIVE:10']);
  });

  it('background analysis starts at its step, and its failure aborts', () => {
    const world = World.stableOn('v1');
    world.analysisResult = (id) => (id.endsWith('bg0') ? 'Failed' : 'Successful');
    const trace = drive(world, target('v2', { steps: CANARY_STEPS, backgroundAnalysis: { templates: ['latency'], startingStep: 1 } }), { until: settled });
    const start = trace.results.flatMap((r) => r.actions).find((a) => a.kind === 'StartAnalysis');
    expect(start?.input).toMatchObject({ runId: 'v2-0-bg0', background: true });
    expect(world.record()).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
  });

  it('the new version goes to whichever group the stable one is not on', () => {
    const world = World.stableOn('v1');
    drive(world, target('v2', { steps: [{ type: 'setWeight', weight: 50 }] }), { until: settled });
    drive(world, target('v3', { steps: [{ type: 'setWeight', weight: 50 }] }), { until: settled });
    expect(world.taskSets.find((s) => s.externalId === 'v3')?.targetGroupArn).toBe(TG_BLUE);
    expect(world.weights()).toEqual({ [TG_GREEN]: 0, [TG_BLUE]: 100 });
  });
});

describe('canary weight and scale per step', () => {
  const steps: ResolvedStep[] = [
    { type: 'setWeight', weight: 10 },
    { type: 'setCanaryScale', scale: { weight: 40 } },
    { type: 'setWeight', weight: 20 },
    { type: 'setCanaryScale', scale: { replicas: 3 } },
    { type: 'setCanaryScale', scale: { matchTrafficWeight: true } },
    { type: 'pause' },
  ];
  it.each([
    [0, 10, 10],
    [1, 10, 40],
    [2, 20, 40],
    [3, 20, 75],
    [4, 20, 20],
    [5, 20, 20],
  ])('step %i: weight %i, scale %i (desiredCount 4)', (index, weight, scale) => {
    expect(weightAt(steps, index)).toBe(weight);
    expect(scaleAt(steps, index, 4)).toBe(scale);
  });
});
