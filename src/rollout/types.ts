/**
 * The rollout engine's vocabulary: the resolved spec of one service's rollout, the observation it decides from,
 * the little state it keeps in a service tag, and the actions it asks the applier to run. Everything is plain data;
 * SDK types appear only as the command inputs of actions, ready to send.
 */
import type {
  CreateTaskSetCommandInput,
  DeleteTaskSetCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
  UpdateServicePrimaryTaskSetCommandInput,
  UpdateTaskSetCommandInput,
} from '@aws-sdk/client-ecs';
import type { ModifyRuleCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AnalysisRef } from '../manifest/schema.js';
import type { JsonObject } from '../observe/types.js';
import type { Action, WithTaskDefinitionRef } from '../plan/types.js';
import type { RecordKeyring } from '../integrity/index.js';

/** Service tag holding the encoded RolloutRecord (see state-tags.ts). */
export const ROLLOUT_TAG = 'ecs-reconciler:rollout';
/** Service tag the CLI writes operator requests to: `<verb>:<token>`, verb promote | promote-full | abort | retry. */
export const REQUEST_TAG = 'ecs-reconciler:request';

/* ------------------------------------------------------------------ resolved spec */

export type ResolvedStep =
  | { type: 'setWeight'; weight: number }
  /** Without seconds, waits for promote. */
  | { type: 'pause'; seconds?: number }
  | { type: 'analysis'; analysis: AnalysisRef }
  | { type: 'setCanaryScale'; scale: CanaryScale }
  /** Blue-green: the new task set at full size, healthy, and the test rule pointing at it. */
  | { type: 'preview' };

export type CanaryScale = { weight: number } | { replicas: number } | { matchTrafficWeight: true };

export interface TrafficConfig {
  /** The two target groups versions alternate between; the stable version is on one, the new version on the other. */
  targetGroups: readonly [string, string];
  /** The rule whose forward action splits production traffic. */
  listenerRuleArn: string;
  /** Blue-green only: the rule that sends test traffic to the new version before promotion. */
  testListenerRuleArn?: string;
}

export interface RolloutStrategySpec {
  kind: 'Canary' | 'BlueGreen';
  traffic: TrafficConfig;
  /** The steps before promotion (blue-green: preview, pre-promotion analysis, the promotion wait). */
  steps: readonly ResolvedStep[];
  /** Canary background analysis across the rollout, from `startingStep`. */
  backgroundAnalysis?: AnalysisRef & { startingStep: number };
  /** Blue-green post-promotion analysis: runs with production on the new version, the old one still at full size. */
  postPromotionAnalysis?: AnalysisRef;
  progressDeadlineSeconds: number;
  scaleDownDelaySeconds: number;
  abortScaleDownDelaySeconds: number;
}

/** What CreateTaskSet needs besides the task definition: how tasks launch and where they register. */
export interface TaskSetTemplate {
  containerName: string;
  containerPort: number;
  launchType?: CreateTaskSetCommandInput['launchType'];
  capacityProviderStrategy?: CreateTaskSetCommandInput['capacityProviderStrategy'];
  platformVersion?: string;
  networkConfiguration?: CreateTaskSetCommandInput['networkConfiguration'];
}

/** The manifest's `rollout.operator` block. */
export interface ManifestOperator {
  promote?: string;
  promoteFull?: boolean;
  abort?: boolean;
  retry?: string;
}

export interface RolloutTarget {
  cluster: string;
  service: string;
  serviceArn: string;
  /** `cluster/service`, used as the resourceKey of actions. */
  key: string;
  /** The desired version: its spec hash (the task set's externalId) and task definition. */
  version: { hash: string; taskDefinition: string | { readonly $ref: 'registeredTaskDefinitionArn' } };
  taskSet: TaskSetTemplate;
  strategy: RolloutStrategySpec;
  operator: ManifestOperator;
}

/* ------------------------------------------------------------------ observation */

export interface TaskSetView {
  id: string;
  arn: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING' | string;
  externalId?: string;
  targetGroupArn?: string;
  taskDefinition: string;
  /** Percent of the service's desiredCount. */
  scalePercent: number;
  computedDesiredCount: number;
  runningCount: number;
  pendingCount: number;
}

export interface TargetGroupHealth {
  healthy: number;
  initial: number;
  unhealthy: number;
  draining: number;
  other: number;
}

export interface RuleView {
  arn: string;
  forward: readonly { targetGroupArn: string; weight: number }[];
  /** The rule's whole action list (SDK shape), kept so ModifyRule preserves the actions it does not own. */
  actions: readonly JsonObject[];
}

export type AnalysisPhase = 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The narrow view of an analysis run the state machine needs; the analysis engine owns the rest. */
export interface AnalysisRunView {
  phase: AnalysisPhase;
  message?: string;
  /** Set when the run's tag failed verification, saying why: the run is neither a success nor a failure. */
  rejected?: string;
}

export interface RolloutObservation {
  desiredCount: number;
  taskSets: readonly TaskSetView[];
  /** Listener rules by ARN; a rule that was not read is absent, and nothing moves until it is. */
  rules: Readonly<Record<string, RuleView>>;
  health: Readonly<Record<string, TargetGroupHealth>>;
  /** The service's tags (rollout record and operator requests). */
  tags: Readonly<Record<string, string>>;
  /** Analysis runs of this service by run id. */
  analysis: Readonly<Record<string, AnalysisRunView>>;
}

/* ------------------------------------------------------------------ persisted state */

/**
 * - `progressing`: running `steps[step]`;
 * - `promoting`: new version to full scale and 100% of production traffic;
 * - `verifying`: blue-green post-promotion analysis, the old version still at full size;
 * - `finalizing`: the new task set made primary, the old one removed after scaleDownDelaySeconds;
 * - `aborted`: traffic back to stable, the new task set removed after abortScaleDownDelaySeconds, then Degraded.
 */
export type RolloutStage = 'progressing' | 'promoting' | 'verifying' | 'finalizing' | 'aborted';

export type AbortReason = 'operator' | 'deadline' | 'analysis' | 'missing';

/** What AWS cannot show, kept in the ROLLOUT_TAG service tag. Times are epoch seconds. */
export interface RolloutRecord {
  /** Spec hash of the version being rolled out. */
  hash: string;
  stage: RolloutStage;
  step: number;
  /** When the current step or stage began. */
  stepStartedAt: number;
  startedAt: number;
  /** Incremented by retry; part of analysis run ids and of the CreateTaskSet client token. */
  attempt: number;
  /** Generation of the background analysis run; a promote past an Inconclusive result starts the next one. */
  backgroundRun: number;
  /** Why an `aborted` rollout was aborted. */
  abortReason?: AbortReason;
  /** Fingerprints of the operator requests already applied. */
  consumed: { manifestPromote?: string; manifestRetry?: string; request?: string };
}

/* ------------------------------------------------------------------ actions */

type ActionOf<K extends string, A extends 'ecs' | 'elbv2' | 'analysis', I> = Action<K, A, I>;

export interface StartAnalysisInput {
  runId: string;
  templates: string[];
  args: { name: string; value: string }[];
  background: boolean;
}

export type RolloutAction =
  | ActionOf<'CreateTaskSet', 'ecs', WithTaskDefinitionRef<CreateTaskSetCommandInput>>
  | ActionOf<'UpdateTaskSet', 'ecs', UpdateTaskSetCommandInput>
  | ActionOf<'UpdateServicePrimaryTaskSet', 'ecs', UpdateServicePrimaryTaskSetCommandInput>
  | ActionOf<'DeleteTaskSet', 'ecs', DeleteTaskSetCommandInput>
  | ActionOf<'ModifyRule', 'elbv2', ModifyRuleCommandInput>
  | ActionOf<'TagResource', 'ecs', TagResourceCommandInput>
  | ActionOf<'UntagResource', 'ecs', UntagResourceCommandInput>
  | ActionOf<'StartAnalysis', 'analysis', StartAnalysisInput>
  | ActionOf<'StopAnalysis', 'analysis', { runId: string }>;


/* ------------------------------------------------------------------ output */

export type RolloutPhase =
  | 'Initializing'
  | 'Stable'
  | 'Progressing'
  | 'Paused'
  | 'Promoting'
  | 'Finalizing'
  | 'Aborting'
  | 'RollingBack'
  | 'Degraded'
  | 'Superseding';

/** What the current phase is doing or waiting for. */
export type SubPhase =
  | 'Creating'
  | 'Scaling'
  | 'WaitingForHealthy'
  | 'ShiftingTraffic'
  | 'Paused'
  | 'WaitingForPromote'
  | 'Analyzing'
  | 'SettingPrimary'
  | 'ScaleDownDelay'
  | 'ScalingDown'
  | 'StateUnreadable'
  /** A record the controller keeps in a tag failed verification (forged, or unsigned): the rollout holds. */
  | 'StateTampered'
  | 'Done';

export type RolloutOutcome = 'promoted' | 'aborted' | 'superseded';

/** An operator request the pass applied (or found nothing to act on), and who asked. */
export interface OperatorRequestEvent {
  type: 'OperatorRequest';
  request: string;
  applied: boolean;
  message: string;
  /** `cli`: the request tag, whose value is `requestTag`; `manifest`: the manifest's `rollout.operator`, i.e. git. */
  source: 'cli' | 'manifest';
  requestTag?: string;
}

/**
 * What one pass changed, as the decisions it logs are derived from it (src/rollout/engine/decisions.ts). Pauses and
 * weights are reported when the pass decides them: a weight change when the ModifyRule that makes it is planned.
 */
export type RolloutEvent =
  | { type: 'Started'; hash: string; attempt: number; message: string }
  | { type: 'StepStarted'; step: number; total: number; message: string }
  | { type: 'PauseStarted'; step: number; total: number; seconds?: number }
  | { type: 'PauseEnded'; step: number; total: number; message: string }
  /** Percent of production traffic on the new version, from what the rule shows to what the pass writes. */
  | { type: 'WeightChanged'; from: number; to: number; stage?: RolloutStage; step?: number; total: number }
  | OperatorRequestEvent
  | { type: 'Outcome'; outcome: RolloutOutcome; hash: string; durationSeconds: number; message: string }
  | { type: 'Warning'; message: string }
  /** A record in a tag failed verification and was not obeyed (`record`: the rollout record or an analysis run). */
  | { type: 'RecordRejected'; record: 'rollout' | 'analysis'; reason: 'unsigned' | 'forged'; message: string };

export interface TaskSetSummary {
  hash?: string;
  taskSetArn: string;
  targetGroupArn?: string;
  scalePercent: number;
  desired: number;
  running: number;
  healthyTargets: number;
}

export interface RolloutStatus {
  strategy: 'Canary' | 'BlueGreen';
  phase: RolloutPhase;
  subPhase: SubPhase;
  /** Index of the current step and the number of steps, while progressing. */
  step?: { index: number; total: number };
  /** Percent of production traffic on the new version (on the stable one when none is rolling out: 0). */
  canaryWeight: number;
  stable?: TaskSetSummary;
  canary?: TaskSetSummary;
  analysis: { runId: string; phase: AnalysisPhase | 'Pending' }[];
  message: string;
}

export interface StepInput {
  target: RolloutTarget;
  observation: RolloutObservation;
  /** Epoch milliseconds, injected. */
  now: number;
  /** Verifies the rollout record read from the tags and signs the one written (src/integrity). */
  keyring: RecordKeyring;
}

export interface StepResult {
  /** The record as it will be once `actions` are applied (undefined: no rollout in flight). */
  state: RolloutRecord | undefined;
  /** In execution order; a TagResource recording a step always precedes the change it describes. */
  actions: RolloutAction[];
  /** When to look again; undefined when only an operator request or a spec change can move things. */
  requeueAfterMs: number | undefined;
  events: RolloutEvent[];
  status: RolloutStatus;
}
