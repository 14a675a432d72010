/**
 * A run in one AWS tag value, so a restarted controller resumes an analysis where it was: the start time and, per
 * metric (in spec order), its tallies, last measurement time and last phase. The policies come back from the spec;
 * the recent measurements (display only) do not survive.
 *
 * Format: `a1:<startedAt>:<terminatedAt|->:<metric>:...`, metric = `<s>.<f>.<i>.<e>.<ce>.<lastMeasuredAt|->.<S|F|I|E|->`,
 * times in base-36 epoch ms. Only characters ECS and ELBv2 accept in tag values, at most 256 of them once signed.
 */
import { emptyMetricRun, type AnalysisRun, type MeasurementPhase, type MetricRun } from './run.js';
import type { AnalysisRunSpec } from './spec.js';
import { SIGNATURE_LENGTH } from '../../integrity/index.js';

export const RUN_TAG_VERSION = 'a1';
/** AWS's 256 characters, less the signature the engine adds (src/integrity). */
export const MAX_TAG_VALUE_LENGTH = 256 - SIGNATURE_LENGTH;

const PHASE_CODES: Record<MeasurementPhase, string> = { Successful: 'S', Failed: 'F', Inconclusive: 'I', Error: 'E' };
const PHASES_BY_CODE = new Map(Object.entries(PHASE_CODES).map(([phase, code]) => [code, phase as MeasurementPhase]));
const NONE = '-';

const time = (ms: number | undefined) => (ms === undefined ? NONE : ms.toString(36));

export function encodeRunTag(run: AnalysisRun): string {
  const metrics = run.metrics.map((m) =>
    [m.successful, m.failed, m.inconclusive, m.errors, m.consecutiveErrors, time(m.lastMeasuredAt), m.lastPhase ? PHASE_CODES[m.lastPhase] : NONE].join('.'),
  );
  const tag = [RUN_TAG_VERSION, time(run.startedAt), time(run.terminatedAt), ...metrics].join(':');
  if (tag.length > MAX_TAG_VALUE_LENGTH) {
    throw new Error(`an analysis run with ${run.metrics.length} metrics does not fit in a tag value (${tag.length} > ${MAX_TAG_VALUE_LENGTH} characters); split the templates across steps`);
  }
  return tag;
}

/** Rebuilds a run from its tag and the spec it was started with; throws if they do not belong together. */
export function restoreRun(spec: AnalysisRunSpec, tag: string): AnalysisRun {
  const [version, startedAt, terminatedAt, ...metrics] = tag.split(':');
  const bad = (why: string) => new Error(`analysis run tag "${tag}": ${why}`);
  if (version !== RUN_TAG_VERSION) throw bad(`unknown version "${version}", expected ${RUN_TAG_VERSION}`);
  if (metrics.length !== spec.metrics.length) throw bad(`has ${metrics.length} metrics, the spec ${spec.metrics.length} (the templates changed)`);
  const parseTime = (text: string | undefined, what: string): number | undefined => {
    if (text === NONE) return undefined;
    const value = text !== undefined && /^[0-9a-z]+$/.test(text) ? parseInt(text, 36) : NaN;
    if (!Number.isSafeInteger(value)) throw bad(`invalid ${what} "${text}"`);
    return value;
  };
  const runStart = parseTime(startedAt, 'start time');
  if (runStart === undefined) throw bad('missing start time');
  const ended = parseTime(terminatedAt, 'termination time');
  return {
    startedAt: runStart,
    ...(ended === undefined ? {} : { terminatedAt: ended }),
    metrics: spec.metrics.map((metric, i): MetricRun => {
      const fields = metrics[i]!.split('.');
      const counts = fields.slice(0, 5).map(Number);
      if (fields.length !== 7 || !counts.every((n) => Number.isSafeInteger(n) && n >= 0)) throw bad(`invalid metric "${metrics[i]}"`);
      const [successful, failed, inconclusive, errors, consecutiveErrors] = counts as [number, number, number, number, number];
      const lastMeasuredAt = parseTime(fields[5], `time of ${metric.name}`);
      const lastPhase = PHASES_BY_CODE.get(fields[6]!);
      if (lastPhase === undefined && fields[6] !== NONE) throw bad(`invalid phase "${fields[6]}" of ${metric.name}`);
      return {
        ...emptyMetricRun(metric.name, metric.policy),
        successful,
        failed,
        inconclusive,
        errors,
        consecutiveErrors,
        ...(lastMeasuredAt === undefined ? {} : { lastMeasuredAt }),
        ...(lastPhase === undefined ? {} : { lastPhase }),
      };
    }),
  };
}
