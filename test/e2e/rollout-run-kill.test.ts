/**
 * Crash safety with the controller as a separate process, issue #6's acceptance scenario: a whole canary
 * (10% -> pause -> analysis -> 50% -> 100%) while `ecs-reconciler run` is SIGKILLed at random instants and restarted
 * right after each kill. The instants are seeded. Each kill first waits until the rollout has made a random number of
 * writes, so the kills spread over the whole canary, from the first tag to the old version's removal; then it strikes
 * either inside the sandbox, while it serves the controller's next write (AWS applied it, the answer never arrives,
 * the rest of that pass is never sent), or a random fraction of a second later (mid-pass or idle). Each seed is a new
 * version on the same service, so the canary alternates between the two target groups.
 *
 * The sandbox checks from inside that no group ever has production weight without a healthy target; the call log
 * shows every step entered once (see expectEachStepOnce).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { seededRandom } from '../../src/sandbox/core/random.js';
import { until } from './ha-harness.js';
import { expectEachStepOnce, PROD_RULE, ruleWeights, serviceManifest, TG } from './rollout-harness.js';
import type { SandboxCall } from './rollout-harness.js';
import { canary, startRunRollout } from './rollout-run-harness.js';
import type { RunRollout } from './rollout-run-harness.js';

const KILLS = 8;
/** Fewer writes than any promoted canary makes (about 20), so the last kill still finds the rollout in flight. */
const LAST_KILL_AFTER_WRITES = 17;
/** The first rollout's canary goes to shop-green; once promoted, green is stable and the next canary goes to blue. */
const SEEDS = [
  { seed: 5, image: '2.0.0', canary: 'green', stable: 'blue' },
  { seed: 2026, image: '3.0.0', canary: 'blue', stable: 'green' },
] as const;

let h: RunRollout;

beforeAll(async () => {
  h = await startRunRollout(canary(), [PROD_RULE]);
}, 60_000);

afterAll(async () => {
  await h.stop();
});

const writes = (calls: readonly SandboxCall[]) => calls.filter((call) => call.mutating && call.outcome === 'ok');

/**
 * SIGKILLs the controller from inside the sandbox while it serves the controller's next successful write, after
 * applying it and before answering. Resolves with the write's operation, or `idle` when none came within 10 s (the
 * process is then killed where it is).
 */
function killAtNextWrite(): Promise<string> {
  const { calls } = h.sandbox.account;
  const add = calls.add.bind(calls);
  const pid = h.controller.child.pid;
  return new Promise((resolve) => {
    const strike = (where: string) => {
      calls.add = add;
      clearTimeout(timer);
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      resolve(where);
    };
    const timer = setTimeout(() => strike('idle'), 10_000);
    calls.add = (record) => {
      const logged = add(record);
      if (logged.mutating && logged.outcome === 'ok') strike(logged.operation);
      return logged;
    };
  });
}

describe('a canary while the controller process is SIGKILLed at random instants', () => {
  it.each(SEEDS)('promotes with every step once and no traffic to a group without a healthy target (seed $seed)', async ({ seed, image, canary: canaryColour, stable }) => {
    const random = seededRandom(seed);
    const schedule = Array.from({ length: KILLS }, () => Math.floor(random() * (LAST_KILL_AFTER_WRITES + 1))).sort((a, b) => a - b);
    const since = (await h.calls()).at(-1)?.seq ?? h.start;
    const rolloutCalls = () => h.calls(since);
    await h.write(serviceManifest(image, canary()));

    // Where each kill struck, e.g. `at ModifyRule` or `350 ms after write 12`: shown when the test fails.
    const struck: string[] = [];
    onTestFailed(() => console.log(`seed ${seed}, kills: ${struck.join(' | ')}`));
    for (const afterWrites of schedule) {
      const [atWrite, delayMs] = [random() < 0.5, Math.floor(random() * 800)];
      await until(`${afterWrites} writes of the rollout`, async () => (writes(await rolloutCalls()).length >= afterWrites ? true : undefined), 120_000);
      if (atWrite) {
        struck.push(`at ${await killAtNextWrite()}`);
      } else {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        struck.push(`${delayMs} ms after write ${writes(await rolloutCalls()).length}`);
      }
      await h.controller.stop('SIGKILL');
      await h.restart();
    }

    await h.untilPromoted(since, TG[stable]);
    expect(await ruleWeights(h.clients, PROD_RULE)).toEqual({ [`shop-${stable}`]: 0, [`shop-${canaryColour}`]: 100 });
    expectEachStepOnce(await rolloutCalls(), TG[canaryColour]);
    expect(h.guard.violations).toEqual([]);
  }, 400_000);
});
