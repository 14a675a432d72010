import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findTool } from '../../support/tools.js';
import { exportedSeriesNames, headingAnchors, metricNames, runPromtool } from './promql.js';

const root = path.resolve(import.meta.dirname, '../../..');
const rulesDir = path.join(root, 'deploy/prometheus');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTests {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = (parse(readFileSync(path.join(rulesDir, 'alerts.yaml'), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const ruleTests = parse(readFileSync(path.join(rulesDir, 'alerts.test.yaml'), 'utf8')) as RuleTests;
const operations = readFileSync(path.join(root, 'docs/operations.md'), 'utf8');

describe('metricNames', () => {
  it('returns the selected metrics, not functions, keywords, labels, strings or Grafana variables', () => {
    const expr = `sum by (api, operation) (rate(a_total{outcome="throttled", x=~"$cluster"}[$__rate_interval])) / on(api) group_left(job) sum without (instance) (b_seconds_bucket offset 5m) > bool 0.1 unless absent(up{job="x"}) and c:recorded`;
    expect(metricNames(expr)).toEqual(['a_total', 'b_seconds_bucket', 'c:recorded', 'up']);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) * 1e3')).toEqual(['h_bucket']);
  });
});

describe('headingAnchors', () => {
  it('builds GitHub-style anchors', () => {
    expect([...headingAnchors('## Runbooks\n### EcsReconcilerDown\n## High availability (HA)\n')]).toEqual(['runbooks', 'ecsreconcilerdown', 'high-availability-ha']);
  });
});

describe('deploy/prometheus/alerts.yaml', () => {
  it('queries only metrics the controller exports', async () => {
    const exported = await exportedSeriesNames();
    const unknown = rules.flatMap((rule) => metricNames(rule.expr).filter((name) => !exported.has(name)).map((name) => `${rule.alert}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('gives every alert a severity, a summary and a runbook_url that resolves to a section of docs/operations.md', () => {
    const anchors = headingAnchors(operations);
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      const url = new URL(rule.annotations?.runbook_url ?? '');
      expect(url.pathname.endsWith('/docs/operations.md'), rule.alert).toBe(true);
      expect(url.hash, rule.alert).toBe(`#${rule.alert.toLowerCase()}`);
      expect(anchors, rule.alert).toContain(rule.alert.toLowerCase());
    }
  });

  it('has a promtool unit test of every alert both firing and not firing', () => {
    expect(ruleTests.rule_files).toEqual(['alerts.yaml']);
    const cases = ruleTests.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const rule of rules) {
      const mine = cases.filter((testCase) => testCase.alertname === rule.alert);
      expect(mine.some((testCase) => testCase.exp_alerts.length > 0), `${rule.alert} firing`).toBe(true);
      expect(mine.some((testCase) => testCase.exp_alerts.length === 0), `${rule.alert} not firing`).toBe(true);
    }
  });
});

const promtool = findTool('promtool');
const skipped = promtool === undefined ? ' [SKIPPED: promtool not found at /usr/bin/promtool or on PATH; install the Debian package "prometheus"]' : '';

describe.skipIf(promtool === undefined)(`promtool${skipped}`, () => {
  it('checks the rules', () => {
    const { status, output } = runPromtool(promtool as string, ['check', 'rules', 'alerts.yaml'], rulesDir);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status).toBe(0);
  });

  it('passes the rule unit tests', () => {
    const { status, output } = runPromtool(promtool as string, ['test', 'rules', 'alerts.test.yaml'], rulesDir);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });
});
