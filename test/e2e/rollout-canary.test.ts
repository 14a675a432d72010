/**
 * Canary rollouts end to end, in-process: the reconcile pass (plan + rollout engine) against the sandbox over HTTP,
 * on the sandbox's manual clock, where each pass can be looked at. A settled canary costs one batched observation and
 * no write; operators abort, retry and promote --full from the CLI. The acceptance scenarios (promotion,
 * analysis failure, never healthy) run with the controller as a process in rollout-run-canary.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './apply-harness.js';
import { CANARY, serviceManifest, startOnFirstVersion, type Pass, type RolloutHarness } from './rollout-harness.js';

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
