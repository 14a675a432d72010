/**
 * From an analysis reference (a step's or a background `analysis:` block) and the AnalysisTemplates it names, to a
 * run spec: the metrics with their conditions parsed, durations in milliseconds, defaults filled in and args
 * resolved. Everything that can be wrong with a template or a call is reported here, at once, before any measurement.
 */
import { parseDuration, type AnalysisMetric, type AnalysisProvider, type AnalysisRef, type AnalysisTemplateManifest, type DesiredAnalysisTemplate } from '../../manifest/index.js';
import { AnalysisConfigError, resolveArgs, substituteArgs, substituteText, type AnalysisArgs } from './args.js';
import { parseExpression, type Expression } from './expression/index.js';

/** When and how often a metric is measured, and how many bad measurements it tolerates. Plain data. */
export interface MetricPolicy {
  /** Between the end of one measurement and the start of the next; absent for a single measurement. */
  intervalMs?: number;
  initialDelayMs: number;
  /** Measurements to take (errors excluded); absent: until the run is terminated (background analysis). */
  count?: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

export interface MetricSpec {
  name: string;
  /** The AnalysisTemplate that defines the metric. */
  template: string;
  /** As written in the template: providers substitute `{{args.NAME}}` when they measure. */
  provider: AnalysisProvider;
  successCondition?: Expression;
  failureCondition?: Expression;
  policy: MetricPolicy;
}

export interface AnalysisRunSpec {
  templates: string[];
  args: AnalysisArgs;
  background: boolean;
  metrics: MetricSpec[];
}

export type ProviderKind = keyof AnalysisProvider;

export const DEFAULT_FAILURE_LIMIT = 0;
export const DEFAULT_INCONCLUSIVE_LIMIT = 0;
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/** An alarm that is not ALARM or OK (INSUFFICIENT_DATA) is inconclusive: nobody can tell yet. */
export const ALARM_DEFAULT_CONDITIONS = { successCondition: 'result == "OK"', failureCondition: 'result == "ALARM"' } as const;

export interface RunSpecInput {
  ref: AnalysisRef;
  /** AnalysisTemplates by name, as manifests or as the desired-state snapshot holds them. */
  templates: ReadonlyMap<string, AnalysisTemplateManifest | DesiredAnalysisTemplate>;
  /** Facts of the rollout that templates may declare as args (see `rolloutArgs`). */
  contextArgs?: AnalysisArgs;
  /** Background analysis runs for the whole rollout: a metric without `count` then measures until terminated. */
  background?: boolean;
}

/** Builds a run spec, or throws an AnalysisConfigError listing every problem. */
export function createRunSpec(input: RunSpecInput): AnalysisRunSpec {
  const problems: string[] = [];
  const templates = input.ref.templates.flatMap((name) => {
    const found = input.templates.get(name);
    if (found === undefined) problems.push(`AnalysisTemplate "${name}" does not exist`);
    return found === undefined ? [] : ['manifest' in found ? found.manifest : found];
  });
  const args = collect(problems, () => resolveArgs(templates, input.ref.args, input.contextArgs)) ?? {};
  const background = input.background ?? false;
  const seen = new Set<string>();
  const metrics = templates.flatMap((template) =>
    template.spec.metrics.flatMap((metric) => {
      if (seen.has(metric.name)) problems.push(`metric "${metric.name}" is defined by more than one of ${input.ref.templates.join(', ')}`);
      seen.add(metric.name);
      return collect(problems, () => metricSpec(template.metadata.name, metric, args, background)) ?? [];
    }),
  );
  if (problems.length > 0) throw new AnalysisConfigError(problems);
  return { templates: [...input.ref.templates], args, background, metrics };
}

function metricSpec(template: string, metric: AnalysisMetric, args: AnalysisArgs, background: boolean): MetricSpec {
  const where = `${template}/${metric.name}`;
  const problems: string[] = [];
  const intervalMs = metric.interval === undefined ? undefined : parseDuration(metric.interval) * 1000;
  if (intervalMs === 0) problems.push(`${where}: interval must be longer than 0s`);
  if (intervalMs === undefined && (metric.count ?? 1) > 1) problems.push(`${where}: count ${metric.count} needs an interval between measurements`);
  collect(problems, () => substituteArgs(metric.provider, args, `${where}.provider`));
  const conditions = metric.provider.cloudwatchAlarm && !metric.successCondition && !metric.failureCondition ? ALARM_DEFAULT_CONDITIONS : metric;
  const successCondition = conditions.successCondition === undefined ? undefined : collect(problems, () => condition(conditions.successCondition!, args, `${where}.successCondition`));
  const failureCondition = conditions.failureCondition === undefined ? undefined : collect(problems, () => condition(conditions.failureCondition!, args, `${where}.failureCondition`));
  if (problems.length > 0) throw new AnalysisConfigError(problems);
  return {
    name: metric.name,
    template,
    provider: metric.provider,
    ...(successCondition ? { successCondition } : {}),
    ...(failureCondition ? { failureCondition } : {}),
    policy: {
      ...(intervalMs === undefined ? {} : { intervalMs }),
      initialDelayMs: metric.initialDelay === undefined ? 0 : parseDuration(metric.initialDelay) * 1000,
      // Like Argo Rollouts: without a count, a background metric with an interval measures until terminated.
      ...(metric.count !== undefined ? { count: metric.count } : background && intervalMs !== undefined ? {} : { count: 1 }),
      failureLimit: metric.failureLimit ?? DEFAULT_FAILURE_LIMIT,
      inconclusiveLimit: metric.inconclusiveLimit ?? DEFAULT_INCONCLUSIVE_LIMIT,
      consecutiveErrorLimit: metric.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    },
  };
}

function condition(text: string, args: AnalysisArgs, where: string): Expression {
  const source = substituteText(text, args, where);
  try {
    return parseExpression(source);
  } catch (error) {
    throw new AnalysisConfigError([`${where}: ${(error as Error).message}`]);
  }
}

/** Runs `build`, turning an AnalysisConfigError into collected problems so one call reports all of them. */
function collect<T>(problems: string[], build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof AnalysisConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

/** The provider block a metric uses. */
export function providerKind(provider: AnalysisProvider): ProviderKind {
  const kinds = (Object.keys(provider) as ProviderKind[]).filter((kind) => provider[kind] !== undefined);
  if (kinds.length !== 1) throw new AnalysisConfigError([`a provider needs exactly one of cloudwatch, cloudwatchAlarm, prometheus, web; got ${kinds.join(', ') || 'none'}`]);
  return kinds[0]!;
}
