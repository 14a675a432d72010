import { describe, expect, it } from 'vitest';
import { blueGreenStrategy } from '../../../src/rollout/bluegreen.js';
import { REQUEST_TAG } from '../../../src/rollout/index.js';
import type { RolloutStrategySpec } from '../../../src/rollout/types.js';
import { drive, RULE, settled, target, TEST_RULE, TG_BLUE, TG_GREEN, World } from './world.js';


function blueGreen(config: Partial<Parameters<typeof blueGreenStrategy>[0]> = {}): RolloutStrategySpec {
  return blueGreenStrategy(
    { activeTargetGroup: TG_BLUE, previewTargetGroup: TG_GREEN, productionListenerRule: RULE, testListenerRule: TEST_RULE, ...config },
    (ref) => ref,
  );
}

function bgTarget(hash: string, config: Partial<Parameters<typeof blueGreenStrategy>[0]> = {}) {
  const strategy = blueGreen(config);
  return target(hash, strategy);
}

describe('blue-green rollout', () => {
  it('preview at full size, pre-promotion analysis, waits for promote, switches, removes the old after scaleDownDelay', () => {
    const world = World.stableOn('v1', { testRule: true });
    const t = bgTarget('v2', { prePromotionAnalysis: { templates: ['smoke'] }, autoPromotionEnabled: false, scaleDownDelaySeconds: 120 });
    const paused = drive(world, t, { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    expect(paused.phases).toEqual(['Progressing/Creating@0', 'Progressing/ShiftingTraffic@0', 'Progressing/Analyzing@1', 'Paused/WaitingForPromote@2']);
    expect(world.liveHashes()).toEqual(['v1:PRIMARY:100', 'v2:ACTIVE:100']);
    expect(world.weights(TEST_RULE)).toEqual({ [TG_BLUE]: 0, [TG_GREEN]: 100 });
    expect(world.weights(RULE)).toEqual({ [TG_BLUE]: 100, [TG_GREEN]: 0 });
    // Indefinite: nothing happens however long it waits.
    world.now += 86_400_000;
    expect(drive(world, t, { until: () => true }).results[0]?.actions).toEqual([]);

    world.tags[REQUEST_TAG] = 'promote:go';
    const rest = drive(world, t, { until: settled });
    expect(rest.phases).toEqual(['Promoting/ShiftingTraffic', 'Finalizing/SettingPrimary', 'Finalizing/ScaleDownDelay', 'Finalizing/ScalingDown', 'Stable/Done']);
    expect(world.weights(RULE)).toEqual({ [TG_BLUE]: 0, [TG_GREEN]: 100 });
    const finalizingSince = rest.results.find((r) => r.status.phase === 'Finalizing')?.state?.stepStartedAt ?? 0;
    const removedAt = rest.times[rest.results.findIndex((r) => r.actions.some((a) => a.kind === 'DeleteTaskSet'))] ?? 0;
    expect(removedAt / 1000).toBeGreaterThanOrEqual(finalizingSince + 120);
    expect(world.liveHashes()).toEqual(['v2:PRIMARY:100']);
  });

  it('promotes on its own after autoPromotionSeconds', () => {
    const world = World.stableOn('v1', { testRule: true });
    const trace = drive(world, bgTarget('v2', { autoPromotionSeconds: 600 }), { until: settled });
    expect(trace.phases).toContain('Paused/Paused@1');
    const pause = trace.results.find((r) => r.status.subPhase === 'Paused');
    const promoting = trace.results.find((r) => r.status.phase === 'Promoting');
    expect((promoting?.state?.stepStartedAt ?? 0) - (pause?.state?.stepStartedAt ?? 0)).toBeGreaterThanOrEqual(600);
    expect(world.liveHashes()).toEqual(['v2:PRIMARY:100']);
  });

  it('promotes straight after the preview when auto-promotion has no delay', () => {
    const world = World.stableOn('v1');
    const trace = drive(world, bgTarget('v2', { testListenerRule: undefined }), { until: settled });
    expect(trace.phases.slice(0, 3)).toEqual(['Progressing/Creating@0', 'Promoting/ShiftingTraffic', 'Finalizing/SettingPrimary']);
  });

  it('a failed post-promotion analysis sends production back to the old version, which never scaled down', () => {
    const world = World.stableOn('v1', { testRule: true });
    world.analysisResult = (id) => (id.endsWith('post') ? 'Failed' : 'Successful');
    const trace = drive(world, bgTarget('v2', { postPromotionAnalysis: { templates: ['error-rate'] } }), { until: settled });
    expect(trace.phases).toContain('Promoting/Analyzing');
    expect(trace.phases.slice(-4)).toEqual(['Aborting/ShiftingTraffic', 'RollingBack/ScaleDownDelay', 'RollingBack/ScalingDown', 'Degraded/Done']);
    expect(world.weights(RULE)).toEqual({ [TG_BLUE]: 100, [TG_GREEN]: 0 });
    expect(world.weights(TEST_RULE)).toEqual({ [TG_BLUE]: 100, [TG_GREEN]: 0 });
    expect(world.liveHashes()).toEqual(['v1:PRIMARY:100']);
    // The old version kept full size the whole time.
    expect(world.applied.filter((a) => a.kind === 'UpdateTaskSet')).toEqual([]);
  });

  it('abort waits abortScaleDownDelaySeconds before removing the preview', () => {
    const world = World.stableOn('v1', { testRule: true });
    const t = bgTarget('v2', { autoPromotionEnabled: false, abortScaleDownDelaySeconds: 90 });
    drive(world, t, { until: (r) => r.status.subPhase === 'WaitingForPromote' });
    world.tags[REQUEST_TAG] = 'abort:now';
    const trace = drive(world, t, { until: settled });
    const abortedAt = trace.results[0]?.state?.stepStartedAt ?? 0;
    const removal = trace.results.find((r) => r.actions.some((a) => a.kind === 'DeleteTaskSet'));
    expect(Math.floor(world.now / 1000)).toBeGreaterThanOrEqual(abortedAt + 90);
    expect(removal?.status.phase).toBe('RollingBack');
    expect(world.weights(TEST_RULE)).toEqual({ [TG_BLUE]: 100, [TG_GREEN]: 0 });
  });

  it('maps the manifest config to steps', () => {
    expect(blueGreen({ prePromotionAnalysis: { templates: ['a'] }, autoPromotionEnabled: false }).steps.map((s) => s.type)).toEqual(['preview', 'analysis', 'pause']);
    expect(blueGreen({ autoPromotionSeconds: 30 }).steps).toEqual([{ type: 'preview' }, { type: 'pause', seconds: 30 }]);
    expect(blueGreen({}).steps).toEqual([{ type: 'preview' }]);
    expect(blueGreen({})).toMatchObject({ scaleDownDelaySeconds: 30, abortScaleDownDelaySeconds: 30, progressDeadlineSeconds: 600 });
    expect(() => blueGreen({ previewTargetGroup: TG_BLUE })).toThrow(/must be different/);
  });
});
