import { describe, expect, it } from 'vitest';
import {
  assessMeasurement,
  nextMeasurementAt,
  runPhase,
  startRun,
  takeMeasurements,
  type AnalysisRun,
  type MetricProvider,
  type MetricSpec,
} from '../../../src/rollout/analysis/index.js';
import { MAX_VALUE_TEXT } from '../../../src/rollout/analysis/measure.js';
import { metricSpecOf, specOf, T0, template, webMetric } from './helpers.js';

const withConditions = (successCondition?: string, failureCondition?: string): MetricSpec =>
  metricSpecOf(webMetric({ ...(successCondition ? { successCondition } : {}), ...(failureCondition ? { failureCondition } : {}) }));

describe('assessMeasurement', () => {
  it.each([
    ['no conditions: any value succeeds', undefined, undefined, 42, 'Successful'],
    ['success only, holds', 'result < 0.05', undefined, 0.01, 'Successful'],
    ['success only, does not hold: failed', 'result < 0.05', undefined, 0.2, 'Failed'],
    ['failure only, holds', undefined, 'result > 0.1', 0.2, 'Failed'],
    ['failure only, does not hold: successful', undefined, 'result > 0.1', 0.05, 'Successful'],
    ['both, success holds', 'result < 0.05', 'result > 0.1', 0.01, 'Successful'],
    ['both, failure holds', 'result < 0.05', 'result > 0.1', 0.2, 'Failed'],
    ['both, neither holds: inconclusive', 'result < 0.05', 'result > 0.1', 0.07, 'Inconclusive'],
    ['both hold: failure wins', 'result < 0.5', 'result > 0.1', 0.2, 'Failed'],
  ])('%s', (_, success, failure, value, phase) => {
    expect(assessMeasurement(withConditions(success, failure), value).phase).toBe(phase);
  });

  it('makes a condition that cannot be evaluated an Error, naming the condition', () => {
    expect(assessMeasurement(withConditions('result[0] < 0.05'), [])).toEqual({
      phase: 'Error',
      message: expect.stringMatching(/^successCondition: "<" needs two numbers or two strings, got null and number 0.05 .* at 1:11$/),
    });
    expect(assessMeasurement(withConditions('true', 'result.x > 1'), 'text')).toEqual({ phase: 'Error', message: expect.stringMatching(/^failureCondition: cannot read field "x"/) });
  });
});

/** A clock that moves only when a provider says a measurement took time. */
class StepClock {
  constructor(public current = T0) {}
  now() {
    return this.current;
  }
}

const provider = (measure: MetricProvider['measure']): MetricProvider => ({ measure });

describe('takeMeasurements', () => {
  const spec = specOf([
    template(
      't',
      [
        webMetric({ name: 'rate', interval: '1m', count: 3, failureLimit: 1, successCondition: 'result[0] < {{args.max}}' }),
        webMetric({ name: 'late', initialDelay: '2m', successCondition: 'result[0] < 1' }),
      ],
      [{ name: 'max', value: '0.05' }],
    ),
  ]);

  it('measures only the due metrics, passes args and now, and records value and timing', async () => {
    const clock = new StepClock();
    const calls: Array<{ metric: string; args: unknown; now: number }> = [];
    const web = provider(async (metric, args, context) => {
      calls.push({ metric: metric.name, args, now: context.now });
      clock.current += 250;
      return { value: [0.01], raw: { anything: true } };
    });
    const run = await takeMeasurements(spec, startRun(spec, T0), { web }, clock);
    expect(calls).toEqual([{ metric: 'rate', args: { max: '0.05' }, now: T0 }]);
    expect(run.metrics[0]!.recent).toEqual([{ phase: 'Successful', startedAt: T0, finishedAt: T0 + 250, value: '[0.01]' }]);
    expect(run.metrics[1]!.recent).toEqual([]);
    expect(nextMeasurementAt(run, clock.now())).toBe(T0 + 60_250);
  });

  it('makes provider failures and missing providers Error measurements', async () => {
    const clock = new StepClock();
    const failing = provider(async () => {
      throw new Error('GET http://127.0.0.1:1/health: ECONNREFUSED');
    });
    const failed = await takeMeasurements(spec, startRun(spec, T0), { web: failing }, clock);
    expect(failed.metrics[0]!.recent[0]).toMatchObject({ phase: 'Error', message: 'GET http://127.0.0.1:1/health: ECONNREFUSED' });
    const missing = await takeMeasurements(spec, startRun(spec, T0), {}, clock);
    expect(missing.metrics[0]!.recent[0]).toMatchObject({ phase: 'Error', message: 'no web provider is configured' });
  });

  it('cuts long values in the record', async () => {
    const big = provider(async () => ({ value: Array.from({ length: 500 }, () => 0.001) }));
    const run = await takeMeasurements(spec, startRun(spec, T0), { web: big }, new StepClock());
    const value = run.metrics[0]!.recent[0]!.value!;
    expect(value).toHaveLength(MAX_VALUE_TEXT);
    expect(value.endsWith('...')).toBe(true);
  });

  it('drives a whole run to its verdict by following nextMeasurementAt', async () => {
    const values = [[0.01], [0.2], [0.3]];
    const clock = new StepClock();
    const web = provider(async (metric) => ({ value: metric.name === 'late' ? [0.5] : values.shift()! }));
    let run: AnalysisRun = startRun(spec, T0);
    const phases: string[] = [];
    for (let guard = 0; guard < 10 && runPhase(run) === 'Running'; guard += 1) {
      run = await takeMeasurements(spec, run, { web }, clock);
      phases.push(`${(clock.now() - T0) / 1000}s:${runPhase(run)}`);
      clock.current = nextMeasurementAt(run, clock.now()) ?? clock.current;
    }
    expect(phases).toEqual(['0s:Running', '60s:Running', '120s:Failed']);
    expect(run.metrics[0]).toMatchObject({ successful: 1, failed: 2 });
  });
});
