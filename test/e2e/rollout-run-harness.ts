/**
 * The rollout scenarios with the controller as a separate process: `ecs-reconciler run` (startRun) on a
 * desired-state folder, against a sandbox in the test's process, with the same ALB, target groups and service as the
 * in-process rollout tests (rollout-harness.ts).
 *
 * Time. The controller runs on wall time: pauses, delays, deadlines and analysis intervals in these manifests are a
 * few seconds. It comes back to a rollout when the engine asks (5 s while it waits on AWS) and at every resync, here
 * every second, so a step takes about a second. The sandbox runs 10 times faster than the wall clock, so tasks start,
 * turn healthy and drain in a fraction of a second.
 *
 * Analysis reads CloudWatch, which the sandbox stamps in real time (its faster clock drives lifecycles only), while
 * the controller reads the minutes before its own last whole minute: the first measurement waits a minute, so that a
 * whole minute of the new version's traffic is in the window, then it measures twice, a second apart, the per-minute
 * error ratio of the new version's target group over the last five minutes, with real GetMetricData queries and
 * metric math.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { destroyAwsClients } from '../../src/aws/index.js';
import type { AwsClients } from '../../src/aws/index.js';
import type { ServiceSummary } from '../../src/controller/status.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { sandboxCalls, startRun } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';
import { until } from './ha-harness.js';
import { CANARY, errorRateTemplate, guardTraffic, KEY, newClients, SEED, serviceManifest, targetStates, taskSets, TG, writeDesiredState } from './rollout-harness.js';
import type { SandboxCall, TrafficGuard } from './rollout-harness.js';

/** Measured twice, a second apart, once a whole minute of the new version's traffic is in the window. */
const ANALYSIS = errorRateTemplate({ interval: '1s', count: 2, initialDelay: '1m', period: '5m' });

/** The old version's scale-down after a promotion or an abort: short, the controller runs on wall time. */
export const SHORT_DELAYS = `      scaleDownDelaySeconds: 1
      abortScaleDownDelaySeconds: 1
`;

/** A pause of this many seconds is the canary's second step. */
export const PAUSE_SECONDS = 2;

/** The canary of the acceptance scenarios: 10% -> pause -> analysis -> 50% -> 100%, short delays. */
export const canary = (progressDeadlineSeconds?: number) =>
  CANARY(
    `        - setWeight: 10
        - pause: {duration: ${PAUSE_SECONDS}s}
        - analysis: {templates: [error-rate]}
        - setWeight: 50
        - setWeight: 100
`,
    SHORT_DELAYS,
    progressDeadlineSeconds,
  );

export interface RunRollout {
  sandbox: RunningSandbox;
  /** The test's own clients, for reading AWS. */
  clients: AwsClients;
  dir: string;
  /** Started once the first version serves. */
  guard: TrafficGuard;
  /** The controller process running now. */
  controller: ControllerProcess;
  /** The sandbox call log's sequence number once the first version served: a scenario's calls come after it. */
  start: number;
  /** Writes the service manifest (and the analysis template) into the desired-state folder. */
  write(manifest: string): Promise<void>;
  /** Starts another controller process (the current one must be gone). */
  restart(): Promise<ControllerProcess>;
  /** The service as the current controller's /status shows it. */
  service(): Promise<ServiceSummary | undefined>;
  /** Sandbox calls after `since` (default `start`). */
  calls(since?: number): Promise<SandboxCall[]>;
  /**
   * Waits until the version the calls after `since` created is alone (no DRAINING task set left) and PRIMARY, the
   * rollout Stable, and `oldGroup` drained of targets; returns the version's hash.
   */
  untilPromoted(since: number, oldGroup: string): Promise<string>;
  /** Waits until the rollout is Degraded with the new task set removed (DRAINING). */
  untilRolledBack(): Promise<void>;
  /** SIGKILLs the controller, stops the sandbox, removes the folder. */
  stop(): Promise<void>;
}

function startController(dir: string, endpoint: string): Promise<ControllerProcess> {
  return startRun(dir, endpoint, ['--resync', '1s']);
}

/**
 * A sandbox, a folder with `shop/web` at its first version (`rollout` strategy block) and a controller process that
 * brought it up: Stable, both tasks healthy behind shop-blue. The traffic guard watches `rules` from then on.
 */
export async function startRunRollout(rollout: string, rules: readonly string[]): Promise<RunRollout> {
  const [sandbox, dir] = await Promise.all([
    startSandbox({ port: 0, seed: SEED, timeScale: 10 }),
    mkdtemp(path.join(tmpdir(), 'ecs-reconciler-rollout-run-')),
  ]);
  const clients = newClients(sandbox.endpoint);
  await writeDesiredState(dir, serviceManifest('1.0.0', rollout), ANALYSIS);
  let controller = await startController(dir, sandbox.endpoint);
  const cleanUp = async () => {
    await controller.stop('SIGKILL');
    destroyAwsClients(clients);
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const service = async () => (await controller.status()).services.find((entry) => entry.key === KEY);
  try {
    await until('the first version stable and healthy', async () => {
      const healthy = (await targetStates(clients, TG.blue)).filter((state) => state === 'healthy');
      return (await service())?.rollout?.phase === 'Stable' && healthy.length === 2 ? true : undefined;
    }, 30_000);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const start = (await sandboxCalls(sandbox.endpoint)).at(-1)?.seq ?? 0;
  const guard = guardTraffic(sandbox, rules);
  return {
    sandbox,
    clients,
    dir,
    guard,
    get controller() {
      return controller;
    },
    start,
    write: (manifest) => writeDesiredState(dir, manifest, ANALYSIS),
    async restart() {
      controller = await startController(dir, sandbox.endpoint);
      return controller;
    },
    service,
    calls: (since = start) => sandboxCalls(sandbox.endpoint, since),
    untilPromoted: (since, oldGroup) =>
      until('the new version alone and primary, the old group drained', async () => {
        const hash = (await sandboxCalls(sandbox.endpoint, since)).find((call) => call.operation === 'CreateTaskSet' && call.outcome === 'ok')?.input?.externalId;
        const sets = await taskSets(clients);
        const alone = typeof hash === 'string' && sets.length === 1 && sets[0]?.status === 'PRIMARY' && sets[0].externalId === hash;
        return alone && (await targetStates(clients, oldGroup)).length === 0 && (await service())?.rollout?.phase === 'Stable' ? hash : undefined;
      }, 150_000),
    async untilRolledBack() {
      await until('Degraded with the new task set removed', async () => {
        const live = (await taskSets(clients)).filter((set) => set.status !== 'DRAINING');
        return (await service())?.rollout?.phase === 'Degraded' && live.length === 1 ? true : undefined;
      }, 120_000);
    },
    async stop() {
      guard.stop();
      await cleanUp();
    },
  };
}
