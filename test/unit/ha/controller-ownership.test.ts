/** The controller's hook points for leader election: it queues, resyncs and reports only the services it owns. */
import { describe, expect, it } from 'vitest';
import type { ServiceResult } from '../../../src/apply/index.js';
import { Controller } from '../../../src/controller/controller.js';
import type { ControllerIo } from '../../../src/controller/io.js';
import { WorkQueue } from '../../../src/controller/workqueue.js';
import { createLogger } from '../../../src/log/logger.js';
import type { DesiredService, DesiredStateSnapshot } from '../../../src/manifest/index.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { ReconcileReport } from '../../../src/reconcile/index.js';
import { captureLines } from '../log/capture.js';
import { FakeTime, settle } from '../controller/fake-time.js';
import { desired, snapshotOf } from '../controller/fixtures.js';

const api = desired('api');
const web = desired('web');

/** A folder with api and web, an AWS that cannot be observed (so a resync queues every owned service), and a log of reconciles. */
function fakeIo(): ControllerIo & { reconciled: string[]; observed: string[][]; load(): Promise<DesiredStateSnapshot> } {
  const snapshot = snapshotOf([{ file: 'all.yaml', services: [api, web] }]);
  const reconciled: string[] = [];
  const observed: string[][] = [];
  return {
    reconciled,
    observed,
    load: async () => snapshot,
    watch: () => ({ ready: async () => {}, close: async () => {} }),
    async reconcile(key: string): Promise<ReconcileReport> {
      reconciled.push(key);
      const result: ServiceResult = { key, status: 'in-sync', changes: [], actions: [], deferred: [], messages: [] };
      return { revision: snapshot.revision, root: snapshot.root, dryRun: false, services: [result], diagnostics: [], observed: {} };
    },
    async observe(services: readonly DesiredService[]) {
      observed.push(services.map((service) => service.key));
      throw new Error('AWS unreachable');
    },
    prune: async () => ({ outcome: 'ok', services: [] }),
  };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await settle();
}

function controllerOwning(owned: Set<string>) {
  const io = fakeIo();
  const metrics = createMetrics({ version: 'test', processMetrics: false });
  const controller = new Controller({
    dir: '/desired',
    io,
    metrics,
    log: createLogger({ destination: captureLines().stream, level: 'debug' }),
    instance: 'ecs-reconciler',
    workers: 2,
    resyncMs: 60_000,
    time: new FakeTime(),
    random: () => 0.5,
    ownership: { owns: (key) => owned.has(key) },
  });
  return { controller, io, metrics };
}

describe('Controller with ownership', () => {
  it('observes, reconciles and reports only the services it owns, and leaves the leader gauge to the elector', async () => {
    const { controller, io, metrics } = controllerOwning(new Set([api.key]));
    await controller.start();
    await flush();
    expect(io.observed).toEqual([[api.key]]);
    expect(io.reconciled).toEqual([api.key]);
    expect(controller.status().services.map((service) => service.key)).toEqual([api.key]);
    expect(controller.readiness()).toEqual({ ready: true });
    expect(await metrics.registry.getSingleMetricAsString('ecs_reconciler_leader')).toContain('ecs_reconciler_leader 0');
    await controller.stop();
  });

  it('is a ready standby owning nothing', async () => {
    const { controller, io } = controllerOwning(new Set());
    await controller.start();
    await flush();
    expect(io.reconciled).toEqual([]);
    expect(controller.status().services).toEqual([]);
    expect(controller.readiness()).toEqual({ ready: true });
    await controller.stop();
  });

  it('forgets the services of a lost shard and takes up those of a gained one', async () => {
    const owned = new Set([api.key]);
    const { controller, io } = controllerOwning(owned);
    await controller.start();
    await flush();
    owned.delete(api.key);
    owned.add(web.key);
    controller.ownershipChanged();
    await flush();
    expect(io.observed).toEqual([[api.key], [web.key]]);
    expect(io.reconciled).toEqual([api.key, web.key]);
    expect(controller.status().services.map((service) => service.key)).toEqual([web.key]);
    await controller.stop();
  });
});

describe('WorkQueue with accept', () => {
  it('refuses keys it does not accept, and drops the ones it stopped accepting', async () => {
    const accepted = new Set(['a', 'b', 'c']);
    const time = new FakeTime();
    const queue = new WorkQueue({ time, accept: (key) => accepted.has(key) });
    queue.add('a');
    queue.add('x');
    queue.addAfter('b', 1_000);
    queue.addAfter('y', 1_000);
    queue.add('c');
    expect(queue.len()).toBe(2);
    accepted.delete('a');
    accepted.delete('b');
    queue.dropUnaccepted();
    time.advance(1_000);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('c');
    queue.shutDown();
  });
});
