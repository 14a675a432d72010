/**
 * Crash safety end to end, in-process: a whole canary (10% -> pause -> analysis -> 50% -> 100%) while the controller
 * "dies" at random mutating calls. Each pass runs as a fresh process would (new clients, empty caches); a kill makes
 * that process stop dead at a mutating call, either before the call reaches AWS or after AWS applied it but before the
 * answer came back, which reaches every action boundary deterministically. The next pass is the restarted
 * controller. Seeded PRNG, 8 kills per run, several runs. The same canary with `ecs-reconciler run` SIGKILLed at
 * random instants is in rollout-run-kill.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/index.js';
import { seededRandom } from '../../src/sandbox/core/random.js';
import { CANARY, expectEachStepOnce, guardTraffic, newClients, PROD_RULE, serviceManifest, startOnFirstVersion, taskSets, type RolloutHarness } from './rollout-harness.js';

const STEPS = `        - setWeight: 10
        - pause: {duration: 20s}
        - analysis: {templates: [error-rate]}
        - setWeight: 50
        - setWeight: 100
`;
const KILLS = 8;
const SEEDS = [1, 7, 42, 2026];

class Killed extends Error {
  override name = 'ProcessKilled';
}

type Handler = (args: { input: unknown }) => Promise<unknown>;
interface StackLike {
  add(middleware: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'initialize'; name: string; priority: 'high' }): void;
}

/** When the next kill happens: after `countdown` more mutating calls, counted across processes. */
interface KillSchedule {
  random: () => number;
  countdown: number;
  kills: number;
  /** `before ModifyRule`, `after TagResource`...: where each kill struck. */
  where: string[];
}

function nextKill(schedule: KillSchedule): void {
  schedule.countdown = schedule.kills < KILLS ? 1 + Math.floor(schedule.random() * 4) : Infinity;
}

/**
 * A controller process: it dies at the mutating call the schedule picks, before the call or after AWS applied it
 * (the answer lost), and every later call of the process fails.
 */
function startProcess(endpoint: string, schedule: KillSchedule): AwsClients {
  const clients = newClients(endpoint);
  let dead = false;
  for (const client of [clients.ecs, clients.elbv2, clients.autoscaling, clients.cloudwatch]) {
    (client.middlewareStack as unknown as StackLike).add(
      (next, context) => async (args) => {
        if (dead) throw new Killed('the process is dead');
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (/^(Describe|List|Get)/.test(operation)) return next(args);
        schedule.countdown -= 1;
        if (schedule.countdown > 0) return next(args);
        dead = true;
        schedule.kills += 1;
        nextKill(schedule);
        const afterCall = schedule.random() < 0.5;
        schedule.where.push(`${afterCall ? 'after' : 'before'} ${operation}`);
        if (afterCall) await next(args);
        throw new Killed(`killed ${afterCall ? 'after' : 'before'} ${operation}`);
      },
      { step: 'initialize', name: 'killSwitch', priority: 'high' },
    );
  }
  return clients;
}

let h: RolloutHarness;

beforeEach(async () => {
  h = await startOnFirstVersion(CANARY(STEPS));
});

afterEach(async () => {
  await h.stop();
});

describe('a canary while the controller is killed at random instants', () => {
  it.each(SEEDS)('promotes exactly as without kills (seed %i)', async (seed) => {
    const schedule: KillSchedule = { random: seededRandom(seed), countdown: 0, kills: 0, where: [] };
    nextKill(schedule);
    const guard = guardTraffic(h.sandbox, [PROD_RULE]);
    const start = (await h.calls()).at(-1)?.seq ?? 0;
    await h.write(serviceManifest('2.0.0', CANARY(STEPS)));
    let hash: string | undefined;
    for (let pass = 0; ; pass++) {
      expect(pass).toBeLessThan(300);
      const { rollout, report } = await h.pass(startProcess(h.sandbox.endpoint, schedule));
      hash ??= rollout?.hash;
      if (!report.error && rollout?.status?.phase === 'Stable' && rollout.status.stable?.hash === hash && !rollout.status.canary) break;
      h.advance(Math.max(1000, Math.min(report.requeueAfterMs ?? 5000, 15_000)));
    }
    expect(schedule.kills).toBe(KILLS);
    // Both kinds of death happened: before a call reached AWS, and after AWS applied it with the answer lost.
    expect(schedule.where.some((where) => where.startsWith('before'))).toBe(true);
    expect(schedule.where.some((where) => where.startsWith('after'))).toBe(true);
    expectEachStepOnce((await h.calls()).filter((call) => call.seq > start));

    // One task set left (the old one drained away), with all the weight.
    h.advance(30_000);
    await h.pass();
    expect((await taskSets(h.clients)).map((set) => [set.status, set.externalId])).toEqual([['PRIMARY', hash]]);
    expect(await h.weights()).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
    guard.stop();
    expect(guard.violations).toEqual([]);
  });
});
