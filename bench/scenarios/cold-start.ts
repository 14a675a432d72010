/**
 * Cold start: an empty account (clusters and target groups only) and a controller that starts on N manifests.
 * AWS's rates would make 1,000 services take 1,000 s (RegisterTaskDefinition at 1/s), so this scenario runs every
 * bucket, the sandbox's and the controller's, `scale` times faster, and reports the floor at the same scale.
 */
import { coldStartWriteFloor, totalCalls } from '../lib/floor.js';
import { coldStartFloorSeconds, sandboxThrottle } from '../lib/limits.js';
import { convergeOnce, tallyCalls } from '../lib/world.js';
import type { CallTally, World } from '../lib/world.js';

export interface ColdStartResult {
  services: number;
  rateScale: number;
  seconds: number;
  floorSeconds: number;
  /** The same floor at AWS's documented rates. */
  floorSecondsAtAwsRates: number;
  calls: CallTally;
  writeFloor: number;
}

export async function coldStart(world: World, options: { latencyMs: number; rateScale: number; workers: number; heapMb?: number }): Promise<ColdStartResult> {
  await world.sandbox.setFaults({ latencyMs: options.latencyMs, throttle: sandboxThrottle(options.rateScale) });
  const seconds = await convergeOnce(world, options);
  const writeFloor = coldStartWriteFloor(world.desired.map((s) => s.manifest));
  return {
    services: world.desired.length,
    rateScale: options.rateScale,
    seconds,
    floorSeconds: coldStartFloorSeconds(writeFloor, options.rateScale),
    floorSecondsAtAwsRates: coldStartFloorSeconds(writeFloor),
    calls: tallyCalls(await world.sandbox.take()),
    writeFloor: totalCalls(writeFloor),
  };
}
