import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findTool } from '../../support/tools.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { ControllerMetrics } from '../../../src/metrics/metrics.js';


/** Every metric with at least one series, so promtool lints label names and values too. */
function populated(processMetrics: boolean): ControllerMetrics {
  const metrics = createMetrics({ version: '1.2.3', processMetrics });
  metrics.observeReconcile('success', 0.3);
  metrics.observeAwsCall({ api: 'elbv2', operation: 'ModifyRule', outcome: 'ok', durationSeconds: 0.08, mutating: true });
  metrics.setServiceStatus({
    key: 'prod/checkout',
    cluster: 'prod',
    service: 'checkout',
    strategy: 'Canary',
    syncStatus: 'OutOfSync',
    healthStatus: 'Progressing',
    lastSyncAt: '2026-01-01T00:00:00Z',
    rollout: { phase: 'Progressing', step: 1, totalSteps: 4, canaryWeight: 10 },
  });
  metrics.countDriftCorrection('prod/checkout');
  metrics.observeRolloutFinished({ strategy: 'BlueGreen', outcome: 'promoted', durationSeconds: 1200 });
  metrics.countAnalysisRun('error-rate', 'Successful');
  metrics.setDesiredRevision('0123456789abcdef0123456789abcdef01234567');
  metrics.observeManifestLoad('invalid', 2);
  metrics.setLeader(true);
  metrics.workqueue.added();
  metrics.workqueue.depth(1);
  metrics.workqueue.queueDuration(0.01);
  metrics.workqueue.workDuration(0.3);
  metrics.workqueue.retried();
  return metrics;
}

function check(promtool: string, exposition: string) {
  const run = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  const problems = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return { status: run.status, problems };
}

// prom-client names three gauges with a _total suffix; they are kept because Node.js dashboards query those names.
const UPSTREAM_NODEJS_PROBLEMS = [
  /^nodejs_active_handles_total non-counter metrics should not have "_total" suffix$/,
  /^nodejs_active_requests_total non-counter metrics should not have "_total" suffix$/,
  /^nodejs_active_resources_total non-counter metrics should not have "_total" suffix$/,
];

const promtool = findTool('promtool');
const skipped = promtool === undefined ? ' [SKIPPED: promtool not found at /usr/bin/promtool or on PATH; install the Debian package "prometheus"]' : '';

describe.skipIf(promtool === undefined)(`promtool check metrics${skipped}`, () => {
  it("finds no problem in the controller's own metrics", async () => {
    const { status, problems } = check(promtool as string, await populated(false).registry.metrics());
    expect(problems).toEqual([]);
    expect(status).toBe(0);
  });

  it('finds only the known upstream naming problems in the full exposition, process metrics included', async () => {
    const { status, problems } = check(promtool as string, await populated(true).registry.metrics());
    expect(problems.filter((line) => !UPSTREAM_NODEJS_PROBLEMS.some((known) => known.test(line)))).toEqual([]);
    // 3 = lint problems only; 1 would mean the exposition could not be parsed.
    expect([0, 3]).toContain(status);
  });
});
