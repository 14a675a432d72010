/**
 * Commit-to-action: one manifest changes among N loaded, written as git-sync does (temporary file, then rename).
 * Latency runs from the rename to the first mutating call the sandbox logs (its clock runs at wall time).
 */
import { manifestPath, replaceAtomically, serviceManifestYaml } from '../lib/workload.js';
import { sleep } from '../lib/world.js';
import type { World } from '../lib/world.js';
import { summarize } from '../lib/stats.js';
import type { Summary } from '../lib/stats.js';

export interface CommitLatencyResult {
  trials: number;
  ms: Summary;
}

const TRIAL_TIMEOUT_MS = 30_000;

export async function commitLatency(world: World, trials: number): Promise<CommitLatencyResult> {
  const samples: number[] = [];
  for (let trial = 0; trial < trials; trial++) {
    // Spread over the clusters and the kinds of service; each trial a service not touched before.
    const service = world.services[Math.floor(((trial + 0.5) * world.services.length) / trials)]!;
    await world.sandbox.take();
    const renamedAt = Date.now();
    await replaceAtomically(manifestPath(world.dir, service), serviceManifestYaml(service, `1.1.${trial}`));
    for (;;) {
      const write = (await world.sandbox.peek()).find((call) => call.mutating);
      if (write) {
        samples.push(write.time - renamedAt);
        break;
      }
      if (Date.now() - renamedAt > TRIAL_TIMEOUT_MS) throw new Error(`trial ${trial}: no write within ${TRIAL_TIMEOUT_MS / 1000} s of changing ${service.name}`);
      await sleep(10);
    }
    // Let the reconcile finish (registration, update, read-back) so trials do not overlap.
    await sleep(500);
  }
  return { trials, ms: summarize(samples) };
}
