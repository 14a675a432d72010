import { describe, expect, it } from 'vitest';
import type { AwsCallObserver } from '../../../src/aws/index.js';
import type { ServiceSummary } from '../../../src/controller/status.js';
import { WorkQueue } from '../../../src/controller/workqueue.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { ControllerMetrics } from '../../../src/metrics/metrics.js';
import { FakeTime } from '../controller/fake-time.js';
import { parseExposition, seriesOf, valueOf } from './exposition.js';

async function scrape(metrics: ControllerMetrics) {
  return parseExposition(await metrics.registry.metrics());
}

function status(overrides: Partial<ServiceSummary> = {}): ServiceSummary {
  return { key: 'prod/checkout', cluster: 'prod', service: 'checkout', strategy: 'Canary', syncStatus: 'Synced', healthStatus: 'Healthy', ...overrides };
}

const P = 'ecs_reconciler_';

describe('createMetrics: exposition', () => {
  it('exports every metric of the design with HELP, the right type and the ecs_reconciler_ prefix', async () => {
    const families = await scrape(createMetrics({ version: '1.2.3' }));
    const expected: Record<string, string> = {
      build_info: 'gauge',
      reconcile_total: 'counter',
      reconcile_duration_seconds: 'histogram',
      service_info: 'gauge',
      drift_corrections_total: 'counter',
      aws_api_calls_total: 'counter',
      aws_api_call_duration_seconds: 'histogram',
      workqueue_depth: 'gauge',
      workqueue_adds_total: 'counter',
      workqueue_retries_total: 'counter',
      workqueue_queue_duration_seconds: 'histogram',
      workqueue_work_duration_seconds: 'histogram',
      workqueue_unfinished_work_seconds: 'gauge',
      workqueue_longest_running_processor_seconds: 'gauge',
      rollout_phase: 'gauge',
      rollout_step: 'gauge',
      rollout_canary_weight: 'gauge',
      rollouts_total: 'counter',
      rollout_duration_seconds: 'histogram',
      analysis_runs_total: 'counter',
      failed_revisions_total: 'counter',
      rollout_records_rejected_total: 'counter',
      desired_state_info: 'gauge',
      manifest_errors: 'gauge',
      manifest_load_total: 'counter',
      last_sync_timestamp_seconds: 'gauge',
      leader: 'gauge',
      notification_deliveries_total: 'counter',
      notification_queue_depth: 'gauge',
      prune_held_services: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      const family = families.get(P + name);
      expect(family, P + name).toBeDefined();
      expect(family?.type, P + name).toBe(type);
      expect(family?.help, P + name).not.toBe('');
    }
    const ours = [...families.keys()].filter((n) => n.startsWith(P));
    expect(ours.sort()).toEqual(Object.keys(expected).map((n) => P + n).sort());
  });

  it('follows the naming conventions: counters end in _total, histograms are in seconds', async () => {
    const families = await scrape(createMetrics({ version: '1.2.3' }));
    for (const family of families.values()) {
      if (!family.name.startsWith(P)) continue;
      if (family.type === 'counter') expect(family.name).toMatch(/_total$/);
      else expect(family.name).not.toMatch(/_total$/);
      if (family.type === 'histogram') expect(family.name).toMatch(/_seconds$/);
    }
  });

  it('keeps the standard process and Node.js metrics unprefixed, and can leave them out', async () => {
    const withProcess = await scrape(createMetrics({ version: '1' }));
    expect(withProcess.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(withProcess.has('nodejs_heap_size_used_bytes')).toBe(true);
    expect([...withProcess.keys()].some((n) => n.startsWith(`${P}process_`) || n.startsWith(`${P}nodejs_`))).toBe(false);

    const without = await scrape(createMetrics({ version: '1', processMetrics: false }));
    expect([...without.keys()].every((n) => n.startsWith(P))).toBe(true);
  });

  it('exports the build info and starts the result counters at zero', async () => {
    const families = await scrape(createMetrics({ version: '1.2.3', nodeVersion: 'v20.19.0' }));
    expect(valueOf(families, `${P}build_info`, { version: '1.2.3', node_version: 'v20.19.0' })).toBe(1);
    for (const result of ['success', 'requeue', 'conflict', 'error']) expect(valueOf(families, `${P}reconcile_total`, { result })).toBe(0);
    for (const result of ['success', 'invalid', 'error']) expect(valueOf(families, `${P}manifest_load_total`, { result })).toBe(0);
    expect(valueOf(families, `${P}leader`)).toBe(0);
  });

  it('gives every instance its own registry', async () => {
    const a = createMetrics({ version: '1' });
    const b = createMetrics({ version: '1' });
    a.observeReconcile('success', 0.2);
    expect(valueOf(await scrape(a), `${P}reconcile_total`, { result: 'success' })).toBe(1);
    expect(valueOf(await scrape(b), `${P}reconcile_total`, { result: 'success' })).toBe(0);
  });

  it('escapes label values that need it', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.countAnalysisRun('say "hi"\\\n', 'Failed');
    expect(valueOf(await scrape(metrics), `${P}analysis_runs_total`, { template: 'say "hi"\\\n', outcome: 'Failed' })).toBe(1);
  });
});

describe('createMetrics: recording', () => {
  it('counts reconciles and their durations', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.observeReconcile('success', 0.02);
    metrics.observeReconcile('error', 3);
    const families = await scrape(metrics);
    expect(valueOf(families, `${P}reconcile_total`, { result: 'error' })).toBe(1);
    expect(valueOf(families, `${P}reconcile_duration_seconds_count`)).toBe(2);
    expect(valueOf(families, `${P}reconcile_duration_seconds_bucket`, { le: '0.025' })).toBe(1);
    expect(valueOf(families, `${P}reconcile_duration_seconds_sum`)).toBeCloseTo(3.02);
  });

  it("is the AWS client layer's observer as is", async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    const observer: AwsCallObserver = metrics.observeAwsCall;
    observer({ api: 'ecs', operation: 'RegisterTaskDefinition', outcome: 'throttled', durationSeconds: 1.5, mutating: true });
    metrics.observeAwsCall({ api: 'ecs', operation: 'RegisterTaskDefinition', outcome: 'ok', durationSeconds: 0.1, mutating: true });
    const families = await scrape(metrics);
    expect(valueOf(families, `${P}aws_api_calls_total`, { api: 'ecs', operation: 'RegisterTaskDefinition', outcome: 'throttled' })).toBe(1);
    expect(valueOf(families, `${P}aws_api_call_duration_seconds_count`, { api: 'ecs', operation: 'RegisterTaskDefinition' })).toBe(2);
  });

  it('keeps exactly one service_info series per service as its status changes', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.setServiceStatus(status());
    metrics.setServiceStatus(status({ syncStatus: 'OutOfSync', healthStatus: 'Progressing' }));
    metrics.setServiceStatus(status({ key: 'prod/cart', service: 'cart', strategy: 'Rolling' }));
    expect(seriesOf(await scrape(metrics), `${P}service_info`)).toEqual([
      { cluster: 'prod', service: 'checkout', strategy: 'Canary', sync_status: 'OutOfSync', health_status: 'Progressing' },
      { cluster: 'prod', service: 'cart', strategy: 'Rolling', sync_status: 'Synced', health_status: 'Healthy' },
    ]);
  });

  it('exports the rollout phase one-hot, with its step and canary weight', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false, rolloutPhases: ['Stable', 'Progressing', 'Degraded'] });
    metrics.setServiceStatus(status({ rollout: { phase: 'Progressing', step: 2, totalSteps: 5, canaryWeight: 10 } }));
    let families = await scrape(metrics);
    const phase = (p: string) => valueOf(families, `${P}rollout_phase`, { cluster: 'prod', service: 'checkout', phase: p });
    expect([phase('Stable'), phase('Progressing'), phase('Degraded')]).toEqual([0, 1, 0]);
    expect(valueOf(families, `${P}rollout_step`, { cluster: 'prod', service: 'checkout' })).toBe(2);
    expect(valueOf(families, `${P}rollout_canary_weight`, { cluster: 'prod', service: 'checkout' })).toBe(10);

    metrics.setServiceStatus(status({ rollout: { phase: 'Finalizing' } }));
    families = await scrape(metrics);
    expect([phase('Stable'), phase('Progressing'), phase('Degraded'), phase('Finalizing')]).toEqual([0, 0, 0, 1]);
    expect(seriesOf(families, `${P}rollout_step`)).toEqual([]);
    expect(seriesOf(families, `${P}rollout_canary_weight`)).toEqual([]);

    metrics.setServiceStatus(status({ rollout: { phase: 'Stable' } }));
    families = await scrape(metrics);
    expect(seriesOf(families, `${P}rollout_phase`).map((l) => l.phase)).toEqual(['Stable', 'Progressing', 'Degraded']);

    metrics.setServiceStatus(status());
    expect(seriesOf(await scrape(metrics), `${P}rollout_phase`)).toEqual([]);
  });

  it('records the last sync time in Unix seconds', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.setServiceStatus(status({ lastSyncAt: '2026-01-01T00:00:10.500Z' }));
    expect(valueOf(await scrape(metrics), `${P}last_sync_timestamp_seconds`, { cluster: 'prod', service: 'checkout' })).toBe(
      Date.UTC(2026, 0, 1, 0, 0, 10, 500) / 1000,
    );
    expect(() => metrics.setServiceStatus(status({ lastSyncAt: 'yesterday' }))).toThrow(/ISO 8601/);
  });

  it('removes every series of a removed service and only of that service', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    const full = { lastSyncAt: '2026-01-01T00:00:00Z', rollout: { phase: 'Progressing', step: 1, canaryWeight: 50 } };
    metrics.setServiceStatus(status(full));
    metrics.setServiceStatus(status({ ...full, key: 'prod/cart', service: 'cart' }));
    metrics.countDriftCorrection('prod/checkout');
    metrics.countDriftCorrection('prod/cart');
    metrics.removeService('prod/checkout');
    const families = await scrape(metrics);
    for (const name of ['service_info', 'rollout_phase', 'rollout_step', 'rollout_canary_weight', 'last_sync_timestamp_seconds', 'drift_corrections_total', 'rollout_records_rejected_total']) {
      const services = new Set(seriesOf(families, P + name).map((l) => l.service));
      expect([...services], name).toEqual(['cart']);
    }
  });

  it('counts rejected records per service from zero, so that the first rejection shows as an increase', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.setServiceStatus(status({ rollout: { phase: 'Paused' } }));
    const before = await scrape(metrics);
    expect(valueOf(before, `${P}rollout_records_rejected_total`, { cluster: 'prod', service: 'checkout', record: 'rollout', reason: 'forged' })).toBe(0);
    metrics.countRejectedRecord('prod/checkout', 'rollout', 'forged');
    metrics.setServiceStatus(status({ rollout: { phase: 'Paused' } }));
    const after = await scrape(metrics);
    expect(valueOf(after, `${P}rollout_records_rejected_total`, { cluster: 'prod', service: 'checkout', record: 'rollout', reason: 'forged' })).toBe(1);
    expect(valueOf(after, `${P}rollout_records_rejected_total`, { cluster: 'prod', service: 'checkout', record: 'analysis', reason: 'unsigned' })).toBe(0);
  });

  it('keeps one desired_state_info series, for the revision in force', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.setDesiredRevision('aaa111');
    metrics.setDesiredRevision('bbb222');
    expect(seriesOf(await scrape(metrics), `${P}desired_state_info`)).toEqual([{ revision: 'bbb222' }]);
  });

  it('counts manifest loads, rollouts, analysis runs and leadership', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    metrics.observeManifestLoad('invalid', 3);
    metrics.observeManifestLoad('success', 0);
    metrics.observeRolloutFinished({ strategy: 'Canary', outcome: 'aborted', reason: 'analysis', durationSeconds: 900 });
    metrics.observeRolloutFinished({ strategy: 'Canary', outcome: 'superseded', durationSeconds: 60 });
    metrics.countAnalysisRun('error-rate', 'Inconclusive');
    metrics.setLeader(true);
    const families = await scrape(metrics);
    expect(valueOf(families, `${P}manifest_load_total`, { result: 'invalid' })).toBe(1);
    expect(valueOf(families, `${P}manifest_errors`)).toBe(0);
    expect(valueOf(families, `${P}rollouts_total`, { strategy: 'Canary', outcome: 'aborted', reason: 'analysis' })).toBe(1);
    expect(valueOf(families, `${P}rollouts_total`, { strategy: 'Canary', outcome: 'superseded', reason: '' })).toBe(1);
    // An abort is a failed revision too; a superseded rollout is not.
    expect(valueOf(families, `${P}failed_revisions_total`, { strategy: 'Canary', reason: 'analysis' })).toBe(1);
    expect(valueOf(families, `${P}rollout_duration_seconds_bucket`, { strategy: 'Canary', outcome: 'aborted', le: '900' })).toBe(1);
    expect(valueOf(families, `${P}analysis_runs_total`, { template: 'error-rate', outcome: 'Inconclusive' })).toBe(1);
    expect(valueOf(families, `${P}leader`)).toBe(1);
  });

  it('rejects a service key that is not cluster/service', () => {
    expect(() => createMetrics({ version: '1', processMetrics: false }).countDriftCorrection('checkout')).toThrow(/cluster\/service/);
  });
});

describe('createMetrics: work queue', () => {
  it('reports what a real work queue does, with unfinished work read at scrape time', async () => {
    const metrics = createMetrics({ version: '1', processMetrics: false });
    const time = new FakeTime();
    const queue = new WorkQueue({ time, metrics: metrics.workqueue, random: () => 0 });
    queue.add('prod/a');
    queue.add('prod/a');
    queue.add('prod/b');
    time.advance(1_500);
    await queue.get();
    time.advance(4_000);
    queue.addRateLimited('prod/c');

    const families = await scrape(metrics);
    expect(valueOf(families, `${P}workqueue_depth`)).toBe(1);
    expect(valueOf(families, `${P}workqueue_adds_total`)).toBe(2);
    expect(valueOf(families, `${P}workqueue_retries_total`)).toBe(1);
    expect(valueOf(families, `${P}workqueue_queue_duration_seconds_sum`)).toBe(1.5);
    expect(valueOf(families, `${P}workqueue_unfinished_work_seconds`)).toBe(4);
    expect(valueOf(families, `${P}workqueue_longest_running_processor_seconds`)).toBe(4);

    queue.done('prod/a');
    const after = await scrape(metrics);
    expect(valueOf(after, `${P}workqueue_work_duration_seconds_sum`)).toBe(4);
    expect(valueOf(after, `${P}workqueue_unfinished_work_seconds`)).toBe(0);
  });
});
