/**
 * Blue-green end to end against the sandbox: the new version comes up behind the preview group with the test rule
 * on it, passes pre-promotion analysis, then waits (autoPromotionEnabled: false) until an operator promotes it,
 * from the CLI (`ecs-reconciler promote`) or from the manifest. A post-promotion analysis failure returns production
 * traffic to the old version, which kept running at full size.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './apply-harness.js';
import { PROD_RULE, serviceManifest, startRolloutHarness, TEST_RULE, TG, weightHistory, type Pass, type RolloutHarness } from './rollout-harness.js';

const BLUE_GREEN = (operator = '') => `    strategy: BlueGreen
    blueGreen:
      activeTargetGroup: shop-blue
      previewTargetGroup: shop-green
      productionListenerRule: ${PROD_RULE}
      testListenerRule: ${TEST_RULE}
      prePromotionAnalysis: {templates: [error-rate]}
      postPromotionAnalysis: {templates: [error-rate]}
      autoPromotionEnabled: false
      scaleDownDelaySeconds: 30
      abortScaleDownDelaySeconds: 10
${operator}`;

let h: RolloutHarness;
const phase = (pass: Pass) => `${pass.rollout?.status?.phase}/${pass.rollout?.status?.subPhase}`;

beforeEach(async () => {
  h = await startRolloutHarness();
  await h.write(serviceManifest('1.0.0', BLUE_GREEN()));
  await h.runUntil((pass) => phase(pass) === 'Stable/Done' && pass.rollout?.status?.stable?.healthyTargets === 2);
});

afterEach(async () => {
  await h.stop();
});

async function waitForPromote(image: string, operator = ''): Promise<Pass> {
  await h.write(serviceManifest(image, BLUE_GREEN(operator)));
  // Settled in the wait: nothing left to send, and nothing to come back for (only a promote moves it on).
  const waiting = await h.runUntil((pass) => phase(pass) === 'Paused/WaitingForPromote' && pass.rollout?.actions.length === 0);
  expect(waiting.report.requeueAfterMs).toBeUndefined();
  expect(waiting.rollout?.analysis.map((run) => [run.runId.split('-').pop(), run.phase])).toEqual([['s1', 'Successful']]);
  // Test traffic on the new version, production still all on the old one.
  expect(await h.weights(TEST_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
  expect(await h.weights(PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
  return waiting;
}

describe('a blue-green rollout', () => {
  it('waits for promote indefinitely, then `ecs-reconciler promote` completes it', async () => {
    const waiting = await waitForPromote('2.0.0');
    for (let i = 0; i < 5; i++) {
      h.advance(600_000);
      expect(phase(await h.pass())).toBe('Paused/WaitingForPromote');
    }
    const status = await runCli(['status', 'shop/web', '--dir', h.dir, '--endpoint-url', h.sandbox.endpoint]);
    expect(status.stdout).toContain('Status:    Paused (WaitingForPromote)');
    expect(status.stdout).toContain('  ▶ 3. pause (until promote)');
    const cli = await runCli(['promote', 'web', '--cluster', 'shop', '--endpoint-url', h.sandbox.endpoint]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^promote requested for shop\/web \(tag ecs-reconciler:request=promote:/);

    await h.runUntil((pass) => phase(pass) === 'Stable/Done' && pass.rollout?.status?.stable?.hash === waiting.rollout?.hash && !pass.rollout?.status?.canary);
    expect(await h.weights(PROD_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    // Production switched in one move, after the promote.
    expect(weightHistory(await h.calls(), PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([100]);
  });

  it('returns traffic to the old version when post-promotion analysis fails (promote from the manifest)', async () => {
    await waitForPromote('3.0.0');
    // The new version turns bad once it takes production traffic.
    await h.setBehaviour({ image: '*web:3.*', errorRate: 0.5 });
    await h.write(serviceManifest('3.0.0', BLUE_GREEN('    operator: {promote: "release-3"}\n')));
    const degraded = await h.runUntil((pass) => phase(pass) === 'Degraded/Done');
    expect(degraded.rollout?.record).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    expect(degraded.rollout?.analysis.map((run) => [run.runId.split('-').pop(), run.phase])).toEqual(expect.arrayContaining([['post', 'Failed']]));
    expect(await h.weights(PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect(await h.weights(TEST_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect(weightHistory(await h.calls(), PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([100, 0]);
    expect(degraded.rollout?.status?.stable).toMatchObject({ scalePercent: 100, running: 2 });
  });
});
