/**
 * Issue 14, the aborted canary: a version that fails analysis is rolled back and then held. Resyncs, a kill -9 and a
 * restart of the controller never roll the aborted version out again; `wait` (AWS only) exits 1 with the reason;
 * the abort counts as a failed revision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './apply-harness.js';
import type { SandboxCall } from './apply-harness.js';
import { sampleValue } from './controller-harness.js';
import { until } from './ha-harness.js';
import { KEY, lastRecord, PROD_RULE, ruleWeights, serviceManifest, setBehaviour } from './rollout-harness.js';
import { canary, startRunRollout } from './rollout-run-harness.js';
import type { RunRollout } from './rollout-run-harness.js';

/** Writes that would start or move a rollout of the aborted version. */
const ROLLOUT_WRITES = new Set(['CreateTaskSet', 'UpdateTaskSet', 'UpdateServicePrimaryTaskSet', 'ModifyRule', 'RegisterTaskDefinition']);

let h: RunRollout;
let held: number;

beforeAll(async () => {
  h = await startRunRollout(canary(), [PROD_RULE]);
  await setBehaviour(h.sandbox.endpoint, { image: '*web:1.2.*', errorRate: 0.5 });
  await h.write(serviceManifest('1.2.0', canary()));
  await h.untilRolledBack();
  // The aborted task set drains away after abortScaleDownDelaySeconds; from then on nothing is left to do.
  await until('the aborted task set gone', async () => ((await h.calls()).some((call) => call.operation === 'DeleteTaskSet' && call.outcome === 'ok') ? true : undefined), 30_000);
  held = (await h.calls()).at(-1)?.seq ?? 0;
}, 180_000);

afterAll(async () => {
  await h.stop();
});

async function resyncs(count: number): Promise<void> {
  const seen = () => h.controller.lines.filter((line) => line.event === 'resync').length;
  const before = seen();
  await until(`${count} resyncs`, async () => (seen() >= before + count ? true : undefined), 60_000);
}

const rolloutWrites = async (): Promise<SandboxCall[]> => (await h.calls(held)).filter((call) => call.mutating && call.outcome === 'ok' && ROLLOUT_WRITES.has(call.operation));

describe('an aborted canary is held, not restarted', () => {
  it('counts as a failed revision', async () => {
    expect(lastRecord(await h.calls())).toMatchObject({ stage: 'aborted', abortReason: 'analysis' });
    expect(sampleValue(await h.controller.metrics(), 'ecs_reconciler_failed_revisions_total', { strategy: 'Canary', reason: 'analysis' })).toBe(1);
  });

  it('no rollout of the aborted version across 10 resyncs', async () => {
    await resyncs(10);
    expect(await rolloutWrites()).toEqual([]);
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ 'shop-blue': 100, 'shop-green': 0 });
    expect((await h.service())?.healthStatus).toBe('Degraded');
  }, 90_000);

  it('nor after a kill -9 and a restart', async () => {
    await h.controller.stop('SIGKILL');
    await h.restart();
    await resyncs(10);
    expect(await rolloutWrites()).toEqual([]);
    const status = await until('the restarted controller reports it Degraded', async () => {
      const service = await h.service();
      return service?.rollout?.phase === 'Degraded' ? service : undefined;
    }, 20_000);
    expect(status.healthStatus).toBe('Degraded');
  }, 90_000);

  it('wait (reading AWS only) exits 1 with the reason', async () => {
    const result = await runCli(['wait', KEY, '--timeout', '20s', '--interval', '1s', '--endpoint-url', h.sandbox.endpoint]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/shop\/web failed: revision [0-9a-f]{16} aborted by analysis: traffic is back on the stable version; held until git changes the service or an operator retries/);
  }, 30_000);
});
