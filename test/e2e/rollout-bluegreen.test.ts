/**
 * Blue-green end to end, in-process, on the sandbox's manual clock: the new version comes up behind the preview group
 * with the test rule on it, passes pre-promotion analysis, then waits (autoPromotionEnabled: false) through hours of
 * simulated time until a promote token in the manifest, the pure GitOps flow, completes it. The acceptance
 * scenario (`ecs-reconciler promote`, post-promotion failure) runs with the controller as a process in
 * rollout-run-bluegreen.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLUE_GREEN, PROD_RULE, serviceManifest, startRolloutHarness, TEST_RULE, TG, weightHistory, type Pass, type RolloutHarness } from './rollout-harness.js';

const DELAYS = `      scaleDownDelaySeconds: 30
      abortScaleDownDelaySeconds: 10
`;

let h: RolloutHarness;
const phase = (pass: Pass) => `${pass.rollout?.status?.phase}/${pass.rollout?.status?.subPhase}`;

beforeEach(async () => {
  h = await startRolloutHarness();
  await h.write(serviceManifest('1.0.0', BLUE_GREEN(DELAYS)));
  await h.runUntil((pass) => phase(pass) === 'Stable/Done' && pass.rollout?.status?.stable?.healthyTargets === 2);
});

afterEach(async () => {
  await h.stop();
});

describe('a blue-green rollout', () => {
  it('waits for promote indefinitely, then a promote token in the manifest completes it', async () => {
    await h.write(serviceManifest('2.0.0', BLUE_GREEN(DELAYS)));
    // Settled in the wait: nothing left to send, and nothing to come back for (only a promote moves it on).
    const waiting = await h.runUntil((pass) => phase(pass) === 'Paused/WaitingForPromote' && pass.rollout?.actions.length === 0);
    expect(waiting.report.requeueAfterMs).toBeUndefined();
    expect(waiting.rollout?.analysis.map((run) => [run.runId.split('-').pop(), run.phase])).toEqual([['s1', 'Successful']]);
    for (let i = 0; i < 5; i++) {
      h.advance(600_000);
      expect(phase(await h.pass())).toBe('Paused/WaitingForPromote');
    }
    // Test traffic on the new version, production still all on the old one.
    expect(await h.weights(TEST_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(await h.weights(PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });

    await h.write(serviceManifest('2.0.0', BLUE_GREEN(`${DELAYS}    operator: {promote: "release-2"}\n`)));
    await h.runUntil((pass) => phase(pass) === 'Stable/Done' && pass.rollout?.status?.stable?.hash === waiting.rollout?.hash && !pass.rollout?.status?.canary);
    expect(await h.weights(PROD_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    // Production switched in one move, after the promote.
    expect(weightHistory(await h.calls(), PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([100]);
  });
});
