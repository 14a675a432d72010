import { describe, expect, it } from 'vitest';
import {
  analysisDecision,
  dueMetrics,
  encodeRunTag,
  ERROR_RETRY_INTERVAL_MS,
  metricPhase,
  nextMeasurementAt,
  recordMeasurement,
  restoreRun,
  runPhase,
  startRun,
  summarizeRun,
  terminateRun,
  type AnalysisRun,
  type MeasurementPhase,
  type MetricPolicy,
  type MetricRun,
} from '../../../src/rollout/analysis/index.js';
import { emptyMetricRun } from '../../../src/rollout/analysis/run.js';
import { specOf, T0, template, webMetric } from './helpers.js';

const policy = (overrides: Partial<MetricPolicy> = {}): MetricPolicy => ({
  initialDelayMs: 0,
  count: 3,
  intervalMs: 60_000,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  ...overrides,
});

/** A metric after the given measurements, one a minute. */
function metricAfter(phases: MeasurementPhase[], overrides: Partial<MetricPolicy> = {}): MetricRun {
  let run: AnalysisRun = { startedAt: T0, metrics: [emptyMetricRun('m', policy(overrides))] };
  phases.forEach((phase, i) => {
    run = recordMeasurement(run, 'm', { phase, startedAt: T0 + i * 60_000, finishedAt: T0 + i * 60_000 + 1 });
  });
  return run.metrics[0]!;
}

const S = 'Successful';
const F = 'Failed';
const I = 'Inconclusive';
const E = 'Error';

describe('metricPhase: Argo Rollouts limits', () => {
  it.each<[string, MeasurementPhase[], Partial<MetricPolicy>, string]>([
    ['no measurement yet', [], {}, 'Running'],
    ['one failure over failureLimit 0', [F], {}, 'Failed'],
    ['one failure within failureLimit 1', [F], { failureLimit: 1 }, 'Running'],
    ['two failures over failureLimit 1', [S, F, F], { failureLimit: 1, count: 5 }, 'Failed'],
    ['count reached with failures within the limit', [S, F, S], { failureLimit: 1 }, 'Successful'],
    ['count reached, all successful', [S, S, S], {}, 'Successful'],
    ['one inconclusive over inconclusiveLimit 0', [I], {}, 'Inconclusive'],
    ['inconclusive within the limit', [I, S], { inconclusiveLimit: 1 }, 'Running'],
    ['failures outrank inconclusives', [I, F], { count: 5 }, 'Failed'],
    ['four consecutive errors within the default limit', [E, E, E, E], {}, 'Running'],
    ['five consecutive errors over the default limit 4', [E, E, E, E, E], {}, 'Error'],
    ['a success resets consecutive errors', [E, E, E, E, S, E, E], {}, 'Running'],
    ['errors do not count towards count', [E, S, E, S, E], {}, 'Running'],
    ['consecutiveErrorLimit 0: the first error ends the metric', [E], { consecutiveErrorLimit: 0 }, 'Error'],
    ['no count: runs until terminated', [S, S, S, S, S], { count: undefined }, 'Running'],
  ])('%s', (_, phases, overrides, expected) => {
    expect(metricPhase(metricAfter(phases, overrides))).toBe(expected);
  });

  it('checks failures first when several limits are exceeded at once', () => {
    const metric: MetricRun = { ...metricAfter([]), failed: 1, inconclusive: 1, consecutiveErrors: 9 };
    expect(metricPhase(metric)).toBe('Failed');
    expect(metricPhase({ ...metric, failed: 0 })).toBe('Inconclusive');
  });

  it('counts a terminated open metric as successful, but keeps a decided one', () => {
    expect(metricPhase(metricAfter([S], { count: undefined }), true)).toBe('Successful');
    expect(metricPhase(metricAfter([F], { count: undefined }), true)).toBe('Failed');
  });

  it('keeps only the latest measurements, but every tally', () => {
    const metric = metricAfter(Array.from({ length: 15 }, () => S), { count: undefined });
    expect(metric.successful).toBe(15);
    expect(metric.recent).toHaveLength(10);
    expect(metric.recent.at(-1)!.startedAt).toBe(T0 + 14 * 60_000);
  });
});

describe('runPhase: the worst metric wins', () => {
  const runOf = (...metrics: MetricRun[]): AnalysisRun => ({ startedAt: T0, metrics: metrics.map((m, i) => ({ ...m, name: `m${i}` })) });
  const successful = metricAfter([S, S, S]);
  const running = metricAfter([S]);
  const inconclusive = metricAfter([I]);
  const error = metricAfter([E, E, E, E, E]);
  const failed = metricAfter([F]);

  it.each<[string, MetricRun[], string]>([
    ['all successful', [successful, successful], 'Successful'],
    ['one still running', [successful, running], 'Running'],
    ['inconclusive over running', [running, inconclusive], 'Inconclusive'],
    ['error over inconclusive', [inconclusive, error], 'Error'],
    ['failed over everything', [successful, running, inconclusive, error, failed], 'Failed'],
  ])('%s', (_, metrics, expected) => {
    expect(runPhase(runOf(...metrics))).toBe(expected);
  });

  it('maps phases to what the rollout does', () => {
    expect(['Successful', 'Running', 'Inconclusive', 'Failed', 'Error'].map((p) => analysisDecision(p as never))).toEqual(['proceed', 'wait', 'pause', 'abort', 'abort']);
  });
});

describe('scheduling with an injected clock', () => {
  const spec = specOf([
    template('t', [
      webMetric({ name: 'slow', initialDelay: '30s', interval: '1m', count: 3 }),
      webMetric({ name: 'fast', interval: '5s', count: 2 }),
    ]),
  ]);

  it('measures after initialDelay, then one interval after each measurement ends', () => {
    let run = startRun(spec, T0);
    expect(dueMetrics(run, T0)).toEqual(['fast']);
    expect(nextMeasurementAt(run, T0)).toBe(T0);
    run = recordMeasurement(run, 'fast', { phase: 'Successful', startedAt: T0, finishedAt: T0 + 200 });
    expect(dueMetrics(run, T0 + 200)).toEqual([]);
    expect(nextMeasurementAt(run, T0 + 200)).toBe(T0 + 5_200);
    run = recordMeasurement(run, 'fast', { phase: 'Successful', startedAt: T0 + 5_200, finishedAt: T0 + 5_300 });
    expect(nextMeasurementAt(run, T0 + 5_300)).toBe(T0 + 30_000);
    expect(dueMetrics(run, T0 + 30_000)).toEqual(['slow']);
    run = recordMeasurement(run, 'slow', { phase: 'Successful', startedAt: T0 + 30_000, finishedAt: T0 + 31_000 });
    expect(nextMeasurementAt(run, T0 + 31_000)).toBe(T0 + 91_000);
    expect(nextMeasurementAt(run, T0 + 95_000)).toBe(T0 + 95_000);
  });

  it('retries an error after 10 s, or after the interval when that is shorter', () => {
    let run = startRun(spec, T0);
    run = recordMeasurement(run, 'fast', { phase: 'Error', startedAt: T0, finishedAt: T0 + 100, message: 'boom' });
    run = recordMeasurement(run, 'slow', { phase: 'Error', startedAt: T0 + 30_000, finishedAt: T0 + 30_100, message: 'boom' });
    expect(nextMeasurementAt(run, T0 + 100)).toBe(T0 + 5_100);
    const slow = run.metrics.find((m) => m.name === 'slow')!;
    expect(slow.lastMeasuredAt! + ERROR_RETRY_INTERVAL_MS).toBe(T0 + 40_100);
    run = recordMeasurement(run, 'fast', { phase: 'Successful', startedAt: T0 + 5_100, finishedAt: T0 + 5_100 });
    run = recordMeasurement(run, 'fast', { phase: 'Successful', startedAt: T0 + 10_100, finishedAt: T0 + 10_100 });
    expect(nextMeasurementAt(run, T0 + 10_100)).toBe(T0 + 40_100);
  });

  it('stops scheduling once the run is decided, even for metrics still open', () => {
    let run = startRun(spec, T0);
    run = recordMeasurement(run, 'fast', { phase: 'Failed', startedAt: T0, finishedAt: T0 });
    expect(runPhase(run)).toBe('Failed');
    expect(nextMeasurementAt(run, T0 + 30_000)).toBeUndefined();
    expect(dueMetrics(run, T0 + 30_000)).toEqual([]);
  });

  it('terminates a background run: open metrics succeed and nothing more is due', () => {
    const background = specOf([template('t', [webMetric({ interval: '1m' })])], { background: true });
    let run = recordMeasurement(startRun(background, T0), 'ok', { phase: 'Successful', startedAt: T0, finishedAt: T0 });
    expect(runPhase(run)).toBe('Running');
    run = terminateRun(run, T0 + 5_000);
    expect(terminateRun(run, T0 + 9_000).terminatedAt).toBe(T0 + 5_000);
    expect(runPhase(run)).toBe('Successful');
    expect(nextMeasurementAt(run, T0 + 5_000)).toBeUndefined();
  });

  it('rejects a measurement for a metric the run does not have', () => {
    expect(() => recordMeasurement(startRun(spec, T0), 'nope', { phase: 'Successful', startedAt: T0, finishedAt: T0 })).toThrow('the run has no metric "nope"');
  });
});

describe('summarizeRun', () => {
  it('explains each metric phase', () => {
    const spec = specOf([template('t', [webMetric({ name: 'a', interval: '1m', count: 3 }), webMetric({ name: 'b', interval: '1m', count: 3, consecutiveErrorLimit: 0 })])]);
    let run = recordMeasurement(startRun(spec, T0), 'a', { phase: 'Successful', startedAt: T0, finishedAt: T0, value: '[0.01]' });
    expect(summarizeRun(run, T0)).toEqual({
      phase: 'Running',
      decision: 'wait',
      nextMeasurementAt: T0,
      metrics: [
        expect.objectContaining({ name: 'a', phase: 'Running', successful: 1, message: '1 of 3 measurement(s) taken', lastMeasurement: expect.objectContaining({ value: '[0.01]' }) }),
        expect.objectContaining({ name: 'b', phase: 'Running', message: '0 of 3 measurement(s) taken' }),
      ],
    });
    run = recordMeasurement(run, 'b', { phase: 'Error', startedAt: T0, finishedAt: T0, message: 'connection refused' });
    const summary = summarizeRun(run, T0);
    expect(summary).toMatchObject({ phase: 'Error', decision: 'abort' });
    expect(summary).not.toHaveProperty('nextMeasurementAt');
    expect(summary.metrics[1]!.message).toBe('1 consecutive errors, more than consecutiveErrorLimit 0; last: connection refused');
  });
});

describe('the run in a tag', () => {
  const spec = specOf([template('t', [webMetric({ name: 'a', interval: '1m', count: 5, failureLimit: 2 }), webMetric({ name: 'b', interval: '10s', count: 3 })])]);

  it('round-trips tallies and timing, so a restarted controller resumes the schedule', () => {
    let run = startRun(spec, T0);
    run = recordMeasurement(run, 'a', { phase: 'Failed', startedAt: T0, finishedAt: T0 + 1_234 });
    run = recordMeasurement(run, 'a', { phase: 'Successful', startedAt: T0 + 61_234, finishedAt: T0 + 62_000 });
    run = recordMeasurement(run, 'b', { phase: 'Error', startedAt: T0, finishedAt: T0 + 10 });
    const tag = encodeRunTag(run);
    expect(tag).toMatch(/^[A-Za-z0-9 +\-=._:/@]+$/);
    expect(tag.length).toBeLessThanOrEqual(256);
    const restored = restoreRun(spec, tag);
    expect(restored.metrics.map(({ recent: _, ...m }) => m)).toEqual(run.metrics.map(({ recent: _, ...m }) => m));
    expect(restored.startedAt).toBe(T0);
    expect(nextMeasurementAt(restored, T0 + 62_000)).toBe(nextMeasurementAt(run, T0 + 62_000));
    expect(runPhase(restored)).toBe(runPhase(run));
    const terminated = terminateRun(run, T0 + 99_000);
    expect(restoreRun(spec, encodeRunTag(terminated)).terminatedAt).toBe(T0 + 99_000);
  });

  it.each([
    ['b1:x:-:0.0.0.0.0.-.-:0.0.0.0.0.-.-', 'unknown version "b1"'],
    ['a1:x:-:0.0.0.0.0.-.-', 'has 1 metrics, the spec 2 (the templates changed)'],
    ['a1:-:-:0.0.0.0.0.-.-:0.0.0.0.0.-.-', 'missing start time'],
    ['a1:x:-:0.0.0.0.-.-:0.0.0.0.0.-.-', 'invalid metric "0.0.0.0.-.-"'],
    ['a1:x:-:0.0.0.0.0.-.Q:0.0.0.0.0.-.-', 'invalid phase "Q" of a'],
    ['a1:X!:-:0.0.0.0.0.-.-:0.0.0.0.0.-.-', 'invalid start time "X!"'],
  ])('refuses %s: %s', (tag, message) => {
    expect(() => restoreRun(spec, tag)).toThrow(message);
  });

  it('refuses a run too large for a tag value', () => {
    const many = specOf([template('t', Array.from({ length: 20 }, (_, i) => webMetric({ name: `m${i}` })))]);
    let run = startRun(many, T0);
    for (const metric of run.metrics) run = recordMeasurement(run, metric.name, { phase: 'Successful', startedAt: T0, finishedAt: T0 });
    expect(() => encodeRunTag(run)).toThrow('an analysis run with 20 metrics does not fit in a tag value');
  });
});
