/**
 * Blue-green driven by the controller as a separate process (`ecs-reconciler run`), issue #6's acceptance scenario:
 * the new version comes up behind the preview group with the test rule on it, passes pre-promotion analysis and
 * waits (no autoPromotionSeconds) until `ecs-reconciler promote`; a post-promotion analysis failure then returns
 * production traffic to the old version, which kept running at full size.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './apply-harness.js';
import { sampleValue } from './controller-harness.js';
import { until } from './ha-harness.js';
import { BLUE_GREEN, KEY, lastRecord, PROD_RULE, ruleWeights, serviceManifest, setBehaviour, taskSets, TEST_RULE, TG, weightHistory } from './rollout-harness.js';
import { SHORT_DELAYS, startRunRollout } from './rollout-run-harness.js';
import type { RunRollout } from './rollout-run-harness.js';

/** Reconciles of the service (the only one) the controller finishes while the test watches it wait. */
const WAITING_RECONCILES = 3;

let h: RunRollout;

beforeEach(async () => {
  h = await startRunRollout(BLUE_GREEN(SHORT_DELAYS), [PROD_RULE, TEST_RULE]);
}, 60_000);

afterEach(async () => {
  await h.stop();
});

const reconciles = async () => sampleValue(await h.controller.metrics(), 'ecs_reconciler_reconcile_duration_seconds_count') ?? 0;

describe('a blue-green rollout driven by the controller process', () => {
  it('waits for promote after pre-promotion analysis; `ecs-reconciler promote` completes it; a post-promotion failure returns traffic', async () => {
    const [stable] = await taskSets(h.clients);
    await h.write(serviceManifest('2.0.0', BLUE_GREEN(SHORT_DELAYS)));
    const waiting = await until('the new version waiting for promote', async () => {
      const service = await h.service();
      return service?.rollout?.phase === 'Paused' && service.rollout.step === 2 ? service : undefined;
    }, 120_000);
    expect(waiting.rollout?.analysis).toEqual([{ template: 'error-rate', status: 'Successful' }]);

    // It stays there: reconcile after reconcile, nothing is written, test traffic on the new version, production not.
    const [seen, written] = [await reconciles(), (await h.calls()).filter((call) => call.mutating).length];
    await until('more reconciles of the waiting rollout', async () => ((await reconciles()) >= seen + WAITING_RECONCILES ? true : undefined), 30_000);
    expect((await h.service())?.rollout).toMatchObject({ phase: 'Paused', step: 2 });
    expect((await h.calls()).filter((call) => call.mutating)).toHaveLength(written);
    expect(await ruleWeights(h.clients, TEST_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    const status = await runCli(['status', KEY, '--dir', h.dir, '--endpoint-url', h.sandbox.endpoint]);
    expect(status.stdout).toContain('Status:    Paused (WaitingForPromote)');
    expect(status.stdout).toContain('  ▶ 3. pause (until promote)');

    // The new version turns bad while it waits (its pre-promotion analysis already passed): only the post-promotion
    // analysis, once production traffic is on it, can catch it.
    await setBehaviour(h.sandbox.endpoint, { image: '*web:2.*', errorRate: 0.5 });
    const promote = await runCli(['promote', KEY, '--endpoint-url', h.sandbox.endpoint]);
    expect([promote.code, promote.stderr]).toEqual([0, '']);
    expect(promote.stdout).toMatch(/^promote requested for shop\/web \(tag ecs-reconciler:request=promote:/);

    await h.untilRolledBack();
    const calls = await h.calls();
    expect(lastRecord(calls)).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    // Production switched to the new version in one move after the promote, and back in one move.
    expect(weightHistory(calls, PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([100, 0]);
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect(await ruleWeights(h.clients, TEST_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    const live = (await taskSets(h.clients)).filter((set) => set.status !== 'DRAINING');
    expect(live.map((set) => [set.status, set.externalId, set.scale?.value])).toEqual([['PRIMARY', stable?.externalId, 100]]);
    const detail = await runCli(['status', KEY, '--dir', h.dir, '--endpoint-url', h.sandbox.endpoint]);
    expect(detail.stdout).toMatch(/-s1 \(error-rate\): Successful/);
    expect(detail.stdout).toMatch(/-post \(error-rate\): Failed/);
    expect(h.guard.violations).toEqual([]);
  }, 200_000);
});
