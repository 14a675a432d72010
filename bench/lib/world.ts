/** One benchmark world: a generated desired-state folder and a sandbox process seeded for it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDesiredState } from '../../src/manifest/index.js';
import type { DesiredService } from '../../src/manifest/index.js';
import type { SandboxCall } from './processes.js';
import { ControllerProcess, SandboxProcess } from './processes.js';
import { sandboxSeed, workloadServices, writeWorkload } from './workload.js';
import type { GeneratedService, WorkloadShape } from './workload.js';

export interface World {
  dir: string;
  services: GeneratedService[];
  desired: DesiredService[];
  sandbox: SandboxProcess;
  close(): Promise<void>;
}

export async function createWorld(shape: WorkloadShape, faults: Record<string, unknown>): Promise<World> {
  const root = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-bench-'));
  const dir = path.join(root, 'desired-state');
  const services = workloadServices(shape);
  await writeWorkload(dir, services);
  const snapshot = await loadDesiredState(dir);
  const broken = snapshot.diagnostics.filter((d) => d.severity === 'error');
  if (broken.length > 0) throw new Error(`generated manifests are invalid: ${JSON.stringify(broken.slice(0, 3))}`);
  const sandbox = await SandboxProcess.start(path.join(root, 'seed.json'), sandboxSeed(shape, faults));
  return {
    dir,
    services,
    desired: [...snapshot.services.values()],
    sandbox,
    async close() {
      await sandbox.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the controller until every service is Synced (and Healthy, if asked); fails after `timeoutMs`. */
export async function waitConverged(controller: ControllerProcess, expected: number, options: { healthy?: boolean; timeoutMs: number }): Promise<void> {
  const startedAt = Date.now();
  let reportedAt = startedAt;
  for (;;) {
    const status = await controller.request('status');
    const done = status.ready && status.total === expected && status.synced === expected && (!options.healthy || status.healthy === expected);
    if (done) return;
    if (Date.now() - startedAt > options.timeoutMs) throw new Error(`not converged after ${options.timeoutMs / 1000} s: ${JSON.stringify(status)}`);
    if (Date.now() - reportedAt > 15_000) {
      reportedAt = Date.now();
      process.stderr.write(`  waiting: ${JSON.stringify(status)}\n`);
    }
    await sleep(250);
  }
}

/**
 * Starts a controller on the world's folder with the sandbox's faults already set, waits until every service is
 * Synced and stops it: the seconds a convergence from the current account state took.
 */
export async function convergeOnce(world: World, options: { rateScale: number; workers: number; heapMb?: number }): Promise<number> {
  await world.sandbox.take();
  const startedAt = performance.now();
  const controller = await ControllerProcess.start({ dir: world.dir, endpoint: world.sandbox.endpoint, workers: options.workers, rateScale: options.rateScale, ...(options.heapMb !== undefined ? { heapMb: options.heapMb } : {}) });
  try {
    await waitConverged(controller, world.desired.length, { timeoutMs: 30 * 60_000 });
  } finally {
    await controller.stop();
  }
  return (performance.now() - startedAt) / 1000;
}

/** Calls by `service.Operation`, split into reads and writes, and how many were throttled. */
export interface CallTally {
  total: number;
  reads: Record<string, number>;
  writes: Record<string, number>;
  throttled: number;
}

export function tallyCalls(calls: readonly SandboxCall[]): CallTally {
  const tally: CallTally = { total: calls.length, reads: {}, writes: {}, throttled: 0 };
  for (const call of calls) {
    if (call.outcome === 'throttled') {
      tally.throttled++;
      continue;
    }
    const side = call.mutating ? tally.writes : tally.reads;
    const operation = `${call.service}.${call.operation}`;
    side[operation] = (side[operation] ?? 0) + 1;
  }
  return tally;
}
