/** What the alert rules and the dashboard query, checked against what the controller exports. */
import { spawnSync } from 'node:child_process';
import { createMetrics } from '../../../src/metrics/metrics.js';

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The metric names a PromQL expression selects. Strings, label matchers, ranges and label lists are removed
 * first, so what is left of the identifiers is function names (followed by `(`), keywords and metric names.
 * Grafana variables (`$cluster`, `$__rate_interval`) only appear inside those removed parts, or start with `$`.
 */
export function metricNames(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const before = text[(match.index ?? 0) - 1] ?? ' ';
    if (/[\w.$]/.test(before)) continue;
    const after = text.slice((match.index ?? 0) + match[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names].sort();
}

/** Series Prometheus itself adds to every scrape. */
const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/** Every series name a scrape of the controller can return: its registry's metrics, histogram series included. */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = await createMetrics({ version: 'test' }).registry.getMetricsAsJSON();
  const names = new Set(SCRAPE_SERIES);
  for (const metric of metrics) {
    names.add(metric.name);
    // Typed as prom-client's MetricType enum, but the JSON carries the exposition's type word.
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

export function runPromtool(promtool: string, args: string[], cwd: string): { status: number | null; output: string } {
  const run = spawnSync(promtool, args, { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    anchors.add(
      (heading as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}
