/** The results as one markdown table: a row per figure, its floor or target, a column per N. Pure. */
import { controllerNodeFlags } from './options.js';
import type { ColdStartResult } from '../scenarios/cold-start.js';
import type { CommitLatencyResult } from '../scenarios/commit-latency.js';
import type { PipelineResult } from '../scenarios/pipeline.js';
import type { RestartResult, SteadyStateResult } from '../scenarios/steady-state.js';
import type { ThrottledResult } from '../scenarios/throttled.js';

export interface RunResult {
  services: number;
  clusters: number;
  cold?: ColdStartResult;
  restart?: RestartResult;
  steady?: SteadyStateResult;
  latency?: CommitLatencyResult;
  /** Peak RSS over the controller's life; RSS and V8 heap in use at the end. */
  resources?: { peakRssBytes: number; peakRssBytesAfterRestart: number; peakRssBytesAfterResyncs: number; rssBytes: number; heapUsedBytes: number };
  pipeline?: PipelineResult;
  throttled?: ThrottledResult;
}

interface Row {
  figure: string;
  /** What the value is measured against; a floor that depends on N is shown in the value's cell. */
  reference: (run: RunResult) => string | undefined;
  value: (run: RunResult) => string | undefined;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const mb = (bytes: number) => `${fixed(bytes / 2 ** 20, 0)} MB`;

const ROWS: Row[] = [
  {
    figure: 'cold start: time to converge (s)',
    reference: (r) => r.cold && `floor: writes through the ${r.cold.rateScale}x buckets`,
    value: (r) => r.cold && `${fixed(r.cold.seconds)} (floor ${fixed(r.cold.floorSeconds)}; ${fixed(r.cold.floorSecondsAtAwsRates, 0)} at 1x)`,
  },
  {
    figure: 'cold start: API calls, of which writes',
    reference: () => 'floor: one write per resource',
    value: (r) => r.cold && `${r.cold.calls.total}, ${sum(r.cold.calls.writes)} (floor ${r.cold.writeFloor})`,
  },
  { figure: 'restart: time to ready, in sync (s)', reference: () => 'reads each task definition once', value: (r) => r.restart && fixed(r.restart.seconds) },
  { figure: 'steady state: writes per resync', reference: () => 'must be 0', value: (r) => r.steady && String(r.steady.writes / r.steady.resyncs) },
  { figure: 'steady state: reads per resync', reference: () => 'floor from the manifests', value: (r) => r.steady && `${r.steady.reads} (floor ${r.steady.readFloor})` },
  { figure: 'steady state: reads / floor', reference: () => 'target <= 1.10', value: (r) => r.steady && fixed(r.steady.readRatio, 2) },
  {
    figure: 'full resync time (s, p50)',
    reference: () => 'bound: floor reads / sustained rate',
    value: (r) => r.steady && `${fixed(r.steady.seconds.p50, 2)} (bound ${fixed(r.steady.boundSeconds, 1)})`,
  },
  { figure: 'CPU per full resync (s, p50)', reference: () => '', value: (r) => r.steady && fixed(r.steady.cpuSecondsPerResync.p50, 3) },
  {
    figure: 'controller peak RSS: after restart, resyncs, commits',
    reference: () => 'target < 150 MB',
    value: (r) => r.resources && [r.resources.peakRssBytesAfterRestart, r.resources.peakRssBytesAfterResyncs, r.resources.peakRssBytes].map(mb).join(', '),
  },
  { figure: 'controller RSS, heap in use at the end', reference: () => '', value: (r) => r.resources && `${mb(r.resources.rssBytes)}, ${mb(r.resources.heapUsedBytes)}` },
  { figure: 'commit-to-action p50 (ms)', reference: () => 'includes the 200 ms debounce', value: (r) => r.latency && fixed(r.latency.ms.p50, 0) },
  { figure: 'commit-to-action p99 (ms)', reference: () => 'target < 1000', value: (r) => r.latency && `${fixed(r.latency.ms.p99, 0)} (${r.latency.trials} trials)` },
  { figure: 'normalize+diff+plan (services/s)', reference: () => 'in-process, no I/O', value: (r) => r.pipeline && fixed(r.pipeline.servicesPerSecond, 0) },
  {
    figure: 'throttled cold start: time (s), calls throttled',
    reference: () => 'share injected by the sandbox',
    value: (r) => r.throttled && `${fixed(r.throttled.seconds)}, ${fixed(r.throttled.throttledShare * 100, 0)}% of ${r.throttled.calls.total}`,
  },
  { figure: 'throttled: services out of sync after', reference: () => 'must be 0', value: (r) => r.throttled && String(r.throttled.outOfSyncAfter) },
];

export function markdownTable(runs: readonly RunResult[], context: { latencyMs: number; clusters: number; controllerHeapMb?: number | undefined }): string {
  const header = ['figure', 'floor / target', ...runs.map((r) => `N = ${r.services.toLocaleString('en-US')}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    const values = runs.map((run) => row.value(run));
    if (values.every((v) => v === undefined)) continue;
    const references = [...new Set(runs.map((run) => row.reference(run)).filter((ref): ref is string => ref !== undefined && ref !== ''))];
    lines.push(`| ${row.figure} | ${references.join('; ')} | ${values.map((v) => v ?? '-').join(' | ')} |`);
  }
  const flags = controllerNodeFlags(context.controllerHeapMb).join(' ');
  const asInProduction = context.controllerHeapMb === undefined ? ', as in production' : '';
  return `${lines.join('\n')}\n\n${context.clusters} clusters, ${context.latencyMs} ms per call, AWS's documented token buckets on both sides; the controller ran with ${flags}${asInProduction}.\n`;
}

/** One size's figures, as `bench/results/results-<N>.json` holds them. */
export interface StoredRun {
  options: Record<string, unknown>;
  run: RunResult;
}

/** A stable name per size: a later run of that size replaces its file, and the folder holds one file per N. */
export function resultFileName(services: number): string {
  return `results-${services}.json`;
}

export function isResultFileName(name: string): boolean {
  return /^results-\d+\.json$/.test(name);
}

/** The runs of every stored size, by N, for one table. */
export function runsBySize(stored: readonly StoredRun[]): RunResult[] {
  return stored.map((s) => s.run).sort((a, b) => a.services - b.services);
}
