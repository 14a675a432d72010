/**
 * Analysis runs kept in service tags: one tag per run, `ecs-reconciler:analysis:<runId>` = `encodeRunTag(run)`.
 * The run's spec is not stored: it comes back from the run id's label (`s<step>`, `bg<generation>`, `post`) and the
 * manifest, so a restarted controller resumes every run's schedule where the tag left it.
 */
import type { AnalysisRef } from '../../manifest/schema.js';
import type { DesiredAnalysisTemplate } from '../../manifest/index.js';
import {
  createRunSpec,
  encodeRunTag,
  nextMeasurementAt,
  restoreRun,
  runPhase,
  startRun,
  summarizeRun,
  takeMeasurements,
  terminateRun,
} from '../analysis/index.js';
import type { AnalysisArgs, AnalysisRun, AnalysisRunSpec, MetricProviders, RunSummary } from '../analysis/index.js';
import type { Clock } from '../../controller/time.js';
import { describeUnverified, verifyWith } from '../../integrity/index.js';
import type { RecordKeyring } from '../../integrity/index.js';
import type { ObservedService } from '../../observe/index.js';
import type { AnalysisRunView, RolloutStrategySpec, StartAnalysisInput } from '../types.js';

export const ANALYSIS_TAG_PREFIX = 'ecs-reconciler:analysis:';

const RUN_ID = /^([0-9a-z]{1,12})-(\d+)-(s\d+|bg\d+|post)$/;

/**
 * A run as the engine holds it: restored (spec and run), or unusable (`error`: its tag or templates are broken, or
 * `rejected`: its tag failed verification). `tag` is the payload, without the signature.
 */
export interface StoredRun {
  runId: string;
  templates: string[];
  tag: string;
  spec?: AnalysisRunSpec;
  run?: AnalysisRun;
  error?: string;
  rejected?: 'unsigned' | 'forged';
}

export interface RunSources {
  strategy: RolloutStrategySpec;
  templates: ReadonlyMap<string, DesiredAnalysisTemplate>;
  /** The rollout args every run is offered (see `rolloutArgs`). */
  contextArgs: AnalysisArgs;
}

export function runTagKey(runId: string): string {
  return `${ANALYSIS_TAG_PREFIX}${runId}`;
}

/** The analysis reference a run id stands for, from its label; undefined when the manifest no longer has it. */
export function refForRun(strategy: RolloutStrategySpec, runId: string): { ref: AnalysisRef; background: boolean } | undefined {
  const label = RUN_ID.exec(runId)?.[3];
  if (label === undefined) return undefined;
  if (label === 'post') return strategy.postPromotionAnalysis ? { ref: strategy.postPromotionAnalysis, background: false } : undefined;
  if (label.startsWith('bg')) {
    const bg = strategy.backgroundAnalysis;
    return bg ? { ref: { templates: bg.templates, ...(bg.args ? { args: bg.args } : {}) }, background: true } : undefined;
  }
  const step = strategy.steps[Number(label.slice(1))];
  return step?.type === 'analysis' ? { ref: step.analysis, background: false } : undefined;
}

function specOf(sources: RunSources, ref: AnalysisRef, background: boolean): AnalysisRunSpec {
  return createRunSpec({ ref, templates: sources.templates, contextArgs: sources.contextArgs, background });
}

/**
 * Every run found in the service's tags. Never throws: a run that cannot be restored is kept with its error, and one
 * whose tag fails verification with the reason (it is never restored, measured or re-signed).
 */
export function readRuns(service: Pick<ObservedService, 'serviceArn' | 'tags'>, sources: RunSources, keyring: RecordKeyring): Map<string, StoredRun> {
  const runs = new Map<string, StoredRun>();
  for (const [key, value] of Object.entries(service.tags)) {
    if (!key.startsWith(ANALYSIS_TAG_PREFIX)) continue;
    const runId = key.slice(ANALYSIS_TAG_PREFIX.length);
    const verified = verifyWith(keyring, { resource: service.serviceArn, tag: key }, value);
    if (!verified.ok) {
      runs.set(runId, { runId, templates: [], tag: value, error: `its tag ${describeUnverified(verified.reason)}`, rejected: verified.reason });
      continue;
    }
    const tag = verified.payload;
    const source = refForRun(sources.strategy, runId);
    if (!source) {
      runs.set(runId, { runId, templates: [], tag, error: `no analysis of the manifest matches run ${runId}` });
      continue;
    }
    try {
      const spec = specOf(sources, source.ref, source.background);
      runs.set(runId, { runId, templates: spec.templates, tag, spec, run: restoreRun(spec, tag) });
    } catch (error) {
      runs.set(runId, { runId, templates: source.ref.templates, tag, error: (error as Error).message });
    }
  }
  return runs;
}

/** A new run for StartAnalysis; a spec that cannot be built gives a run that is an Error from the start. */
export function startStoredRun(input: StartAnalysisInput, sources: RunSources, now: number): StoredRun {
  try {
    const spec = specOf(sources, { templates: input.templates, ...(input.args.length > 0 ? { args: input.args } : {}) }, input.background);
    const run = startRun(spec, now);
    return { runId: input.runId, templates: spec.templates, tag: encodeRunTag(run), spec, run };
  } catch (error) {
    // The tag still records that the run was started; restoring it fails again with the same message.
    return { runId: input.runId, templates: input.templates, tag: encodeRunTag({ startedAt: now, metrics: [] }), error: (error as Error).message };
  }
}

export function phaseOf(stored: StoredRun): AnalysisRunView['phase'] {
  return stored.run ? runPhase(stored.run) : 'Error';
}

/** What the state machine sees of a run. */
export function runView(stored: StoredRun, now: number): AnalysisRunView {
  if (stored.rejected) return { phase: 'Error', message: stored.error ?? 'rejected', rejected: describeUnverified(stored.rejected) };
  if (!stored.run) return { phase: 'Error', message: stored.error ?? 'run could not be restored' };
  const summary = summarizeRun(stored.run, now);
  const decisive = summary.metrics.find((metric) => metric.phase === summary.phase && summary.phase !== 'Successful' && summary.phase !== 'Running');
  return { phase: summary.phase, ...(decisive ? { message: `${decisive.name}: ${decisive.message}` } : {}) };
}

export function summaryOf(stored: StoredRun, now: number): RunSummary | undefined {
  return stored.run ? summarizeRun(stored.run, now) : undefined;
}

/** Takes the measurements due now; the returned run carries the new tag when anything was measured. */
export async function measureRun(stored: StoredRun, providers: MetricProviders, clock: Clock): Promise<StoredRun> {
  if (!stored.run || !stored.spec || runPhase(stored.run) !== 'Running') return stored;
  const run = await takeMeasurements(stored.spec, stored.run, providers, clock);
  return { ...stored, run, tag: encodeRunTag(run) };
}

export function stopStoredRun(stored: StoredRun, now: number): StoredRun {
  if (!stored.run || runPhase(stored.run) !== 'Running') return stored;
  const run = terminateRun(stored.run, now);
  return { ...stored, run, tag: encodeRunTag(run) };
}

/** When the run wants to be measured next, in ms from now; undefined when it is decided. */
export function measurementDelayMs(stored: StoredRun, now: number): number | undefined {
  const at = stored.run ? nextMeasurementAt(stored.run, now) : undefined;
  return at === undefined ? undefined : Math.max(0, at - now);
}

/** A run that went from Running to a decision between two of its versions: for `analysis_runs_total`. */
export function finishedBetween(before: StoredRun | undefined, after: StoredRun): boolean {
  const was = before ? phaseOf(before) : 'Running';
  return was === 'Running' && phaseOf(after) !== 'Running';
}
