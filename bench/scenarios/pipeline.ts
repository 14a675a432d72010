/**
 * The pure pipeline, in-process and without I/O: normalize + diff + plan of every service against one real
 * observation (read once from the sandbox beforehand), as a resync runs it.
 */
import { createAwsClients, destroyAwsClients } from '../../src/aws/index.js';
import { selectOutOfSync } from '../../src/controller/resync.js';
import { observeClusters, TaskDefinitionCache } from '../../src/observe/index.js';
import type { ObservedState } from '../../src/observe/index.js';
import { observationFor } from '../../src/plan/index.js';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import type { DesiredService } from '../../src/manifest/index.js';
import type { World } from '../lib/world.js';

export interface PipelineResult {
  services: number;
  passes: number;
  servicesPerSecond: number;
  outOfSync: number;
}

const INSTANCE = 'ecs-reconciler';

/**
 * One batched observation of the world's clusters from the bench process, with the sandbox's faults off: it is a
 * fixture for the timed part (and the check after the throttled run), so no client-side rate limit either.
 */
export async function observeWorld(world: World, services: readonly DesiredService[] = world.desired): Promise<ObservedState> {
  await world.sandbox.setFaults({});
  const { endpoint, region, credentials } = sandboxClientConfig(world.sandbox.endpoint);
  const clients = createAwsClients({ endpoint, region, clientConfig: { credentials }, rateLimits: false });
  try {
    const observation = observationFor(services.map((s) => s.manifest));
    return await observeClusters({ clients, taskDefinitions: new TaskDefinitionCache() }, observation.clusters, observation.extras);
  } finally {
    destroyAwsClients(clients);
  }
}

export function outOfSync(services: readonly DesiredService[], state: ObservedState): string[] {
  return selectOutOfSync(services, state, { revision: 'bench', instance: INSTANCE }).outOfSync;
}

export async function pipeline(world: World, services: readonly DesiredService[], minSeconds = 2): Promise<PipelineResult> {
  const state = await observeWorld(world, services);
  const differing = outOfSync(services, state).length;
  let passes = 0;
  const startedAt = performance.now();
  do {
    outOfSync(services, state);
    passes++;
  } while ((performance.now() - startedAt) / 1000 < minSeconds);
  const seconds = (performance.now() - startedAt) / 1000;
  return { services: services.length, passes, servicesPerSecond: (services.length * passes) / seconds, outOfSync: differing };
}
