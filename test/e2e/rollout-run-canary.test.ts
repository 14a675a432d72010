/**
 * Canary rollouts driven by the controller as a separate process (`ecs-reconciler run`), issue #6's acceptance
 * scenarios: a good version promotes through 10% -> pause -> analysis -> 50% -> 100%; a version with a high error
 * rate fails analysis and rolls back, Degraded in the process's /metrics and /status and in `ecs-reconciler status`;
 * a version whose tasks never turn healthy never gets traffic and is aborted at the progress deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './apply-harness.js';
import { sampleValue } from './controller-harness.js';
import {
  expectEachStepOnce,
  KEY,
  lastRecord,
  PROD_RULE,
  recordHistory,
  ruleWeights,
  serviceManifest,
  setBehaviour,
  targetStates,
  taskSets,
  TG,
  weightHistory,
} from './rollout-harness.js';
import { canary, PAUSE_SECONDS, startRunRollout } from './rollout-run-harness.js';
import type { RunRollout } from './rollout-run-harness.js';

let h: RunRollout;

beforeEach(async () => {
  h = await startRunRollout(canary(), [PROD_RULE]);
}, 60_000);

afterEach(async () => {
  await h.stop();
});

async function cliStatus(...service: string[]): Promise<string> {
  const result = await runCli(['status', ...service, '--dir', h.dir, '--endpoint-url', h.sandbox.endpoint]);
  expect(result.stderr).toBe('');
  return result.stdout;
}

describe('a canary driven by the controller process', () => {
  it('promotes a good version 10% -> pause -> analysis -> 50% -> 100% and leaves it alone with all the traffic', async () => {
    await h.write(serviceManifest('1.1.0', canary()));
    const hash = await h.untilPromoted(h.start, TG.blue);

    expect((await taskSets(h.clients)).map((set) => [set.status, set.externalId, set.scale?.value])).toEqual([['PRIMARY', hash, 100]]);
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(await targetStates(h.clients, TG.green)).toEqual(['healthy', 'healthy']);
    const calls = await h.calls();
    expectEachStepOnce(calls);
    // The pause held the rollout for its duration (record times are the controller's epoch seconds).
    const startOf = (step: number) => recordHistory(calls).find((record) => record.step === step)?.stepStartedAt ?? NaN;
    expect(startOf(2) - startOf(1)).toBeGreaterThanOrEqual(PAUSE_SECONDS);
    expect(h.guard.violations).toEqual([]);

    // The audit: one decision line per transition, each once, in order, with the schema's fields.
    const decisions = h.controller.lines.filter((line) => line.event === 'decision' && line.key === KEY && line.level !== 'debug' && line.outcome !== 'skipped');
    const rollout = decisions.slice(decisions.findLastIndex((line) => line.action === 'rollout-started'));
    const transitions = rollout.filter((line) => line.action !== 'analysis-measurement' && line.action !== 'analysis-completed').map((line) => line.msg);
    expect(transitions).toEqual([
      `rolling out ${hash}`,
      'canary step 1/5: setWeight 10',
      'canary step 1/5: weight 0 -> 10',
      `canary step 2/5: pause ${PAUSE_SECONDS}s`,
      `canary step 2/5: paused for ${PAUSE_SECONDS}s`,
      `canary step 2/5: pause ended (paused ${PAUSE_SECONDS}s)`,
      'canary step 3/5: analysis error-rate',
      'canary step 4/5: setWeight 50',
      'canary step 4/5: weight 10 -> 50',
      'canary step 5/5: setWeight 100',
      'canary step 5/5: weight 50 -> 100',
      `${hash} promoted`,
    ]);
    expect(rollout.find((line) => line.action === 'set-weight' && line.to === 50)).toMatchObject({ from: 10, to: 50, outcome: 'applied', requestedBy: 'controller', cluster: 'shop', service: 'web' });
    expect(rollout[0]).toMatchObject({ action: 'rollout-started', requestedBy: expect.stringMatching(/^git:/), revision: expect.any(String) });
    const measurements = rollout.filter((line) => line.action === 'analysis-measurement');
    expect(measurements.length).toBeGreaterThanOrEqual(2);
    expect(measurements[0]).toMatchObject({ metric: 'error-rate', phase: 'Successful', value: expect.any(String), successCondition: expect.any(String) });
    expect(rollout.filter((line) => line.action === 'analysis-completed').map((line) => line.phase)).toEqual(['Successful']);

    // The same decisions, kept by the controller, through /status/CLUSTER/SERVICE and `status SERVICE --controller`.
    const detail = (await (await fetch(`${h.controller.url}/status/shop/web`)).json()) as { decisions: { action: string; reason: string }[] };
    expect(detail.decisions.at(-1)).toMatchObject({ action: 'rollout-promoted', reason: `${hash} promoted` });
    expect(detail.decisions.map((entry) => entry.reason)).toContain('canary step 4/5: weight 10 -> 50');
    const printed = await cliStatus('shop/web', '--controller', h.controller.url);
    expect(printed).toContain(`Decisions (from ${h.controller.url}):`);
    expect(printed).toMatch(/set-weight +applied +canary step 4\/5: weight 10 -> 50 +\[controller\]/);
  }, 200_000);

  it('fails analysis on a high error rate and rolls back: Degraded in /metrics, /status and `ecs-reconciler status`', async () => {
    const [stable] = await taskSets(h.clients);
    await setBehaviour(h.sandbox.endpoint, { image: '*web:1.2.*', errorRate: 0.5 });
    await h.write(serviceManifest('1.2.0', canary()));
    await h.untilRolledBack();

    const calls = await h.calls();
    expect(lastRecord(calls)).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    // 100% back on the stable version, which never left; the canary never went past its first 10%.
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect(weightHistory(calls, PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([10, 0]);
    const decided = h.controller.lines.filter((line) => line.event === 'decision' && line.key === KEY);
    const aborted = decided.findIndex((line) => line.action === 'rollout-aborted');
    expect(decided[aborted]).toMatchObject({ outcome: 'applied', requestedBy: 'controller', msg: expect.stringMatching(/^analysis .*: Failed/) });
    expect(decided.slice(aborted).find((line) => line.action === 'set-weight')).toMatchObject({ from: 10, to: 0, msg: 'canary aborted: weight 10 -> 0' });
    expect(decided.filter((line) => line.action === 'analysis-measurement' && line.phase === 'Failed').length).toBeGreaterThanOrEqual(1);
    const live = (await taskSets(h.clients)).filter((set) => set.status !== 'DRAINING');
    expect(live.map((set) => [set.status, set.externalId, set.scale?.value])).toEqual([['PRIMARY', stable?.externalId, 100]]);

    const metrics = await h.controller.metrics();
    expect(sampleValue(metrics, 'ecs_reconciler_rollout_phase', { cluster: 'shop', service: 'web', phase: 'Degraded' })).toBe(1);
    expect(sampleValue(metrics, 'ecs_reconciler_rollouts_total', { strategy: 'Canary', outcome: 'aborted', reason: 'analysis' })).toBe(1);
    expect(sampleValue(metrics, 'ecs_reconciler_analysis_runs_total', { template: 'error-rate', outcome: 'Failed' })).toBe(1);
    expect(sampleValue(metrics, 'ecs_reconciler_service_info', { cluster: 'shop', service: 'web', health_status: 'Degraded' })).toBe(1);

    const service = await h.service();
    expect(service).toMatchObject({ healthStatus: 'Degraded', rollout: { phase: 'Degraded', analysis: [{ template: 'error-rate', status: 'Failed' }] } });
    expect(service?.rollout?.message).toContain('aborted (analysis)');

    // The CLI reads AWS; the controller's page shows its own last pass: both say the same.
    const fromController = await (await fetch(`${h.controller.url}/rollouts/shop/web`)).text();
    for (const detail of [await cliStatus(KEY), fromController]) {
      expect(detail).toContain('Status:    Degraded (Done)');
      expect(detail).toContain('aborted (analysis)');
      expect(detail).toMatch(/s2 \(error-rate\): Failed/);
    }
    expect(await cliStatus()).toMatch(/shop\/web\s+Canary\s+Degraded\/Done/);
    expect(h.guard.violations).toEqual([]);
  }, 200_000);

  it('never routes to a version whose tasks never turn healthy, and aborts it at the progress deadline', async () => {
    await setBehaviour(h.sandbox.endpoint, { image: '*web:1.3.*', healthy: false });
    await h.write(serviceManifest('1.3.0', canary(4)));
    await h.untilRolledBack();

    const calls = await h.calls();
    expect(lastRecord(calls)).toMatchObject({ stage: 'aborted', abortReason: 'deadline' });
    expect(weightHistory(calls, PROD_RULE, TG.green).filter((entry) => entry.canary > 0)).toEqual([]);
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect((await h.service())?.rollout?.message).toContain('aborted (deadline)');
    expect(await cliStatus(KEY)).toContain('aborted (deadline)');
    expect(sampleValue(await h.controller.metrics(), 'ecs_reconciler_rollouts_total', { strategy: 'Canary', outcome: 'aborted', reason: 'deadline' })).toBe(1);
    expect(h.guard.violations).toEqual([]);
  }, 200_000);
});
