/**
 * A canary in progress when its leader is SIGKILLed: the standby takes the lease and finishes the rollout from what
 * AWS shows (task sets, rule weights, state tags), without repeating or skipping a step, and only lease holders write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { startDynalite } from '../unit/ha/dynalite.js';
import type { RunningDynalite } from '../unit/ha/dynalite.js';
import { tempDir, writeFiles } from './controller-harness.js';
import { mutatingCalls, replicaOf, startReplica, until } from './ha-harness.js';
import type { Replica } from './ha-harness.js';
import { CANARY, PROD_RULE, SEED, serviceManifest, TG, weightHistory } from './rollout-harness.js';
import type { SandboxCall } from './rollout-harness.js';

const STEPS = `        - setWeight: 10
        - pause: {duration: 4s}
        - setWeight: 50
        - pause: {duration: 4s}
        - setWeight: 100
`;

// The controller runs on wall time: keep the old version's scale-down short so the test ends quickly.
const SHORT_DELAYS = `      scaleDownDelaySeconds: 2
      abortScaleDownDelaySeconds: 2
`;

let sandbox: RunningSandbox;
let dynamo: RunningDynalite;
let dir: string;
const replicas: Replica[] = [];

beforeAll(async () => {
  [sandbox, dynamo, dir] = await Promise.all([startSandbox({ port: 0, seed: SEED, timeScale: 10 }), startDynalite(), tempDir('ha-rollout')]);
  await writeFiles(dir, { 'web.yaml': serviceManifest('1.0.0', CANARY(STEPS, SHORT_DELAYS)) });
  const settings = { dir, sandbox: sandbox.endpoint, dynamo: dynamo.endpoint, table: 'ha-rollout', extra: ['--resync', '1s'] };
  replicas.push(...(await Promise.all(['replica-a', 'replica-b'].map((id) => startReplica(id, settings)))));
}, 30_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await Promise.all([sandbox.stop(), dynamo.stop()]);
});

async function leaderOf(candidates: readonly Replica[]): Promise<Replica | undefined> {
  for (const replica of candidates) if ((await replica.ha()).role === 'leader') return replica;
  return undefined;
}

async function rolloutPhase(replica: Replica): Promise<string | undefined> {
  return (await replica.status()).services.find((service) => service.key === 'shop/web')?.rollout?.phase;
}

describe('a canary across a failover', () => {
  it('is finished by the new leader, each step once, with writes only from the lease holder of the time', async () => {
    const first = await until('a leader with a stable canary service', async () => {
      const leader = await leaderOf(replicas);
      return leader && (await rolloutPhase(leader)) === 'Stable' ? leader : undefined;
    }, 30_000);
    const survivor = replicas.find((replica) => replica !== first) as Replica;
    const start = (await mutatingCalls(sandbox.endpoint)).at(-1)?.seq ?? 0;
    const since = async (): Promise<SandboxCall[]> => (await mutatingCalls(sandbox.endpoint)).filter((call) => call.seq > start) as SandboxCall[];

    await writeFiles(dir, { 'web.yaml': serviceManifest('2.0.0', CANARY(STEPS, SHORT_DELAYS)) });
    await until('the canary at 10%', async () => (weightHistory(await since(), PROD_RULE, TG.green).some((entry) => entry.canary === 10) ? true : undefined), 30_000);
    await first.stop('SIGKILL');

    await until('the new leader done with the rollout', async () => {
      const calls = await since();
      return (await rolloutPhase(survivor)) === 'Stable' && weightHistory(calls, PROD_RULE, TG.green).at(-1)?.canary === 100 ? true : undefined;
    }, 45_000);

    const calls = await since();
    const weights = weightHistory(calls, PROD_RULE, TG.green);
    expect(weights.every((entry) => entry.total === 100)).toBe(true);
    expect(weights.map((entry) => entry.canary).filter((weight, i, all) => weight !== all[i - 1])).toEqual([10, 50, 100]);
    expect(new Set(calls.filter((call) => call.operation === 'CreateTaskSet' && call.outcome === 'ok').map((call) => call.input?.clientToken)).size).toBe(1);
    const writers = calls.map(replicaOf);
    expect(writers.lastIndexOf(first.id)).toBeLessThan(writers.indexOf(survivor.id));
    expect(new Set(writers)).toEqual(new Set([first.id, survivor.id]));
  }, 90_000);
});
