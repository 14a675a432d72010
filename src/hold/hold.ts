/**
 * The failed-revision hold: the one place that decides whether a service's desired revision has failed and must
 * not be deployed again. Pure: it judges from one observation of the service and its tags.
 *
 * A Rolling or Native service's revision fails when ECS marks its deployment FAILED, when the circuit breaker or a
 * CloudWatch alarm rolls it back, or when it does not complete within `progressDeadlineSeconds`. The failure is
 * recorded in the FAILURE_TAG service tag (the planner writes it), and from then on the revision is held: no write
 * re-applies it, until git wants another revision (its hash differs) or an operator retries (a new `retry` request
 * tag or manifest `rollout.operator.retry` token). Canary and BlueGreen revisions are held by the rollout engine's
 * own record (stage `aborted`), read here for status and `wait`.
 */
import type { ObservedDeployment, ObservedService } from '../observe/types.js';
import type { RecordKeyring } from '../integrity/index.js';
import { fingerprint, parseRequest, readRecordTag, REQUEST_TAG, ROLLOUT_TAG } from '../rollout/index.js';
import { describeUnverified, signRecord, verifyRecord } from '../integrity/index.js';
import type { RecordKey } from '../integrity/index.js';
import { decodeFailure, encodeFailure, FAILURE_TAG } from './record.js';
import type { DecodedFailure } from './record.js';
import { distinctReasons } from './stopped-tasks.js';
import type { FailureKind, FailureRecord } from './record.js';

export interface HoldInput {
  service: ObservedService;
  /** The desired revision's hash (`revisionHash`); computed only when a record or a failure needs it. */
  desiredHash: () => string;
  /**
   * Whether a task definition ARN has the desired content; undefined when it was not observed. A deployment of the
   * desired content is a deployment of the desired revision.
   */
  runsDesired: (taskDefinitionArn: string) => boolean | undefined;
  /** The manifest's `rollout.operator.retry` token. */
  manifestRetry?: string;
  /** Rolling only: a deployment that has not completed this long after it started has failed. */
  progressDeadlineSeconds?: number;
  /** The desired-state revision (git commit), written into a new record. */
  gitRevision: string;
  /** Epoch seconds. */
  nowSec: number;
  /** The controller's record key: records are signed with it, and one that does not verify is not obeyed. */
  recordKey?: RecordKey;
}

/**
 * - `none`: nothing failed; deploy as usual.
 * - `started`: the desired revision failed just now: record it (the record is `record`), deploy nothing.
 * - `held`: the desired revision failed earlier: deploy nothing.
 * - `unreadable`: the failure tag cannot be read: nothing is deployed from it until git changes or an operator retries.
 * - `ended`: the recorded revision is no longer what git wants, or an operator retried: remove the record and deploy.
 */
export type Hold =
  | { state: 'none' }
  | { state: 'started'; record: FailureRecord }
  | { state: 'held'; record: FailureRecord }
  | { state: 'unreadable'; error: string; value: string }
  | { state: 'ended'; record?: FailureRecord; why: 'revision-changed' | 'retry' };

/** States in which nothing that would deploy the revision is written. */
export function isHeld(hold: Hold | undefined): hold is Extract<Hold, { state: 'started' | 'held' | 'unreadable' }> {
  return hold !== undefined && (hold.state === 'started' || hold.state === 'held' || hold.state === 'unreadable');
}

export function judgeHold(input: HoldInput): Hold {
  const { service } = input;
  const value = service.tags[FAILURE_TAG];
  const requestFp = requestFingerprint(service.tags);
  const manifestFp = input.manifestRetry === undefined ? undefined : fingerprint(input.manifestRetry);
  if (value !== undefined) {
    const decoded = readFailureTag(value, service.serviceArn, input.recordKey);
    if (!decoded.ok) {
      // Not obeyed, not guessed at: the revision is not deployed from it, and a retry or a new revision clears it.
      const retried = isRetry(service.tags) || manifestFp !== undefined;
      return retried ? { state: 'ended', why: 'retry' } : { state: 'unreadable', error: decoded.error, value };
    }
    const { record } = decoded;
    if (record.hash !== input.desiredHash()) return { state: 'ended', record, why: 'revision-changed' };
    const newRequest = isRetry(service.tags) && requestFp !== record.consumed.request;
    const newToken = manifestFp !== undefined && manifestFp !== record.consumed.manifestRetry;
    if (newRequest || newToken) return { state: 'ended', record, why: 'retry' };
    return { state: 'held', record };
  }
  const failure = detectFailure(input);
  if (!failure) return { state: 'none' };
  const failedArn = failure.deployment?.taskDefinition ?? failure.taskDefinitionArn ?? (service.failedTasks ?? []).find((task) => input.runsDesired(task.taskDefinitionArn) === true)?.taskDefinitionArn;
  const revision = failedArn === undefined ? undefined : revisionNumber(failedArn);
  return {
    state: 'started',
    record: {
      hash: input.desiredHash(),
      kind: failure.kind,
      failedAt: input.nowSec,
      ...(revision !== undefined ? { taskDefinitionRevision: revision } : {}),
      gitRevision: input.gitRevision,
      consumed: { ...(requestFp !== undefined ? { request: requestFp } : {}), ...(manifestFp !== undefined ? { manifestRetry: manifestFp } : {}) },
      message: failure.message,
    },
  };
}

interface Failure {
  kind: FailureKind;
  /** The deployment of the desired revision that failed, when ECS still lists it. */
  deployment?: ObservedDeployment;
  /** The failed task definition, when only its failed tasks are left to show it. */
  taskDefinitionArn?: string;
  message: string;
}

const ROLLING_BACK = /rolling back/i;

function rollbackKind(reason: string | undefined): FailureKind {
  return /alarm/i.test(reason ?? '') ? 'alarm' : 'circuit-breaker';
}

/**
 * What AWS shows when a deployment of the desired revision failed: its deployment FAILED (alone, or ACTIVE and
 * draining behind the rollback deployment); a PRIMARY deployment rolling back while the desired revision is not what
 * it runs; or, once the rollback finished, recently failed tasks of the desired revision while another one runs.
 * A deployment of the desired content that is PRIMARY and not FAILED is a new attempt (after a retry), never a
 * failure of an older one. The reason is the failed tasks' when known (what to fix), else ECS's.
 */
export function detectFailure(input: HoldInput): Failure | undefined {
  const { service, runsDesired } = input;
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  if (!primary || !mayHaveFailed(service, primary, input.progressDeadlineSeconds)) return undefined;
  const taskReasons = distinctReasons((service.failedTasks ?? []).filter((task) => runsDesired(task.taskDefinitionArn) === true)).slice(0, 2);
  const reason = (ecsReason: string | undefined) => (taskReasons.length > 0 ? taskReasons.join('; ') : (ecsReason ?? 'ECS marked the deployment FAILED'));
  const primaryRunsDesired = runsDesired(primary.taskDefinition) === true;
  if (primaryRunsDesired) {
    if (primary.rolloutState === 'FAILED') return { kind: 'failed', deployment: primary, message: reason(primary.rolloutStateReason) };
    const deadline = input.progressDeadlineSeconds;
    if (deadline !== undefined && primary.rolloutState === 'IN_PROGRESS' && primary.createdAt !== undefined && input.nowSec - primary.createdAt > deadline) {
      return { kind: 'deadline', deployment: primary, message: `not completed within ${deadline}s: ${primary.runningCount}/${primary.desiredCount} tasks running` };
    }
    return undefined;
  }
  const failed = service.deployments.find((deployment) => deployment !== primary && deployment.rolloutState === 'FAILED' && runsDesired(deployment.taskDefinition) === true);
  const rollingBack = ROLLING_BACK.test(primary.rolloutStateReason ?? '');
  if (failed) return { kind: rollingBack ? rollbackKind(primary.rolloutStateReason) : 'failed', deployment: failed, message: reason(failed.rolloutStateReason) };
  // The failed deployment already drained away: the rollback deployment still says what happened.
  if (rollingBack) return { kind: rollbackKind(primary.rolloutStateReason), message: reason(primary.rolloutStateReason) };
  // The rollback finished too: the failed tasks of the desired revision remain.
  const failedTask = (service.failedTasks ?? []).find((task) => runsDesired(task.taskDefinitionArn) === true);
  if (failedTask) return { kind: rollsBack(service) ? 'circuit-breaker' : 'failed', taskDefinitionArn: failedTask.taskDefinitionArn, message: reason(undefined) };
  return undefined;
}

/** A cheap look first: most services show no sign of a failure, and need no task definition compared. */
function mayHaveFailed(service: ObservedService, primary: ObservedDeployment, deadline: number | undefined): boolean {
  return (
    (service.failedTasks?.length ?? 0) > 0 ||
    service.deployments.some((deployment) => deployment.rolloutState === 'FAILED') ||
    ROLLING_BACK.test(primary.rolloutStateReason ?? '') ||
    (deadline !== undefined && primary.rolloutState === 'IN_PROGRESS')
  );
}

/** The service's circuit breaker rolls back: what it does when tasks of a new revision fail. */
function rollsBack(service: ObservedService): boolean {
  const config = service.settings.deploymentConfiguration as { deploymentCircuitBreaker?: { enable?: boolean; rollback?: boolean } } | undefined;
  return config?.deploymentCircuitBreaker?.enable === true && config.deploymentCircuitBreaker.rollback === true;
}

const SIGNATURE = / k=[A-Za-z0-9_-]{22}$/;

/**
 * The record in a failure tag value. With the key, only a record whose signature verifies is read; without it
 * (`wait`, which has no key), the signature is dropped and the record read for display only.
 */
export function readFailureTag(value: string, serviceArn: string, key?: RecordKey): DecodedFailure {
  if (!key) return decodeFailure(value.replace(SIGNATURE, ''));
  const verified = verifyRecord(key, { resource: serviceArn, tag: FAILURE_TAG }, value);
  return verified.ok ? decodeFailure(verified.payload) : { ok: false, error: `not verified: it ${describeUnverified(verified.reason)}` };
}

/** The failure tag value of a record: signed when the controller has a record key. */
export function failureTagValue(record: FailureRecord, serviceArn: string, key?: RecordKey): string {
  const payload = encodeFailure(record);
  return key ? signRecord(key, { resource: serviceArn, tag: FAILURE_TAG }, payload) : payload;
}

function requestFingerprint(tags: Readonly<Record<string, string>>): string | undefined {
  const value = tags[REQUEST_TAG];
  return value === undefined ? undefined : fingerprint(value);
}

function isRetry(tags: Readonly<Record<string, string>>): boolean {
  const value = tags[REQUEST_TAG];
  if (value === undefined) return false;
  const parsed = parseRequest(value);
  return parsed.ok && parsed.verb === 'retry';
}

function revisionNumber(taskDefinitionArn: string): number | undefined {
  const match = /:(\d+)$/.exec(taskDefinitionArn);
  return match ? Number(match[1]) : undefined;
}

/**
 * Whether a plan should be judged again with the service's recently failed tasks (observeFailedTasks): before it
 * deploys a new task definition (a rollback that finished before anyone looked leaves only them), and when a
 * failure is about to be recorded (they say why).
 */
export function needsFailedTasks(plan: { hold?: Hold; actions: readonly { kind: string; input: unknown }[] }): boolean {
  if (plan.hold?.state === 'started') return true;
  return plan.hold === undefined && plan.actions.some((action) => action.kind === 'UpdateService' && (action.input as { taskDefinition?: unknown }).taskDefinition !== undefined);
}

/* ------------------------------------------------------------------ what people read */

/** A revision that failed and is held, for status, metrics and `wait`, whatever the strategy. */
export interface FailedRevision {
  /** The failed revision's hash (Rolling/Native: `revisionHash`; Canary/BlueGreen: the version hash). */
  hash: string;
  /** Who failed it: `circuit-breaker`, `alarm`, `failed`, `deadline` (any strategy), `analysis`, `operator`, `missing`. */
  by: string;
  /** One line a person can act on. */
  reason: string;
  gitRevision?: string;
  taskDefinitionRevision?: number;
  /** Epoch seconds; absent when unknown. */
  since?: number;
  /** The record could not be read: nothing is deployed from it until git changes or an operator retries. */
  unreadable?: boolean;
}

const WHO: Record<string, string> = {
  'circuit-breaker': 'rolled back by the ECS deployment circuit breaker',
  alarm: 'rolled back by a CloudWatch alarm',
  failed: 'ECS marked the deployment FAILED',
  deadline: 'did not complete within progressDeadlineSeconds',
  analysis: 'aborted by analysis',
  operator: 'aborted by an operator',
  missing: 'aborted: its task set disappeared',
};

export function failedRevisionOf(hold: Hold): FailedRevision | undefined {
  if (hold.state === 'unreadable') {
    return { hash: '?', by: 'unreadable', reason: `the failure record ${FAILURE_TAG} is not obeyed (${hold.error}); nothing is deployed until git changes the service or an operator retries`, unreadable: true };
  }
  if (hold.state !== 'started' && hold.state !== 'held') return undefined;
  const { record } = hold;
  return {
    hash: record.hash,
    by: record.kind,
    reason: record.message,
    ...(record.gitRevision !== undefined ? { gitRevision: record.gitRevision } : {}),
    ...(record.taskDefinitionRevision !== undefined ? { taskDefinitionRevision: record.taskDefinitionRevision } : {}),
    since: record.failedAt,
  };
}

/** A Canary/BlueGreen service's aborted revision, from the rollout record, when it is the desired version. */
export function failedRolloutOf(
  service: { serviceArn: string; tags: Readonly<Record<string, string>> },
  desiredHash: string | undefined,
  keyring: RecordKeyring,
): FailedRevision | undefined {
  const value = service.tags[ROLLOUT_TAG];
  if (value === undefined) return undefined;
  // A record that fails verification holds nothing: the rollout engine reports it as rejected.
  const decoded = readRecordTag(keyring, service.serviceArn, value);
  if (!decoded.ok || decoded.record.stage !== 'aborted') return undefined;
  const { record } = decoded;
  if (desiredHash !== undefined && record.hash !== desiredHash) return undefined;
  const by = record.abortReason ?? 'operator';
  return { hash: record.hash, by, reason: 'traffic is back on the stable version', since: record.stepStartedAt };
}

/**
 * "web:7 (commit 1a2b3c4d5e6f) rolled back by the ECS deployment circuit breaker: <reason>" - the Degraded message.
 */
export function describeFailedRevision(failed: FailedRevision, family?: string): string {
  if (failed.unreadable) return failed.reason;
  const name = family && failed.taskDefinitionRevision !== undefined ? `${family}:${failed.taskDefinitionRevision}` : `revision ${failed.hash}`;
  const commit = failed.gitRevision ? ` (commit ${failed.gitRevision.replace(/^sha256:/, '').slice(0, 12)})` : '';
  return `${name}${commit} ${WHO[failed.by] ?? failed.by}: ${failed.reason}; held until git changes the service or an operator retries`;
}
