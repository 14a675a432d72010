/**
 * Taking measurements: the providers do the I/O, `assessMeasurement` (pure) turns a value into a phase with the
 * metric's conditions, and `takeMeasurements` folds the due metrics' measurements into the run.
 */
import type { Clock } from '../../controller/time.js';
import type { AnalysisArgs } from './args.js';
import { evaluateCondition } from './expression/index.js';
import { dueMetrics, recordMeasurement, type AnalysisRun, type Measurement, type MeasurementPhase } from './run.js';
import { providerKind, type AnalysisRunSpec, type MetricSpec, type ProviderKind } from './spec.js';

export interface MeasureContext {
  /** Epoch ms the measurement is for: the end of a CloudWatch window. */
  now: number;
}

export interface MetricValue {
  /** What conditions see as `result`: JSON data. */
  value: unknown;
  /** The provider's response, for debugging; never evaluated. */
  raw?: unknown;
}

/** One metric source. A thrown error makes the measurement an Error (retried, up to consecutiveErrorLimit). */
export interface MetricProvider {
  measure(metric: MetricSpec, args: AnalysisArgs, context: MeasureContext): Promise<MetricValue>;
}

export type MetricProviders = Partial<Record<ProviderKind, MetricProvider>>;

/** Measured values shown in status are cut to this many characters. */
export const MAX_VALUE_TEXT = 256;

export interface Assessment {
  phase: MeasurementPhase;
  message?: string;
}

/**
 * Argo Rollouts' rules. A value meeting both conditions fails: the failure condition is the safety net, and
 * aborting returns traffic to the known-good version, where pausing would leave it on a suspect one. No condition:
 * Successful. Only a success condition: its negation fails. Only a failure condition: its negation succeeds. A
 * condition that cannot be evaluated: Error.
 */
export function assessMeasurement(metric: MetricSpec, value: unknown): Assessment {
  let succeeded: boolean | undefined;
  let failed: boolean | undefined;
  try {
    if (metric.successCondition) succeeded = evaluateCondition(metric.successCondition, value);
    if (metric.failureCondition) failed = evaluateCondition(metric.failureCondition, value);
  } catch (error) {
    const which = metric.successCondition && succeeded === undefined ? 'successCondition' : 'failureCondition';
    return { phase: 'Error', message: `${which}: ${(error as Error).message}` };
  }
  succeeded ??= failed === undefined ? true : !failed;
  failed ??= !succeeded;
  if (failed) return { phase: 'Failed', ...(succeeded ? { message: 'failureCondition holds (successCondition too)' } : {}) };
  return succeeded ? { phase: 'Successful' } : { phase: 'Inconclusive', message: 'neither successCondition nor failureCondition holds' };
}

/** JSON text of a value for status, cut to MAX_VALUE_TEXT characters. */
export function valueText(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 3)}...` : text;
}

/** Measures one metric now; never throws (a failure is an Error measurement). */
export async function measureMetric(metric: MetricSpec, args: AnalysisArgs, providers: MetricProviders, clock: Clock): Promise<Measurement> {
  const startedAt = clock.now();
  try {
    const kind = providerKind(metric.provider);
    const provider = providers[kind];
    if (!provider) throw new Error(`no ${kind} provider is configured`);
    const { value } = await provider.measure(metric, args, { now: startedAt });
    return { ...assessMeasurement(metric, value), startedAt, finishedAt: clock.now(), value: valueText(value) };
  } catch (error) {
    return { phase: 'Error', startedAt, finishedAt: clock.now(), message: (error as Error).message };
  }
}

/** Measures every metric due at the clock's now, in parallel, and returns the run with their measurements. */
export async function takeMeasurements(spec: AnalysisRunSpec, run: AnalysisRun, providers: MetricProviders, clock: Clock): Promise<AnalysisRun> {
  const due = dueMetrics(run, clock.now());
  const measured = await Promise.all(
    due.map(async (name) => {
      const metric = spec.metrics.find((m) => m.name === name);
      if (!metric) throw new Error(`metric "${name}" of the run is not in its spec (was the template changed?)`);
      return { name, measurement: await measureMetric(metric, spec.args, providers, clock) };
    }),
  );
  return measured.reduce((current, { name, measurement }) => recordMeasurement(current, name, measurement), run);
}
