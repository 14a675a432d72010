/**
 * A small simulated AWS for the rollout state machine: task sets whose tasks start and pass health checks at once
 * (unless their version is marked broken), one production and one test rule, service tags and analysis runs that
 * finish a minute after they start with a scripted result. `apply` runs an action like AWS would; `observe` returns
 * what the controller would read.
 */
import { stepRollout } from '../../../src/rollout/index.js';
import { readRecordTag, writeRecordTag } from '../../../src/rollout/state-tags.js';
import type { RolloutRecord } from '../../../src/rollout/types.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';
import type { AnalysisPhase, RolloutAction, RolloutObservation, RolloutTarget, StepResult } from '../../../src/rollout/index.js';
import { ROLLOUT_TAG } from '../../../src/rollout/index.js';
import type { AnalysisRunView, ResolvedStep, RolloutStrategySpec, TargetGroupHealth } from '../../../src/rollout/types.js';

export const TG_BLUE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0000000000000001';
export const TG_GREEN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/0000000000000002';
export const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/0000000000000001/0000000000000001/0000000000000001';
export const TEST_RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/0000000000000001/0000000000000002/0000000000000002';
export const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';

/** The rollout tag value the controller writes for `record` on the world's service (signed with the test key). */
export function signedTag(record: RolloutRecord): string {
  return writeRecordTag(TEST_RECORD_KEY, SERVICE_ARN, record);
}

/** The world's rollout tag value, verified and decoded as the controller reads it. */
export function readTag(value: string) {
  return readRecordTag(TEST_RECORD_KEY, SERVICE_ARN, value);
}
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** The canary most scenarios run: 10%, a 5-minute pause, analysis, 50%, then a pause until promote. */
export const CANARY_STEPS: ResolvedStep[] = [
  { type: 'setWeight', weight: 10 },
  { type: 'pause', seconds: 300 },
  { type: 'analysis', analysis: { templates: ['error-rate'] } },
  { type: 'setWeight', weight: 50 },
  { type: 'pause' },
];

/** A rollout has settled when it rests (Stable or Degraded) and asks for nothing more. */
export const settled = (r: StepResult): boolean => (r.status.phase === 'Stable' || r.status.phase === 'Degraded') && r.actions.length === 0;

export interface FakeTaskSet {
  id: string;
  arn: string;
  externalId: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  targetGroupArn: string;
  scale: number;
}

export interface FakeRun {
  phase: AnalysisPhase;
  resolveAt: number;
  /** The run's tag failed verification (what the engine reports for it). */
  rejected?: string;
}

export class World {
  now = T0;
  desiredCount = 4;
  tags: Record<string, string> = {};
  taskSets: FakeTaskSet[] = [];
  rules: Record<string, { targetGroupArn: string; weight: number }[]> = {};
  runs: Record<string, FakeRun> = {};
  /** Versions whose tasks run but never pass health checks. */
  unhealthy = new Set<string>();
  /** The result each analysis run ends with, by run id. */
  analysisResult: (runId: string) => AnalysisPhase = () => 'Successful';
  /** Every action that reached AWS, in order. */
  applied: RolloutAction[] = [];
  private nextId = 1;

  /** A service already stable on `hash`, blue serving all traffic. */
  static stableOn(hash: string, options: { testRule?: boolean } = {}): World {
    const world = new World();
    world.taskSets.push({ id: 'ts-0', arn: `${SERVICE_ARN}/task-set/ts-0`, externalId: hash, status: 'PRIMARY', targetGroupArn: TG_BLUE, scale: 100 });
    world.rules[RULE] = [
      { targetGroupArn: TG_BLUE, weight: 100 },
      { targetGroupArn: TG_GREEN, weight: 0 },
    ];
    if (options.testRule) world.rules[TEST_RULE] = [{ targetGroupArn: TG_BLUE, weight: 100 }, { targetGroupArn: TG_GREEN, weight: 0 }];
    return world;
  }

  computed(set: FakeTaskSet): number {
    return Math.ceil((this.desiredCount * set.scale) / 100);
  }

  observe(): RolloutObservation {
    const live = this.taskSets.filter((set) => set.status !== 'DRAINING');
    const health: Record<string, TargetGroupHealth> = {};
    for (const tg of [TG_BLUE, TG_GREEN]) {
      const sets = live.filter((set) => set.targetGroupArn === tg);
      const running = (good: boolean) => sets.filter((set) => this.unhealthy.has(set.externalId) !== good).reduce((n, set) => n + this.computed(set), 0);
      health[tg] = { healthy: running(true), initial: 0, unhealthy: running(false), draining: 0, other: 0 };
    }
    const analysis: Record<string, AnalysisRunView> = {};
    for (const [id, run] of Object.entries(this.runs)) {
      if (run.phase === 'Running' && this.now >= run.resolveAt) run.phase = this.analysisResult(id);
      analysis[id] = { phase: run.phase, ...(run.rejected ? { rejected: run.rejected } : {}) };
    }
    return {
      desiredCount: this.desiredCount,
      taskSets: this.taskSets.map((set) => ({
        id: set.id,
        arn: set.arn,
        status: set.status,
        externalId: set.externalId,
        targetGroupArn: set.targetGroupArn,
        taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${set.externalId}`,
        scalePercent: set.scale,
        computedDesiredCount: this.computed(set),
        runningCount: this.computed(set),
        pendingCount: 0,
      })),
      rules: Object.fromEntries(
        Object.entries(this.rules).map(([arn, forward]) => [
          arn,
          { arn, forward: forward.map((g) => ({ ...g })), actions: [{ Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: forward.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })) } }] },
        ]),
      ),
      health,
      tags: { ...this.tags },
      analysis,
    };
  }

  apply(action: RolloutAction): void {
    this.applied.push(action);
    const byArn = (arn: string | undefined) => {
      const set = this.taskSets.find((s) => s.arn === arn && s.status !== 'DRAINING');
      if (!set) throw new Error(`${action.kind}: task set ${arn} not found`);
      return set;
    };
    switch (action.kind) {
      case 'CreateTaskSet': {
        const id = `ts-${this.nextId++}`;
        const lb = action.input.loadBalancers?.[0];
        this.taskSets.push({ id, arn: `${SERVICE_ARN}/task-set/${id}`, externalId: action.input.externalId ?? '', status: 'ACTIVE', targetGroupArn: lb?.targetGroupArn ?? '', scale: action.input.scale?.value ?? 100 });
        return;
      }
      case 'UpdateTaskSet':
        byArn(action.input.taskSet).scale = action.input.scale?.value ?? 0;
        return;
      case 'UpdateServicePrimaryTaskSet': {
        const next = byArn(action.input.primaryTaskSet);
        for (const set of this.taskSets) if (set.status === 'PRIMARY') set.status = 'ACTIVE';
        next.status = 'PRIMARY';
        return;
      }
      case 'DeleteTaskSet': {
        const set = byArn(action.input.taskSet);
        if (set.status === 'PRIMARY') throw new Error('InvalidParameterException: cannot delete the primary task set');
        set.status = 'DRAINING';
        return;
      }
      case 'ModifyRule': {
        const forward = action.input.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
        this.rules[action.input.RuleArn ?? ''] = forward.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? '', weight: g.Weight ?? 0 }));
        return;
      }
      case 'TagResource':
        for (const tag of action.input.tags ?? []) this.tags[tag.key ?? ''] = tag.value ?? '';
        return;
      case 'UntagResource':
        for (const key of action.input.tagKeys ?? []) delete this.tags[key];
        return;
      case 'StartAnalysis':
        this.runs[action.input.runId] ??= { phase: 'Running', resolveAt: this.now + 60_000 };
        return;
      case 'StopAnalysis': {
        const run = this.runs[action.input.runId];
        if (run?.phase === 'Running') run.phase = 'Successful';
        return;
      }
    }
  }

  weights(rule = RULE): Record<string, number> {
    return Object.fromEntries((this.rules[rule] ?? []).map((g) => [g.targetGroupArn, g.weight]));
  }

  liveHashes(): string[] {
    return this.taskSets.filter((s) => s.status !== 'DRAINING').map((s) => `${s.externalId}:${s.status}:${s.scale}`);
  }

  record() {
    const value = this.tags[ROLLOUT_TAG];
    if (value === undefined) return undefined;
    const read = readTag(value);
    if (!read.ok) throw new Error(JSON.stringify(read));
    return read.record;
  }
}

export function target(hash: string, strategy: Partial<RolloutStrategySpec> & { steps: readonly ResolvedStep[] }, operator: RolloutTarget['operator'] = {}): RolloutTarget {
  return {
    cluster: 'prod',
    service: 'web',
    serviceArn: SERVICE_ARN,
    key: 'prod/web',
    version: { hash, taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${hash}` },
    taskSet: { containerName: 'app', containerPort: 8080, launchType: 'FARGATE' },
    strategy: {
      kind: 'Canary',
      traffic: { targetGroups: [TG_BLUE, TG_GREEN], listenerRuleArn: RULE },
      progressDeadlineSeconds: 600,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      ...strategy,
    },
    operator,
  };
}

export interface Trace {
  results: StepResult[];
  /** The clock at each call. */
  times: number[];
  /** `phase/subPhase@step` per call, consecutive duplicates removed. */
  phases: string[];
  world: World;
}

export interface DriveOptions {
  /** Called before each call: a test plays the operator here (request tags, manifest edits). */
  react?: (world: World, last: StepResult | undefined, target: RolloutTarget) => RolloutTarget | void;
  /** Stop once this holds after a call. */
  until: (result: StepResult, world: World) => boolean;
  maxCalls?: number;
  /** Simulate a crash: at call `call`, only the first `keep` actions reach AWS. */
  crash?: { call: number; keep: number };
  /** How long a waiting controller sleeps when the machine asks for no requeue (resync). */
  idleMs?: number;
}

/** Runs the controller loop against the world with the injected clock. */
export function drive(world: World, initial: RolloutTarget, options: DriveOptions): Trace {
  const results: StepResult[] = [];
  const times: number[] = [];
  const phases: string[] = [];
  let current = initial;
  const max = options.maxCalls ?? 200;
  for (let call = 0; call < max; call++) {
    current = options.react?.(world, results.at(-1), current) ?? current;
    const result = stepRollout({ target: current, observation: world.observe(), now: world.now, keyring: TEST_RECORD_KEY });
    results.push(result);
    times.push(world.now);
    const label = `${result.status.phase}/${result.status.subPhase}${result.status.step ? `@${result.status.step.index}` : ''}`;
    if (phases.at(-1) !== label) phases.push(label);
    const crashed = options.crash?.call === call;
    const actions = crashed ? result.actions.slice(0, options.crash?.keep) : result.actions;
    for (const action of actions) world.apply(action);
    if (!crashed && options.until(result, world)) return { results, times, phases, world };
    // A restarted controller looks again a second later; otherwise it sleeps as asked.
    world.now += crashed ? 1_000 : (result.requeueAfterMs ?? options.idleMs ?? 60_000);
  }
  throw new Error(`did not settle within ${max} calls; phases: ${phases.join(' -> ')}`);
}
