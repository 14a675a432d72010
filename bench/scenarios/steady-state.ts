/**
 * Steady state: the account matches the manifests. A restart (cold task-definition cache) and then full resyncs,
 * each compared with the fewest reads that can make the same observation and the time AWS's read rates allow.
 */
import { resyncReadFloor, totalCalls } from '../lib/floor.js';
import { resyncBoundSeconds } from '../lib/limits.js';
import type { ControllerProcess } from '../lib/processes.js';
import { tallyCalls, waitConverged } from '../lib/world.js';
import type { CallTally, World } from '../lib/world.js';
import { summarize } from '../lib/stats.js';
import type { Summary } from '../lib/stats.js';

export interface RestartResult {
  seconds: number;
  calls: CallTally;
}

export interface SteadyStateResult {
  resyncs: number;
  /** Per resync (the last one; they are identical in steady state). */
  reads: number;
  readsByOperation: Record<string, number>;
  writes: number;
  readFloor: number;
  readFloorByOperation: Record<string, number>;
  readRatio: number;
  seconds: Summary;
  boundSeconds: number;
  cpuSecondsPerResync: Summary;
}

export async function restart(world: World, controller: () => Promise<ControllerProcess>): Promise<{ result: RestartResult; controller: ControllerProcess }> {
  await world.sandbox.take();
  const startedAt = performance.now();
  const running = await controller();
  await waitConverged(running, world.desired.length, { timeoutMs: 30 * 60_000 });
  return { result: { seconds: (performance.now() - startedAt) / 1000, calls: tallyCalls(await world.sandbox.take()) }, controller: running };
}

export async function steadyState(world: World, controller: ControllerProcess, resyncs: number): Promise<SteadyStateResult> {
  const floor = resyncReadFloor(world.desired.map((s) => s.manifest));
  const seconds: number[] = [];
  const cpu: number[] = [];
  let last: CallTally | undefined;
  let writes = 0;
  for (let i = 0; i < resyncs; i++) {
    await world.sandbox.take();
    const resync = await controller.request('resync');
    seconds.push(resync.seconds);
    cpu.push(resync.cpuSeconds);
    last = tallyCalls(await world.sandbox.take());
    writes += totalCalls(last.writes);
  }
  const reads = totalCalls(last!.reads);
  return {
    resyncs,
    reads,
    readsByOperation: last!.reads,
    writes,
    readFloor: totalCalls(floor),
    readFloorByOperation: floor,
    readRatio: reads / totalCalls(floor),
    seconds: summarize(seconds),
    boundSeconds: resyncBoundSeconds(floor),
    cpuSecondsPerResync: summarize(cpu),
  };
}
