import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedSeriesNames, metricNames } from './promql.js';

interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}
interface Panel {
  type: string;
  title: string;
  gridPos: GridPos;
  datasource?: unknown;
  targets?: { expr: string; datasource?: unknown }[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  panels: Panel[];
  templating: { list: { name: string; datasource: unknown; query: { query: string } }[] };
  uid: string;
}

const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../deploy/grafana/dashboard.json'), 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const exprs = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
const PROMETHEUS_INPUT = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

/** `label_values(metric{...}, label)` -> the metric's name; a variable query is Grafana's, not PromQL. */
function variableMetric(query: string): string {
  const match = /^label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(query);
  if (!match) throw new Error(`unexpected variable query ${query}`);
  return match[1] as string;
}

describe('deploy/grafana/dashboard.json', () => {
  it('queries only metrics the controller exports, in panels and variables', async () => {
    const exported = await exportedSeriesNames();
    const used = [...exprs.flatMap(({ panel, expr }) => metricNames(expr).map((name) => ({ panel, name }))), ...dashboard.templating.list.map((variable) => ({ panel: `$${variable.name}`, name: variableMetric(variable.query.query) }))];
    expect(used.filter(({ name }) => !exported.has(name)).map(({ panel, name }) => `${panel}: ${name}`)).toEqual([]);
  });

  it('takes its datasource from the DS_PROMETHEUS import input everywhere', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(PROMETHEUS_INPUT);
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual(PROMETHEUS_INPUT);
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource).toEqual(PROMETHEUS_INPUT);
  });

  it('covers what SREs look at: reconciles, sync status, API calls, throttles, work queue, rollouts, desired state', () => {
    const used = new Set(exprs.flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      'ecs_reconciler_reconcile_total',
      'ecs_reconciler_reconcile_duration_seconds_bucket',
      'ecs_reconciler_service_info',
      'ecs_reconciler_aws_api_calls_total',
      'ecs_reconciler_workqueue_depth',
      'ecs_reconciler_workqueue_queue_duration_seconds_bucket',
      'ecs_reconciler_rollout_phase',
      'ecs_reconciler_rollout_step',
      'ecs_reconciler_rollout_canary_weight',
      'ecs_reconciler_desired_state_info',
      'ecs_reconciler_manifest_errors',
    ]) {
      expect(used, name).toContain(name);
    }
    expect(exprs.some(({ expr }) => expr.includes('histogram_quantile') && expr.includes('ecs_reconciler_reconcile_duration_seconds_bucket'))).toBe(true);
    expect(exprs.some(({ expr }) => expr.includes('outcome="throttled"'))).toBe(true);
    const statusTable = panels.find((panel) => panel.type === 'table' && panel.targets?.some((target) => metricNames(target.expr).includes('ecs_reconciler_service_info')));
    expect(statusTable?.title).toBe('Sync and health status by service');
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const overlaps = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const all = dashboard.panels;
    for (const [index, panel] of all.entries()) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      for (const other of all.slice(index + 1)) expect(overlaps(panel.gridPos, other.gridPos), `${panel.title} / ${other.title}`).toBe(false);
    }
  });
});
