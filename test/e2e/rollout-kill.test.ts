/**
 * Crash safety end to end: a whole canary (10% -> pause -> analysis -> 50% -> 100%) while the controller "dies" at
 * random instants. Each pass runs as a fresh process would (new clients, empty caches); a kill makes that process
 * stop dead at a mutating call, either before the call reaches AWS or after AWS applied it but before the answer
 * came back. The next pass is the restarted controller. Seeded PRNG, 8 kills per run, several runs.
 *
 * Two variants. In-process: passes are abandoned exactly at a mutating call (before it, or after AWS applied it),
 * which reaches every action boundary deterministically. As a process: a minimal controller process
 * (rollout-kill-child.ts: reconcile passes in a loop) is SIGKILLed at random wall-clock instants, mid-call included.
 * `ecs-reconciler run` did not yet drive rollouts (it does not pass `rollout` to reconcile) when this was written,
 * hence the minimal controller.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DescribeTaskSetsCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/index.js';
import { ROLLOUT_TAG } from '../../src/rollout/index.js';
import { decodeRecord } from '../../src/rollout/state-tags.js';
import { CANARY, newClients, PROD_RULE, serviceManifest, startOnFirstVersion, TG, weightHistory, type RolloutHarness, type SandboxCall } from './rollout-harness.js';
import { seededRandom } from '../../src/sandbox/core/random.js';

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
 * (the answer lost), and every later call of the process fails. Before any ModifyRule reaches AWS, the groups it
 * gives weight to are checked for a healthy target.
 */
function startProcess(endpoint: string, schedule: KillSchedule, checker: AwsClients, violations: string[]): AwsClients {
  const clients = newClients(endpoint);
  let dead = false;
  for (const client of [clients.ecs, clients.elbv2, clients.autoscaling, clients.cloudwatch]) {
    (client.middlewareStack as unknown as StackLike).add(
      (next, context) => async (args) => {
        if (dead) throw new Killed('the process is dead');
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (operation === 'ModifyRule') await checkHealthyTargets(checker, args.input, violations);
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

async function checkHealthyTargets(checker: AwsClients, input: unknown, violations: string[]): Promise<void> {
  const actions = (input as { Actions?: { Type?: string; ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: number }[] } }[] }).Actions ?? [];
  const groups = actions.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  for (const group of groups.filter((entry) => (entry.Weight ?? 0) > 0)) {
    const { TargetHealthDescriptions } = await checker.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }));
    if (!(TargetHealthDescriptions ?? []).some((target) => target.TargetHealth?.State === 'healthy')) violations.push(`weight ${group.Weight} to ${group.TargetGroupArn} without a healthy target`);
  }
}

/** The rollout record of every successful TagResource on the service, in order. */
function recordHistory(calls: readonly SandboxCall[]) {
  return calls
    .filter((call) => call.operation === 'TagResource' && call.outcome === 'ok')
    .flatMap((call) => ((call.input?.tags as { key: string; value: string }[] | undefined) ?? []).filter((tag) => tag.key === ROLLOUT_TAG))
    .flatMap((tag) => {
      const decoded = decodeRecord(tag.value);
      return decoded.ok ? [decoded.record] : [];
    });
}

/**
 * What every killed run must show, from the sandbox's call log after `start`: promoted to `hash` with one task set
 * left, weights adding up to 100 in every ModifyRule and set 10 -> 50 -> 100 once each, each step's record written
 * with one start time, one task definition registered and one task set created.
 */
async function expectPromotedOnce(start: number, hash: string | undefined): Promise<void> {
  const calls = (await h.calls()).filter((call) => call.seq > start);
  // The weights always add up, and each step's weight was set once: 10 -> 50 -> 100, never back.
  const weights = weightHistory(calls, PROD_RULE, TG.green);
  expect(weights.every((entry) => entry.total === 100)).toBe(true);
  expect(weights.map((entry) => entry.canary).filter((weight, i, all) => weight !== all[i - 1])).toEqual([10, 50, 100]);
  // No step entered twice: each (stage, step) of the record was written with one start time.
  const starts = new Map<string, Set<number>>();
  for (const record of recordHistory(calls)) {
    const key = `${record.stage}:${record.step}`;
    starts.set(key, (starts.get(key) ?? new Set()).add(record.stepStartedAt));
  }
  // (setWeight 100 already is the promoted state, so promoting passes in the same pass as the last step.)
  expect([...starts.keys()]).toEqual(['progressing:0', 'progressing:1', 'progressing:2', 'progressing:3', 'progressing:4', 'finalizing:0']);
  expect([...starts.values()].every((times) => times.size === 1)).toBe(true);
  // One task definition registered, one task set created for the new version.
  expect(calls.filter((call) => call.operation === 'RegisterTaskDefinition' && call.outcome === 'ok')).toHaveLength(1);
  const created = new Set(calls.filter((call) => call.operation === 'CreateTaskSet' && call.outcome === 'ok').map((call) => call.input?.clientToken));
  expect(created.size).toBe(1);

  h.advance(30_000);
  await h.pass();
  const sets = (await h.clients.ecs.send(new DescribeTaskSetsCommand({ cluster: 'shop', service: 'web' }))).taskSets ?? [];
  expect(sets.map((set) => [set.status, set.externalId])).toEqual([['PRIMARY', hash]]);
  expect(await h.weights()).toEqual({ 'shop-blue': 0, 'shop-green': 100 });
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
    const violations: string[] = [];
    const start = (await h.calls()).at(-1)?.seq ?? 0;
    await h.write(serviceManifest('2.0.0', CANARY(STEPS)));
    let hash: string | undefined;
    for (let pass = 0; ; pass++) {
      expect(pass).toBeLessThan(300);
      const { rollout, report } = await h.pass(startProcess(h.sandbox.endpoint, schedule, h.clients, violations));
      hash ??= rollout?.hash;
      if (!report.error && rollout?.status?.phase === 'Stable' && rollout.status.stable?.hash === hash && !rollout.status.canary) break;
      h.advance(Math.max(1000, Math.min(report.requeueAfterMs ?? 5000, 15_000)));
    }
    expect(schedule.kills).toBe(KILLS);
    // Both kinds of death happened: before a call reached AWS, and after AWS applied it with the answer lost.
    expect(schedule.where.some((where) => where.startsWith('before'))).toBe(true);
    expect(schedule.where.some((where) => where.startsWith('after'))).toBe(true);
    expect(violations).toEqual([]);

    await expectPromotedOnce(start, hash);
  });
});

/** One life of the controller process: resolves when it exits (killed, or stopped once the rollout is done). */
function controllerLife(options: { killAfterMs: number | undefined; onPass: (line: PassLine) => Promise<boolean> }): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/rollout-kill-child.ts', h.sandbox.endpoint, h.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let killed = false;
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  createInterface({ input: child.stdout }).on('line', (text) => {
    if (options.killAfterMs !== undefined && timer === undefined) {
      timer = setTimeout(() => {
        killed = child.kill('SIGKILL');
      }, options.killAfterMs);
    }
    chain = chain.then(async () => {
      if (killed) return;
      if (await options.onPass(JSON.parse(text) as PassLine)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
      }
    });
  });
  return new Promise((resolve) => child.on('exit', () => void chain.then(() => resolve({ killed }))));
}

interface PassLine {
  phase?: string;
  hash?: string;
  stable?: string;
  canary: boolean;
  error?: unknown;
  requeueAfterMs?: number;
}

describe('a canary while a controller process is SIGKILLed at random instants', () => {
  it('promotes exactly as without kills', async () => {
    const random = seededRandom(99);
    const start = (await h.calls()).at(-1)?.seq ?? 0;
    await h.write(serviceManifest('3.0.0', CANARY(STEPS)));
    const violations: string[] = [];
    let kills = 0;
    let hash: string | undefined;
    let done = false;
    const onPass = async (line: PassLine): Promise<boolean> => {
      hash ??= line.hash;
      // At every pass end, before time moves on: no group has weight without a healthy target.
      const weights = await h.weights();
      for (const [group, weight] of Object.entries(weights)) {
        const arn = group === 'shop-blue' ? TG.blue : TG.green;
        if (weight > 0 && !(await h.targets(arn)).includes('healthy')) violations.push(`${weight}% on ${group} without a healthy target`);
      }
      done = !line.error && line.phase === 'Stable' && line.stable === hash && !line.canary;
      // Simulated time moves with the passes (as a work queue honouring requeueAfter would), not with the wall clock,
      // so the time a killed controller takes to restart does not count against the progress deadline.
      if (!done) h.advance(Math.max(1000, Math.min(line.requeueAfterMs ?? 5000, 5000)));
      return done;
    };
    for (let life = 0; !done; life++) {
      expect(life).toBeLessThan(40);
      const killAfterMs = kills < KILLS ? 10 + Math.floor(random() * 90) : undefined;
      const { killed } = await controllerLife({ killAfterMs, onPass });
      if (killed && !done) kills += 1;
    }
    expect(kills).toBe(KILLS);
    expect(violations).toEqual([]);
    await expectPromotedOnce(start, hash);
  });
});
