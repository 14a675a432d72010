import { describe, expect, it } from 'vitest';
import type { PruneResult, ServiceResult, ServiceStatus } from '../../../src/apply/index.js';
import { AwsReadHealth } from '../../../src/controller/aws-reads.js';
import { Controller } from '../../../src/controller/controller.js';
import type { ControllerOptions } from '../../../src/controller/controller.js';
import type { ControllerIo } from '../../../src/controller/io.js';
import { createLogger } from '../../../src/log/logger.js';
import type { DesiredStateSnapshot } from '../../../src/manifest/index.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { ObservedState } from '../../../src/observe/index.js';
import { formatLedger, parseLedger, planService, PRUNE_LEDGER_TAG, withDeletions } from '../../../src/plan/index.js';
import type { PrunePlan } from '../../../src/plan/index.js';
import type { ReconcileReport } from '../../../src/reconcile/index.js';
import type { RolloutReport } from '../../../src/rollout/engine/index.js';
import { canaryReport } from '../rollout-engine/fixtures.js';
import { captureLines } from '../log/capture.js';
import { FakeAws } from '../plan/fixtures.js';
import { FakeTime, settle } from './fake-time.js';
import { desired, missingFolder, snapshotOf } from './fixtures.js';
import type { FileSpec } from './fixtures.js';

/** Everything outside the controller, in memory: the folder, the account (FakeAws) and scripted reconcile results. */
class FakeIo implements ControllerIo {
  snapshot: DesiredStateSnapshot;
  readonly aws = new FakeAws();
  readonly reconciled: string[] = [];
  readonly pruned: string[] = [];
  observations = 0;
  watcherClosed = false;
  /** Per key, what the next reconcile reports; default: apply the plan to the fake account. */
  readonly scripted = new Map<string, ServiceStatus>();
  /** Per key, the requeueAfterMs the next reports carry (a rollout timer). */
  readonly timers = new Map<string, number>();
  /** Per key, the rollout pass the next reports carry. */
  readonly rollouts = new Map<string, RolloutReport>();
  /** When set, reconciles wait for it (to hold them in flight). */
  gate: Promise<void> | undefined;
  private notify: () => void = () => {};

  constructor(files: FileSpec[]) {
    this.snapshot = snapshotOf(files);
  }

  load = async (): Promise<DesiredStateSnapshot> => this.snapshot;

  watch(_dir: string, onChange: () => void) {
    this.notify = onChange;
    return {
      ready: async () => {},
      close: async () => {
        this.watcherClosed = true;
      },
    };
  }

  /** The folder changed: the next load returns these files. */
  change(files: FileSpec[], revision = 'rev-2'): void {
    this.snapshot = snapshotOf(files, { revision });
    this.notify();
  }

  async reconcile(key: string, snapshot: DesiredStateSnapshot): Promise<ReconcileReport> {
    this.reconciled.push(key);
    await this.gate;
    const service = snapshot.services.get(key)!;
    const plan = planService(service.manifest, this.aws.state, { revision: snapshot.revision });
    const status = this.scripted.get(key) ?? (plan.actions.length > 0 ? 'changed' : 'in-sync');
    if (status === 'changed') this.aws.apply(plan.actions);
    const result: ServiceResult = { key, status, changes: plan.changes, actions: [], deferred: [], messages: plan.messages };
    const timer = this.timers.get(key);
    const rollout = this.rollouts.get(key);
    return {
      revision: snapshot.revision,
      root: snapshot.root,
      dryRun: false,
      services: [result],
      diagnostics: [],
      observed: {},
      ...(timer !== undefined ? { requeueAfterMs: timer } : {}),
      ...(rollout ? { rollouts: { [key]: rollout } } : {}),
    };
  }

  /** The clusters' tags, kept "in AWS": they outlive a controller, as the prune ledger must. */
  readonly clusterTags: Record<string, Record<string, string>> = { prod: {} };
  /** The time deletions are recorded at: the controller's clock. */
  now: () => number = () => 0;

  async observe(_services: unknown, options: { clusterTags?: boolean } = {}): Promise<ObservedState> {
    this.observations++;
    return { ...this.aws.state, clusterTags: options.clusterTags ? structuredClone(this.clusterTags) : {} };
  }

  async prune(plan: PrunePlan): Promise<PruneResult> {
    if (plan.outcome !== 'ok') return { outcome: 'refused', reason: plan.reason, wouldDelete: plan.deleteKeys };
    this.pruned.push(...plan.deleteKeys);
    for (const key of plan.deleteKeys) {
      const tags = (this.clusterTags[key.split('/')[0] ?? ''] ??= {});
      tags[PRUNE_LEDGER_TAG] = formatLedger(withDeletions(parseLedger(tags[PRUNE_LEDGER_TAG]) ?? [], this.now(), 1, plan.windowMs));
      delete this.aws.state.services[key];
    }
    return { outcome: 'ok', services: plan.deleteKeys.map((key) => ({ key, status: 'deleted', actions: [] })) };
  }
}

function setUp(io: FakeIo, options: Pick<ControllerOptions, 'prune' | 'shutdownTimeoutMs' | 'awsReads' | 'awsUnreachableAfterMs'> = {}, time = new FakeTime()) {
  io.now = () => time.now();
  const logs = captureLines();
  const metrics = createMetrics({ version: 'test', processMetrics: false });
  const controller = new Controller({
    dir: '/desired',
    io,
    metrics,
    log: createLogger({ destination: logs.stream, level: 'debug' }),
    instance: 'ecs-reconciler',
    workers: 2,
    resyncMs: 60_000,
    time,
    random: () => 0.5,
    ...options,
  });
  return { controller, time, logs, metrics };
}

/** Lets the workers and the loads run to quiescence; no clock moves. */
async function flush(): Promise<void> {
  for (let i = 0; i < 30; i++) await settle();
}

async function counter(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
}

const api = desired('api');
const web = desired('web');

describe('Controller: initial sync and readiness', () => {
  it('observes once, queues only the services that differ, and is ready when they are done', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [web] }]);
    io.aws.apply(planService(api.manifest, io.aws.state, { revision: 'rev-1' }).actions);
    let release: () => void = () => {};
    io.gate = new Promise((resolve) => (release = resolve));
    const { controller } = setUp(io);
    expect(controller.readiness()).toEqual({ ready: false, reason: 'desired state not loaded yet' });

    await controller.start();
    await flush();
    expect(io.observations).toBe(1);
    expect(io.reconciled).toEqual(['prod/web']);
    expect(controller.readiness()).toEqual({ ready: false, reason: 'first sync not done' });
    expect(controller.status().services.map((s) => [s.key, s.syncStatus])).toEqual([
      ['prod/api', 'Synced'],
      ['prod/web', 'Unknown'],
    ]);
    release();
    await flush();
    expect(controller.readiness()).toEqual({ ready: true });
    await controller.stop();
  });

  it('becomes ready after the queued services were reconciled once', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    const { controller } = setUp(io);
    await controller.start();
    await flush();
    expect(io.reconciled).toEqual(['prod/api']);
    expect(controller.readiness()).toEqual({ ready: true });
    expect(controller.status()).toMatchObject({ revision: 'rev-1', services: [{ key: 'prod/api', syncStatus: 'Synced', healthStatus: 'Progressing' }] });
    await controller.stop();
  });

  it('is not ready, with the reason, while the folder is missing; it syncs once the folder appears', async () => {
    const io = new FakeIo([]);
    io.snapshot = missingFolder();
    const { controller } = setUp(io);
    await controller.start();
    expect(controller.readiness()).toMatchObject({ ready: false, reason: expect.stringMatching(/^desired-state folder missing or unreadable/) });
    expect(io.observations).toBe(0);

    io.change([{ file: 'api.yaml', services: [api] }]);
    await flush();
    expect(io.observations).toBe(1);
    expect(controller.readiness()).toEqual({ ready: true });
    await controller.stop();
  });
});

describe('Controller: changes', () => {
  it('queues only the services whose manifest changed', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [web] }]);
    const { controller } = setUp(io);
    await controller.start();
    await flush();
    io.reconciled.length = 0;

    io.change([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [desired('web', { desiredCount: 6 })] }]);
    await flush();
    expect(io.reconciled).toEqual(['prod/web']);
    await controller.stop();
  });

  it('a broken file keeps its service in force: it is neither reconciled to anything new nor forgotten', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [web] }]);
    const { controller, metrics } = setUp(io, { prune: true });
    await controller.start();
    await flush();
    io.reconciled.length = 0;

    io.change([{ file: 'api.yaml', services: [api], broken: true }, { file: 'web.yaml', services: [desired('web', { desiredCount: 6 })] }]);
    await flush();
    expect(io.reconciled).toEqual(['prod/web']);
    expect(controller.status().manifestErrors.map((problem) => problem.file)).toEqual(['api.yaml']);
    expect(controller.status().services.map((s) => s.key)).toEqual(['prod/api', 'prod/web']);
    expect(await counter(metrics, 'ecs_reconciler_manifest_errors')).toBe(1);
    await controller.resync();
    await flush();
    expect(io.pruned).toEqual([]);
    await controller.stop();
  });

  it('counts a change applied without a new manifest as a drift correction', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    const { controller, metrics, logs } = setUp(io);
    await controller.start();
    await flush();
    await controller.resync();
    expect(await counter(metrics, 'ecs_reconciler_drift_corrections_total')).toBe(0);

    const observed = io.aws.state.services['prod/api']!;
    observed.desiredCount = 1;
    observed.settings = { ...observed.settings, desiredCount: 1 };
    await controller.resync();
    await flush();
    expect(await counter(metrics, 'ecs_reconciler_drift_corrections_total')).toBe(1);
    expect(logs.records().some((line) => line.event === 'decision' && line.msg === 'corrected drift: AWS was changed outside git')).toBe(true);
    await controller.stop();
  });

  it('retries a failed reconcile with backoff', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    io.scripted.set('prod/api', 'failed');
    const { controller, time, metrics } = setUp(io);
    await controller.start();
    await flush();
    expect(io.reconciled).toEqual(['prod/api']);
    expect(controller.status().services[0]?.syncStatus).toBe('Error');

    io.scripted.delete('prod/api');
    time.advance(100);
    await flush();
    expect(io.reconciled).toEqual(['prod/api', 'prod/api']);
    expect(controller.status().services[0]?.syncStatus).toBe('Synced');
    expect(await counter(metrics, 'ecs_reconciler_workqueue_retries_total')).toBe(1);
    await controller.stop();
  });
});

describe('Controller: timers', () => {
  it("looks at a service again when its reconcile asks to (a rollout's pause), and not before", async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    io.aws.apply(planService(api.manifest, io.aws.state, { revision: 'rev-1' }).actions);
    const { controller, time } = setUp(io);
    await controller.start();
    await controller.resync();
    io.timers.set('prod/api', 5_000);
    io.aws.state.services['prod/api']!.desiredCount = 1;
    await controller.resync();
    await flush();
    expect(io.reconciled).toEqual(['prod/api']);

    time.advance(4_999);
    await flush();
    expect(io.reconciled).toEqual(['prod/api']);
    time.advance(1);
    await flush();
    expect(io.reconciled).toEqual(['prod/api', 'prod/api']);
    await controller.stop();
  });
});

describe('Controller: notes', () => {
  it('logs a note of the plan (an ignored desiredCount) once, not at every reconcile of the service', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    io.aws.apply(planService(api.manifest, io.aws.state, { revision: 'rev-1' }).actions);
    const suspendedState = { dynamicScalingInSuspended: false, dynamicScalingOutSuspended: false, scheduledScalingSuspended: false };
    io.aws.state.scalableTargets['service/prod/api'] = { resourceId: 'service/prod/api', minCapacity: 1, maxCapacity: 20, suspendedState };
    io.aws.state.services['prod/api']!.desiredCount = 8;
    io.timers.set('prod/api', 5_000);
    const { controller, time, logs } = setUp(io);
    await controller.start();
    io.change([{ file: 'api.yaml', services: [desired('api', { desiredCount: 5 })] }]);
    await flush();
    for (let i = 0; i < 3; i++) {
      time.advance(5_000);
      await flush();
    }
    expect(io.reconciled.length).toBeGreaterThanOrEqual(3);
    expect(logs.records().filter((line) => line.event === 'note').map((line) => line.msg)).toEqual([
      "desiredCount 5 is ignored: the scalable target service/prod/api owns the count (8 now, within 1..20); change the scalable target's capacity to move it",
    ]);
    await controller.stop();
  });
});

describe('Controller: rollout views', () => {
  it("keeps each rollout service's last pass for its detail page, and forgets it with the service", async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [web] }]);
    const report = canaryReport({ key: 'prod/web' });
    io.rollouts.set('prod/web', report);
    const { controller } = setUp(io);
    await controller.start();
    await flush();
    expect(controller.rolloutView('prod/web')).toEqual({ key: 'prod/web', strategy: 'Canary', rollout: report });
    expect(controller.rolloutView('prod/api')).toBeUndefined();
    expect(controller.status().services.find((service) => service.key === 'prod/web')?.rollout).toMatchObject({ phase: 'Progressing', canaryWeight: 10 });

    io.change([{ file: 'api.yaml', services: [api] }]);
    await flush();
    expect(controller.rolloutView('prod/web')).toBeUndefined();
    await controller.stop();
  });
});

describe('Controller: readiness while AWS is unreachable', () => {
  it('stays ready through short failures, reports not ready with the reason after the bound, and recovers on a successful read', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    const time = new FakeTime();
    const awsReads = new AwsReadHealth(time);
    const { controller } = setUp(io, { awsReads, awsUnreachableAfterMs: 120_000 }, time);
    await controller.start();
    await flush();
    expect(controller.readiness()).toEqual({ ready: true });
    const failedRead = { api: 'ecs', operation: 'DescribeServices', outcome: 'error', mutating: false, errorCode: 'ECONNREFUSED' } as const;
    awsReads.observe(failedRead);
    time.advance(60_000);
    expect(controller.readiness()).toEqual({ ready: true });
    awsReads.observe(failedRead);
    time.advance(60_000);
    expect(controller.readiness()).toEqual({ ready: false, reason: expect.stringMatching(/^AWS reads have failed for 2m with no success \(last: ecs DescribeServices: ECONNREFUSED\)/) });
    awsReads.observe({ ...failedRead, outcome: 'ok' });
    expect(controller.readiness()).toEqual({ ready: true });
    await controller.stop();
  });
});

describe('Controller: prune', () => {
  it('deletes a service whose manifest was removed, through one resync that approves it', async () => {
    const services = [desired('a'), desired('b'), desired('c'), desired('d')];
    const io = new FakeIo(services.map((service) => ({ file: `${service.name}.yaml`, services: [service] })));
    const { controller } = setUp(io, { prune: true });
    await controller.start();
    await flush();

    io.change(services.slice(0, 3).map((service) => ({ file: `${service.name}.yaml`, services: [service] })));
    await flush();
    expect(io.pruned).toEqual(['prod/d']);
    expect(controller.status().services.map((s) => s.key)).toEqual(['prod/a', 'prod/b', 'prod/c']);
    await controller.stop();
  });

  it('one manifest removed every 12 s: two of nine go, the rest wait for an approval, across a restart and until the window moves on', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const files = (kept: string[]) => kept.map((name) => ({ file: `${name}.yaml`, services: [desired(name)] }));
    const io = new FakeIo(files(names));
    const time = new FakeTime();
    let { controller, metrics, logs } = setUp(io, { prune: true }, time);
    await controller.start();
    await flush();
    for (let removed = 1; removed <= 4; removed++) {
      time.advance(12_000);
      io.change(files(names.slice(removed)), `rev-${removed}`);
      await flush();
    }
    expect(io.pruned).toEqual(['prod/a', 'prod/b']);
    expect(await counter(metrics, 'ecs_reconciler_prune_held_services')).toBe(2);
    const refusal = logs.records().find((line) => line.action === 'prune' && line.outcome === 'refused');
    expect(refusal?.msg).toMatch(/3 of 9 within 1h with the 2 deleted there before .*--force-prune/);
    await controller.stop();

    // A restart 30 minutes into the window: the budget is read back from the cluster, not from memory.
    time.advance(30 * 60_000);
    ({ controller, metrics, logs } = setUp(io, { prune: true }, time));
    await controller.start();
    await flush();
    expect(io.pruned).toEqual(['prod/a', 'prod/b']);
    expect(await counter(metrics, 'ecs_reconciler_prune_held_services')).toBe(2);

    // An hour after the first deletions, the window has room again: two more (2 of 7).
    time.advance(30 * 60_000);
    await controller.resync();
    await flush();
    expect(io.pruned).toEqual(['prod/a', 'prod/b', 'prod/c', 'prod/d']);
    await controller.stop();
  });

  it('without --prune, forgets a removed service and leaves it in AWS', async () => {
    const io = new FakeIo([{ file: 'a.yaml', services: [desired('a')] }, { file: 'b.yaml', services: [desired('b')] }]);
    const { controller } = setUp(io);
    await controller.start();
    await flush();
    io.change([{ file: 'a.yaml', services: [desired('a')] }]);
    await flush();
    expect(io.pruned).toEqual([]);
    expect(io.aws.state.services['prod/b']).toBeDefined();
    expect(controller.status().services.map((s) => s.key)).toEqual(['prod/a']);
    await controller.stop();
  });
});

describe('Controller: shutdown', () => {
  it('stops taking work, closes the watcher, and waits for the reconciles in flight', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [web] }]);
    let release: () => void = () => {};
    io.gate = new Promise((resolve) => (release = resolve));
    const { controller } = setUp(io, { shutdownTimeoutMs: 20_000 });
    await controller.start();
    await flush();
    expect(io.reconciled).toEqual(['prod/api', 'prod/web']);

    const stopped = controller.stop();
    await flush();
    expect(io.watcherClosed).toBe(true);
    io.change([{ file: 'api.yaml', services: [desired('api', { desiredCount: 9 })] }]);
    release();
    expect(await stopped).toBe('drained');
    expect(io.reconciled).toEqual(['prod/api', 'prod/web']);
  });

  it('abandons reconciles still in flight when the shutdown timeout passes', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    io.gate = new Promise(() => {});
    const { controller, time, logs } = setUp(io, { shutdownTimeoutMs: 20_000 });
    await controller.start();
    await flush();

    let exit: string | undefined;
    const stopped = controller.stop().then((value) => (exit = value));
    time.advance(19_999);
    await flush();
    expect(exit).toBeUndefined();
    time.advance(1);
    await stopped;
    expect(exit).toBe('abandoned');
    expect(logs.records().some((line) => line.msg === 'stopped: abandoned the reconciles still in flight')).toBe(true);
  });

  it('cancels the periodic resync', async () => {
    const io = new FakeIo([{ file: 'api.yaml', services: [api] }]);
    const { controller, time } = setUp(io);
    await controller.start();
    await flush();
    await controller.stop();
    time.advance(10 * 60_000);
    await flush();
    expect(io.observations).toBe(1);
  });
});
