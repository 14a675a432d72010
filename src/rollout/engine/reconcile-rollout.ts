/**
 * One rollout pass of one Canary/BlueGreen service: observe what the state machine needs (batched reads), take the
 * analysis measurements that are due, step the machine, and send its actions in order, stopping at the first
 * failure. Nothing is kept in memory between passes: the service's tags, its task sets, the rules and target health
 * are the whole state, so a controller killed at any instant resumes from AWS.
 */
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../aws/index.js';
import { toApplyError } from '../../apply/index.js';
import type { ApplyError } from '../../apply/index.js';
import type { Clock } from '../../controller/time.js';
import type { Decision } from '../../log/events.js';
import { contextFromArn } from '../../diff/index.js';
import type { CanonicalTaskDefinition, NormalizeContext } from '../../diff/index.js';
import type { DesiredAnalysisTemplate, ServiceManifest } from '../../manifest/index.js';
import { observeServices, serviceKey } from '../../observe/index.js';
import type { ObservedRule, ObservedService, ObservedState, ObservedTargetHealth, TaskDefinitionCache } from '../../observe/index.js';
import { describeRules, describeTargetHealth } from '../../observe/elbv2.js';
import { desiredTaskDefinition, observationFor, REGISTERED_TASK_DEFINITION } from '../../plan/index.js';
import { createProviders, rolloutArgs } from '../analysis/index.js';
import type { MetricProviders, RunSummary } from '../analysis/index.js';
import type { FetchFunction } from '../analysis/providers/http.js';
import { runPrefix } from '../context.js';
import { observeRolloutState, resolveRolloutTarget, stepRollout, versionHash } from '../index.js';
import { readRecordTag } from '../state-tags.js';
import { describeUnverified, signWith } from '../../integrity/index.js';
import type { RecordKeyring } from '../../integrity/index.js';
import type { AnalysisRunView, RolloutEvent, RolloutRecord, RolloutStatus, RolloutTarget, StartAnalysisInput, StepResult } from '../types.js';
import { ROLLOUT_TAG } from '../types.js';
import {
  finishedBetween,
  measurementDelayMs,
  measureRun,
  phaseOf,
  readRuns,
  runTagKey,
  runView,
  startStoredRun,
  stopStoredRun,
  summaryOf,
} from './analysis-runs.js';
import type { RunSources, StoredRun } from './analysis-runs.js';
import { measurementsTaken, rolloutDecisions } from './decisions.js';
import { executeRolloutActions } from './execute.js';
import type { RolloutActionResult } from './execute.js';
import { ensureRegistered } from './task-definition.js';

export interface RolloutEngineContext {
  clients: Pick<AwsClients, 'ecs' | 'elbv2' | 'autoscaling'> & Partial<Pick<AwsClients, 'cloudwatch'>>;
  /** Shared with observe: task definitions are immutable, read once per process. */
  taskDefinitions: TaskDefinitionCache;
  /** Epoch ms; default the system clock. Tests (and the sandbox's ManualClock) inject theirs. */
  clock?: Clock;
  /** Default: every built-in provider, CloudWatch through `clients.cloudwatch`, HTTP through `fetch`. */
  providers?: MetricProviders;
  fetch?: FetchFunction;
  /** The managed-by tag value, written on a task definition the rollout registers. */
  instance: string;
  /** The desired-state revision, written on a task definition the rollout registers. */
  revision: string;
  /** Observe and decide, send nothing and measure nothing (`status`, `apply --dry-run`). */
  dryRun?: boolean;
  /**
   * Verifies the records kept in the service's tags (the rollout record, the analysis runs) and signs those
   * written. `read-only` only with `dryRun`: nothing is verified, and nothing is sent.
   */
  keyring: RecordKeyring;
}

export interface RolloutInput {
  manifest: ServiceManifest;
  analysisTemplates: ReadonlyMap<string, DesiredAnalysisTemplate>;
  /**
   * The reconcile pass's observation: the service (tags and task sets), target groups and rules are taken from it.
   * When it lacks the service (created in this pass) the engine observes the service itself.
   */
  observed?: ObservedState;
}

export interface AnalysisRunReport {
  runId: string;
  templates: string[];
  phase: AnalysisRunView['phase'] | 'Pending';
  message?: string;
  summary?: RunSummary;
}

export interface RolloutReport {
  key: string;
  strategy: 'Canary' | 'BlueGreen';
  /** The desired version's spec hash. */
  hash?: string;
  /** Absent when the pass could not get as far as the state machine (see `error`). */
  status?: RolloutStatus;
  /** The rollout record once the actions are applied; absent when no rollout is in flight. */
  record?: RolloutRecord;
  /** What each step does, in order (`setWeight 10`, `pause 60s`...). */
  steps: string[];
  analysis: AnalysisRunReport[];
  events: RolloutEvent[];
  actions: RolloutActionResult[];
  /** When to look again; undefined when only an operator request or a spec change can move things. */
  requeueAfterMs?: number;
  error?: ApplyError;
  /**
   * The write of the rollout record succeeded (or none was needed): the pass's `Outcome` events and finished
   * analysis runs happened exactly once, so metrics may count them.
   */
  committed: boolean;
  /** Analysis runs decided in this pass, for `analysis_runs_total`. */
  finishedAnalysis: { runId: string; templates: string[]; phase: AnalysisRunView['phase'] }[];
  /** What the pass decided, for the audit log (none in a dry run: nothing was decided). */
  decisions: Decision[];
}

const systemClock: Clock = { now: () => Date.now() };

function strategyOf(manifest: ServiceManifest): 'Canary' | 'BlueGreen' {
  const strategy = manifest.spec.rollout?.strategy;
  if (strategy !== 'Canary' && strategy !== 'BlueGreen') throw new Error(`${manifest.metadata.name}: not a Canary or BlueGreen service`);
  return strategy;
}

/** The service and the load-balancer resources the rollout reads, from the pass's observation or observed now. */
async function serviceState(context: RolloutEngineContext, manifest: ServiceManifest, key: string, observed: ObservedState | undefined): Promise<ObservedState> {
  if (observed?.services[key]) return observed;
  const observation = observationFor([manifest]);
  return observeServices({ clients: context.clients, taskDefinitions: context.taskDefinitions }, [key], observation.extras);
}

function targetGroupResolver(state: ObservedState): (ref: string) => string | undefined {
  return (ref) => (ref.startsWith('arn:') ? ref : state.targetGroupArnsByName[ref]);
}

/** The desired version: its hash, and the task definition of the live task set already running it, if any. */
function withVersion(target: RolloutTarget, manifest: ServiceManifest, service: ObservedService, context: NormalizeContext) {
  const taskDefinition = desiredTaskDefinition(manifest.spec, context);
  const hash = versionHash({ taskDefinition, taskSet: target.taskSet });
  const running = service.taskSets.find((set) => set.externalId === hash && set.status !== 'DRAINING');
  return { target: { ...target, version: { hash, taskDefinition: running?.taskDefinition ?? REGISTERED_TASK_DEFINITION } }, taskDefinition };
}

async function readRules(context: RolloutEngineContext, state: ObservedState, target: RolloutTarget): Promise<Record<string, ObservedRule>> {
  const arns = [target.strategy.traffic.listenerRuleArn, target.strategy.traffic.testListenerRuleArn].filter((arn): arn is string => arn !== undefined);
  const missing = arns.filter((arn) => !state.rules[arn]);
  const described = missing.length > 0 ? await describeRules(context.clients.elbv2, missing) : [];
  const byArn: Record<string, ObservedRule> = {};
  for (const rule of [...arns.flatMap((arn) => (state.rules[arn] ? [state.rules[arn]] : [])), ...described]) byArn[rule.arn] = rule;
  return byArn;
}

async function readTargetHealth(context: RolloutEngineContext, target: RolloutTarget): Promise<Record<string, ObservedTargetHealth[]>> {
  const groups = target.strategy.traffic.targetGroups;
  const health = await Promise.all(groups.map((arn) => describeTargetHealth(context.clients.elbv2, arn)));
  return Object.fromEntries(groups.map((arn, i) => [arn, health[i] ?? []]));
}

function runSources(manifest: ServiceManifest, templates: RolloutInput['analysisTemplates'], target: RolloutTarget, service: ObservedService, state: ObservedState): RunSources {
  const [first, second] = target.strategy.traffic.targetGroups;
  const primaryGroup = service.taskSets
    .find((set) => set.status === 'PRIMARY')
    ?.loadBalancers.map((lb) => lb.targetGroupArn)
    .find((arn): arn is string => typeof arn === 'string');
  const stable = primaryGroup === second ? second : first;
  const canary = stable === first ? second : first;
  const loadBalancerArn = (state.targetGroups[stable]?.settings.LoadBalancerArns as string[] | undefined)?.[0];
  return {
    strategy: target.strategy,
    templates,
    contextArgs: rolloutArgs({
      cluster: manifest.spec.cluster,
      service: manifest.metadata.name,
      stableTargetGroupArn: stable,
      canaryTargetGroupArn: canary,
      ...(loadBalancerArn ? { loadBalancerArn } : {}),
    }),
  };
}

function describeStep(step: RolloutTarget['strategy']['steps'][number]): string {
  switch (step.type) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.seconds === undefined ? 'pause (until promote)' : `pause ${step.seconds}s`;
    case 'analysis':
      return `analysis ${step.analysis.templates.join(', ')}`;
    case 'setCanaryScale':
      return `setCanaryScale ${'weight' in step.scale ? `weight ${step.scale.weight}` : 'replicas' in step.scale ? `replicas ${step.scale.replicas}` : 'matchTrafficWeight'}`;
    case 'preview':
      return 'preview (new version at full size, test traffic)';
  }
}

function failed(key: string, strategy: 'Canary' | 'BlueGreen', error: unknown, partial: Partial<RolloutReport> = {}): RolloutReport {
  return { key, strategy, steps: [], analysis: [], events: [], actions: [], committed: false, finishedAnalysis: [], decisions: [], ...partial, error: toApplyError(error) };
}

/** The record currently in the tags, if readable and verified: its run ids are the ones measured. */
function currentPrefix(keyring: RecordKeyring, service: ObservedService): string | undefined {
  const value = service.tags[ROLLOUT_TAG];
  const read = value === undefined ? undefined : readRecordTag(keyring, service.serviceArn, value);
  return read?.ok ? runPrefix(read.record) : undefined;
}

/** Everything one pass decides from: the resolved target, what AWS shows, and the analysis runs. */
interface Prepared {
  service: ObservedService;
  target: RolloutTarget;
  taskDefinition: CanonicalTaskDefinition;
  normalize: NormalizeContext;
  steps: string[];
  rules: Record<string, ObservedRule>;
  targetHealth: Record<string, ObservedTargetHealth[]>;
  runs: RunPass;
}

async function prepare(context: RolloutEngineContext, input: RolloutInput, key: string, clock: Clock): Promise<Prepared> {
  const { manifest } = input;
  const state = await serviceState(context, manifest, key, input.observed);
  const service = state.services[key];
  if (!service) throw new Error(`service ${key} does not exist yet`);
  const normalize: NormalizeContext = { ...contextFromArn(service.serviceArn), targetGroupArnsByName: state.targetGroupArnsByName };
  const placeholder = { hash: '', taskDefinition: REGISTERED_TASK_DEFINITION };
  const resolved = resolveRolloutTarget({ manifest, serviceArn: service.serviceArn, key, targetGroupArn: targetGroupResolver(state), version: placeholder });
  const { target, taskDefinition } = withVersion(resolved, manifest, service, normalize);
  const [rules, targetHealth] = await Promise.all([readRules(context, state, target), readTargetHealth(context, target)]);
  const sources = runSources(manifest, input.analysisTemplates, target, service, state);
  const runs = new RunPass(context, service.serviceArn, readRuns(service, sources, context.keyring), sources, clock);
  return { service, target, taskDefinition, normalize, steps: target.strategy.steps.map(describeStep), rules, targetHealth, runs };
}

/** Sends the step's actions; a CreateTaskSet that needs the new task definition registers it (once) first. */
async function send(context: RolloutEngineContext, prepared: Prepared, result: StepResult): Promise<{ results: RolloutActionResult[]; error?: ApplyError }> {
  const { target, taskDefinition, runs } = prepared;
  const registration = { ecs: context.clients.ecs, cache: context.taskDefinitions, instance: context.instance, revision: context.revision };
  const registered: RolloutActionResult[] = [];
  const execution = await executeRolloutActions(context.clients, result.actions, {
    taskDefinitionArn: async () => {
      const { arn, registered: isNew } = await ensureRegistered(registration, taskDefinition);
      if (isNew) registered.push({ kind: 'RegisterTaskDefinition', reason: `task definition for ${target.version.hash}`, status: 'ok' });
      return arn;
    },
    startAnalysis: (start) => runs.start(start),
    stopAnalysis: (runId) => runs.stop(runId),
  });
  return { results: [...registered, ...execution.results], ...(execution.error ? { error: execution.error } : {}) };
}

function analysisReports(status: RolloutStatus, runs: RunPass, now: number): AnalysisRunReport[] {
  return status.analysis.map((entry) => {
    const stored = runs.get(entry.runId);
    if (!stored) return { runId: entry.runId, templates: [], phase: entry.phase };
    const view = runView(stored, now);
    const summary = summaryOf(stored, now);
    return { runId: entry.runId, templates: stored.templates, phase: view.phase, ...(view.message ? { message: view.message } : {}), ...(summary ? { summary } : {}) };
  });
}

export async function reconcileRollout(context: RolloutEngineContext, input: RolloutInput): Promise<RolloutReport> {
  const key = serviceKey(input.manifest.spec.cluster, input.manifest.metadata.name);
  const strategy = strategyOf(input.manifest);
  const clock = context.clock ?? systemClock;
  let prepared: Prepared | undefined;
  try {
    prepared = await prepare(context, input, key, clock);
    const { target, runs } = prepared;
    const before = runs.snapshot();
    if (context.keyring === 'read-only' && !context.dryRun) throw new Error('internal: a rollout pass that writes needs the record key');
    if (!context.dryRun) await runs.measure(currentPrefix(context.keyring, prepared.service));

    const now = clock.now();
    const observation = observeRolloutState({ service: prepared.service, rules: prepared.rules, targetHealth: prepared.targetHealth, analysis: runs.views(now) });
    const result = stepRollout({ target, observation, now, keyring: context.keyring });
    result.events.push(...runs.rejectedEvents());
    const report: RolloutReport = {
      key,
      strategy,
      hash: target.version.hash,
      status: result.status,
      ...(result.state ? { record: result.state } : {}),
      steps: prepared.steps,
      analysis: [],
      events: result.events,
      actions: result.actions.map((action) => ({ kind: action.kind, reason: action.reason, status: 'planned' as const })),
      committed: false,
      finishedAnalysis: [],
      decisions: [],
    };
    const prefix = result.state ? runPrefix(result.state) : undefined;
    if (!context.dryRun) {
      const sent = await send(context, prepared, result);
      report.actions = sent.results;
      report.committed = recordCommitted(result.actions, sent.results.slice(sent.results.length - result.actions.length));
      const after = runs.snapshot();
      report.finishedAnalysis = finishedRuns(before, after);
      report.decisions = rolloutDecisions({
        strategy,
        revision: context.revision,
        events: result.events,
        measurements: measurementsTaken(before, after),
        finishedAnalysis: report.finishedAnalysis,
        committed: report.committed,
      });
      if (sent.error) report.error = sent.error;
      // An unreadable or rejected record says nothing about which runs are in use: keep them all (as evidence, too).
      else if (result.status.subPhase !== 'StateUnreadable' && result.status.subPhase !== 'StateTampered') {
        await runs.removeOtherRuns(prefix).catch((error: unknown) => {
          report.error = toApplyError(error);
        });
      }
    }
    report.analysis = analysisReports(result.status, runs, now);
    if (!report.error) {
      const requeue = earliest([result.requeueAfterMs, ...runs.measurementDelays(prefix, now)]);
      if (requeue !== undefined) report.requeueAfterMs = requeue;
    }
    return report;
  } catch (error) {
    return failed(key, strategy, error, prepared ? { hash: prepared.target.version.hash, steps: prepared.steps } : {});
  }
}

function finishedRuns(before: ReadonlyMap<string, StoredRun>, after: ReadonlyMap<string, StoredRun>): RolloutReport['finishedAnalysis'] {
  return [...after.values()]
    .filter((stored) => finishedBetween(before.get(stored.runId), stored))
    .map((stored) => ({ runId: stored.runId, templates: stored.templates, phase: phaseOf(stored) }));
}

function earliest(delays: (number | undefined)[]): number | undefined {
  const known = delays.filter((delay): delay is number => delay !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

/** The first action writing the rollout record (tag or untag) succeeded; true when the pass wrote none. */
function recordCommitted(actions: readonly { kind: string; input: unknown }[], results: readonly RolloutActionResult[]): boolean {
  const index = actions.findIndex((action) => {
    const input = action.input as { tags?: { key?: string }[]; tagKeys?: string[] };
    return (action.kind === 'TagResource' && input.tags?.some((tag) => tag.key === ROLLOUT_TAG)) || (action.kind === 'UntagResource' && input.tagKeys?.includes(ROLLOUT_TAG));
  });
  return index === -1 ? !results.some((result) => result.status === 'failed') : results[index]?.status === 'ok';
}

/** The analysis runs of one pass and their tag writes on the service. */
class RunPass {
  constructor(
    private readonly context: RolloutEngineContext,
    private readonly serviceArn: string,
    private readonly runs: Map<string, StoredRun>,
    private readonly sources: RunSources,
    private readonly clock: Clock,
  ) {}

  snapshot(): ReadonlyMap<string, StoredRun> {
    return new Map(this.runs);
  }

  get(runId: string): StoredRun | undefined {
    return this.runs.get(runId);
  }

  /** What the state machine sees: every run of the service by id. */
  views(now: number): Record<string, AnalysisRunView> {
    return Object.fromEntries([...this.runs.values()].map((stored) => [stored.runId, runView(stored, now)]));
  }

  /** When the runs of the attempt in flight want their next measurement. */
  measurementDelays(prefix: string | undefined, now: number): (number | undefined)[] {
    if (prefix === undefined) return [];
    return [...this.runs.values()].filter((stored) => stored.runId.startsWith(prefix)).map((stored) => measurementDelayMs(stored, now));
  }

  private providers(): MetricProviders {
    const { clients, fetch, providers } = this.context;
    return providers ?? createProviders({ ...(clients.cloudwatch ? { cloudwatch: clients.cloudwatch } : {}), ...(fetch ? { fetch } : {}) });
  }

  /** One `RecordRejected` event per run whose tag failed verification. */
  rejectedEvents(): RolloutEvent[] {
    return [...this.runs.values()].flatMap((stored): RolloutEvent[] =>
      stored.rejected ? [{ type: 'RecordRejected', record: 'analysis', reason: stored.rejected, message: `analysis run tag ${runTagKey(stored.runId)} ${describeUnverified(stored.rejected)}` }] : [],
    );
  }

  private async writeTags(changed: StoredRun[]): Promise<void> {
    if (changed.length === 0) return;
    const { keyring } = this.context;
    const tags = changed.map((stored) => {
      const key = runTagKey(stored.runId);
      return { key, value: signWith(keyring, { resource: this.serviceArn, tag: key }, stored.tag) };
    });
    await this.context.clients.ecs.send(new TagResourceCommand({ resourceArn: this.serviceArn, tags }));
    for (const stored of changed) this.runs.set(stored.runId, stored);
  }

  /** Measures the running runs of the attempt in flight (`prefix`), then records them in one TagResource. */
  async measure(prefix: string | undefined): Promise<void> {
    if (prefix === undefined) return;
    const due = [...this.runs.values()].filter((stored) => stored.runId.startsWith(prefix));
    const providers = this.providers();
    const measured = await Promise.all(due.map((stored) => measureRun(stored, providers, this.clock)));
    await this.writeTags(measured.filter((stored, i) => stored.tag !== due[i]?.tag));
  }

  async start(input: StartAnalysisInput): Promise<boolean> {
    if (this.runs.has(input.runId)) return false;
    const stored = startStoredRun(input, this.sources, this.clock.now());
    await this.writeTags([await measureRun(stored, this.providers(), this.clock)]);
    return true;
  }

  async stop(runId: string): Promise<boolean> {
    const stored = this.runs.get(runId);
    if (!stored) return false;
    const stopped = stopStoredRun(stored, this.clock.now());
    if (stopped.tag === stored.tag) return false;
    await this.writeTags([stopped]);
    return true;
  }

  /** Drops the tags of runs that belong to no attempt in flight, keeping the service under ECS's 50 tags. */
  async removeOtherRuns(prefix: string | undefined): Promise<void> {
    const stale = [...this.runs.keys()].filter((runId) => prefix === undefined || !runId.startsWith(prefix));
    if (stale.length === 0) return;
    await this.context.clients.ecs.send(new UntagResourceCommand({ resourceArn: this.serviceArn, tagKeys: stale.map(runTagKey) }));
    for (const runId of stale) this.runs.delete(runId);
  }
}
