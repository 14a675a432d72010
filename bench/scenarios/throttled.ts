/**
 * Under throttling: a cold start while the sandbox answers a share of all calls (default 30%) with
 * ThrottlingException. It must still converge, and no reconcile may be lost: afterwards an independent observation
 * (faults off) plans no action for any service.
 */
import { convergeOnce, tallyCalls } from '../lib/world.js';
import type { CallTally, World } from '../lib/world.js';
import { observeWorld, outOfSync } from './pipeline.js';

export interface ThrottledResult {
  throttleRate: number;
  seconds: number;
  calls: CallTally;
  throttledShare: number;
  outOfSyncAfter: number;
}

export async function throttled(world: World, options: { latencyMs: number; throttleRate: number; rateScale: number; workers: number; heapMb?: number }): Promise<ThrottledResult> {
  await world.sandbox.setFaults({ latencyMs: options.latencyMs, throttleRate: options.throttleRate, randomSeed: 7 });
  const seconds = await convergeOnce(world, options);
  const calls = tallyCalls(await world.sandbox.take());
  const state = await observeWorld(world);
  return { throttleRate: options.throttleRate, seconds, calls, throttledShare: calls.throttled / calls.total, outOfSyncAfter: outOfSync(world.desired, state).length };
}
