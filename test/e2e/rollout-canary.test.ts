/**
 * Canary rollouts end to end: the reconcile pass (plan + rollout engine) against the sandbox over HTTP, on the
 * sandbox's manual clock. A good version promotes through 10% -> pause -> analysis -> 50% -> 100%; a version with
 * a high error rate fails analysis and rolls back; a version that never turns healthy never gets traffic and is
 * aborted at the progress deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTaskSetsCommand } from '@aws-sdk/client-ecs';
import { runCli } from './apply-harness.js';
import { collectStatus, renderStatus } from '../../src/cli/commands/status.js';
import { loadDesiredState } from '../../src/manifest/index.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { recordRolloutMetrics, rolloutHealth, toRolloutSummary } from '../../src/rollout/engine/index.js';
import { CANARY, KEY, serviceManifest, startOnFirstVersion, TG, weightHistory, PROD_RULE, type RolloutHarness, type Pass } from './rollout-harness.js';

const STEPS = `        - setWeight: 10
        - pause: {duration: 30s}
        - analysis: {templates: [error-rate]}
        - setWeight: 50
        - setWeight: 100
`;

let h: RolloutHarness;

beforeEach(async () => {
  // First version: the service, its first task set, made primary, healthy.
  h = await startOnFirstVersion(CANARY(STEPS));
});

afterEach(async () => {
  await h.stop();
});

const phase = (pass: Pass) => pass.rollout?.status?.phase;

async function taskSets() {
  return (await h.clients.ecs.send(new DescribeTaskSetsCommand({ cluster: 'shop', service: 'web' }))).taskSets ?? [];
}

describe('a settled canary service', () => {
  it('costs one batched observation plus the health of its two target groups, and no write', async () => {
    await h.runUntil((pass) => pass.rollout?.actions.length === 0);
    const before = (await h.calls()).at(-1)?.seq ?? 0;
    await h.pass();
    const calls = (await h.calls()).filter((call) => call.seq > before).map((call) => `${call.service}.${call.operation}`);
    expect(calls.sort()).toEqual([
      'autoscaling.DescribeScalableTargets',
      'ecs.DescribeServices',
      'ecs.DescribeTaskDefinition', // a fresh cache each pass here; a controller reads it once
      'ecs.DescribeTaskSets',
      'elbv2.DescribeRules',
      'elbv2.DescribeTargetGroups',
      'elbv2.DescribeTargetHealth',
      'elbv2.DescribeTargetHealth',
    ]);
  });
});

describe('a canary rollout', () => {
  it('promotes a good version step by step and leaves one task set with all the traffic', async () => {
    await h.write(serviceManifest('1.1.0', CANARY(STEPS)));
    const phases = new Set<string>();
    const analysis: string[] = [];
    const done = await h.runUntil((pass) => {
      phases.add(`${phase(pass)}:${pass.rollout?.status?.step?.index ?? '-'}`);
      for (const run of pass.rollout?.analysis ?? []) {
        for (const metric of run.summary?.metrics ?? []) analysis.push(`${run.runId.split('-').pop()} ${run.phase} ${metric.successful}/${metric.failed} ${metric.lastMeasurement?.value ?? ''}`);
      }
      return phase(pass) === 'Stable' && pass.rollout?.status?.stable?.hash === pass.rollout?.hash && pass.rollout?.status?.canary === undefined;
    });
    expect(done.report.services[0]?.status).not.toBe('failed');
    expect([...phases]).toEqual(expect.arrayContaining(['Progressing:0', 'Paused:1', 'Progressing:2', 'Progressing:3']));
    // The analysis step measured the canary's real error rate twice (0 here), from the ALB's CloudWatch metrics.
    expect(analysis).toContain('s2 Successful 2/0 [0]');

    // One task set left (the old one drains away), all the weight on it, the other group drained.
    h.advance(30_000);
    await h.pass();
    const sets = await taskSets();
    expect(sets.map((set) => [set.status, set.externalId])).toEqual([['PRIMARY', done.rollout?.hash]]);
    expect(await h.weights()).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    expect(await h.targets(TG.blue)).toEqual([]);
    expect((await h.targets(TG.green)).every((state) => state === 'healthy')).toBe(true);

    // The production rule went 10 -> 50 -> 100, each weight written once, always adding up to 100.
    const history = weightHistory(await h.calls(), PROD_RULE, TG.green);
    expect(history.map((entry) => entry.canary)).toEqual([10, 50, 100]);
    expect(history.every((entry) => entry.total === 100)).toBe(true);
  });
});

describe('a bad canary', () => {
  it('fails analysis on a high error rate and rolls back: Degraded in metrics and in status', async () => {
    await h.setBehaviour({ image: '*web:1.2.*', errorRate: 0.5 });
    await h.write(serviceManifest('1.2.0', CANARY(STEPS)));
    const metrics = createMetrics({ version: 'test', processMetrics: false });
    const degraded = await h.runUntil((pass) => {
      if (pass.rollout) recordRolloutMetrics(metrics, pass.rollout);
      return phase(pass) === 'Degraded';
    });
    const rollout = degraded.rollout!;
    expect(rollout.record).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    expect(rollout.analysis.map((run) => run.phase)).toEqual(['Failed']);
    expect(await h.weights()).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    // The new task set is removed; the old one stays primary at full size.
    const sets = (await taskSets()).filter((set) => set.status !== 'DRAINING');
    expect(sets.map((set) => [set.status, set.scale?.value])).toEqual([['PRIMARY', 100]]);

    metrics.setServiceStatus({ key: KEY, cluster: 'shop', service: 'web', strategy: 'Canary', syncStatus: 'Synced', healthStatus: rolloutHealth(rollout), rollout: toRolloutSummary(rollout)! });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ecs_reconciler_rollout_phase{cluster="shop",service="web",phase="Degraded"} 1');
    expect(text).toContain('ecs_reconciler_rollouts_total{strategy="Canary",outcome="aborted",reason="analysis"} 1');
    expect(text).toContain('ecs_reconciler_analysis_runs_total{template="error-rate",outcome="Failed"} 1');
    expect(text).toContain('health_status="Degraded"');

    const snapshot = await loadDesiredState(h.dir);
    const detail = renderStatus(await collectStatus(h.clients, snapshot, KEY, () => h.clock.now()), { json: false, single: true });
    expect(detail).toContain('Status:    Degraded (Done)');
    expect(detail).toMatch(/s2 \(error-rate\): Failed/);
    expect(renderStatus(await collectStatus(h.clients, snapshot, undefined, () => h.clock.now()), { json: false, single: false })).toMatch(/shop\/web\s+Canary\s+Degraded\/Done/);

    // A canary that failed before its first weight increase still never took more than 10%.
    expect(weightHistory(await h.calls(), PROD_RULE, TG.green).map((entry) => entry.canary)).toEqual([10, 0]);
  });
});

describe('a version that never becomes healthy', () => {
  it('never receives traffic and is aborted at the progress deadline', async () => {
    await h.setBehaviour({ image: '*web:1.3.*', healthy: false });
    await h.write(serviceManifest('1.3.0', CANARY(STEPS)));
    const degraded = await h.runUntil((pass) => phase(pass) === 'Degraded');
    expect(degraded.rollout?.record).toMatchObject({ stage: 'aborted', abortReason: 'deadline' });
    expect(weightHistory(await h.calls(), PROD_RULE, TG.green)).toEqual([]);
    expect(await h.weights()).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
  });
});

describe('operator actions from the CLI', () => {
  it('abort rolls a paused canary back; retry starts it again at step 0; promote --full skips the rest', async () => {
    const steps = `        - setWeight: 10
        - pause: {}
        - setWeight: 100
`;
    await h.write(serviceManifest('1.4.0', CANARY(steps)));
    await h.runUntil((pass) => pass.rollout?.status?.subPhase === 'WaitingForPromote' && pass.rollout.actions.length === 0);
    expect(await h.weights()).toEqual({ 'shop-blue': 90, 'shop-green': 10 });

    const abort = await runCli(['abort', 'shop/web', '--endpoint-url', h.sandbox.endpoint]);
    expect([abort.code, abort.stderr]).toEqual([0, '']);
    const degraded = await h.runUntil((pass) => phase(pass) === 'Degraded');
    expect(degraded.rollout?.record).toMatchObject({ stage: 'aborted', abortReason: 'operator', attempt: 0 });
    expect(await h.weights()).toEqual({ 'shop-blue': 100, 'shop-green': 0 });

    const retry = await runCli(['retry', 'web', '--cluster', 'shop', '--endpoint-url', h.sandbox.endpoint]);
    expect([retry.code, retry.stderr]).toEqual([0, '']);
    const again = await h.runUntil((pass) => pass.rollout?.status?.subPhase === 'WaitingForPromote' && pass.rollout.actions.length === 0);
    expect(again.rollout?.record).toMatchObject({ stage: 'progressing', step: 1, attempt: 1 });
    expect(await h.weights()).toEqual({ 'shop-blue': 90, 'shop-green': 10 });

    const full = await runCli(['promote', 'shop/web', '--full', '--endpoint-url', h.sandbox.endpoint]);
    expect(full.stdout).toMatch(/^promote-full requested for shop\/web/);
    const promoted = await h.runUntil((pass) => phase(pass) === 'Stable' && pass.rollout?.status?.stable?.hash === again.rollout?.hash && !pass.rollout?.status?.canary);
    expect(promoted.rollout?.record).toBeUndefined();
    expect(await h.weights()).toEqual({ 'shop-blue': 0, 'shop-green': 100 });

    const refused = await runCli(['promote', 'shop/nope', '--endpoint-url', h.sandbox.endpoint]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('ecs-reconciler promote: service shop/nope not found\n');
  });
});
