/**
 * What `wait` and `apply --wait` conclude about one service, from AWS alone (its deployments or task sets and the
 * controller's records in its tags): healthy on the expected revision, failed (held, rolled back, aborted), or
 * still on its way. Pure.
 */
import { describeFailedRevision, FAILURE_TAG, failedRevisionOf, failedRolloutOf, readFailureTag } from '../hold/index.js';
import type { ObservedService, ObservedTaskDefinition } from '../observe/types.js';
import { REVISION_TAG } from '../plan/types.js';
import { describeRejected, readRecordTag, ROLLOUT_TAG } from '../rollout/index.js';

export type OutcomeState = 'healthy' | 'failed' | 'progressing';

export interface Outcome {
  state: OutcomeState;
  /** One line: running/desired, deployment or rollout step; for `failed`, the reason. */
  detail: string;
}

export interface Expectation {
  /** Canary/BlueGreen: the version hash the primary task set must carry (its externalId). */
  versionHash?: string;
  /**
   * The desired-state revision (git commit, or a prefix of it) that must be serving: the revision tag of the
   * service or of the task definition it runs.
   */
  revision?: string;
}

/**
 * `taskDefinitions` holds the task definitions the service runs (for their revision tag); `stoppedReasons` the
 * stopped reason of its recently failed tasks, read when ECS shows a failure the controller has not recorded yet.
 */
export function judgeOutcome(
  service: ObservedService | undefined,
  expect: Expectation,
  taskDefinitions: Readonly<Record<string, ObservedTaskDefinition>> = {},
  stoppedReasons: readonly string[] = [],
): Outcome {
  if (!service || service.status !== 'ACTIVE') return { state: 'progressing', detail: 'not created yet' };
  const failure = recordedFailure(service) ?? failedRolloutOutcome(service) ?? ecsFailure(service, stoppedReasons);
  if (failure) return failure;
  return service.deploymentControllerType === 'EXTERNAL' ? rolloutOutcome(service, expect, taskDefinitions) : deploymentOutcome(service, expect, taskDefinitions);
}

function family(service: ObservedService): string | undefined {
  const name = service.taskDefinition.slice(service.taskDefinition.lastIndexOf('/') + 1);
  return name.includes(':') ? name.slice(0, name.lastIndexOf(':')) : undefined;
}

/** The controller recorded the failure (the hold): failed, whatever ECS runs now. */
function recordedFailure(service: ObservedService): Outcome | undefined {
  const value = service.tags[FAILURE_TAG];
  if (value === undefined) return undefined;
  const decoded = readFailureTag(value, service.serviceArn);
  const failed = failedRevisionOf(decoded.ok ? { state: 'held', record: decoded.record } : { state: 'unreadable', error: decoded.error, value });
  return failed && { state: 'failed', detail: describeFailedRevision(failed, family(service)) };
}

function failedRolloutOutcome(service: ObservedService): Outcome | undefined {
  // `wait` has no record key: it shows the records it reads, unverified (the controller obeys only verified ones).
  const failed = failedRolloutOf(service, undefined, 'read-only');
  return failed && { state: 'failed', detail: describeFailedRevision(failed) };
}

/** ECS shows the failure before the controller records it: a FAILED deployment, or one rolling back. */
function ecsFailure(service: ObservedService, stoppedReasons: readonly string[]): Outcome | undefined {
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  const rollingBack = /rolling back/i.test(primary?.rolloutStateReason ?? '');
  // An older FAILED deployment still draining behind a new attempt is not this attempt's failure.
  if (primary?.rolloutState !== 'FAILED' && !rollingBack) return undefined;
  const reasons = [primary?.rolloutStateReason, ...stoppedReasons.slice(0, 2)].filter((text): text is string => text !== undefined);
  return { state: 'failed', detail: reasons.join(' ') || 'ECS marked the deployment FAILED' };
}

/** ECS shows a failure that no record explains yet: the stopped reasons of its tasks say what to fix. */
export function needsStoppedReasons(service: ObservedService | undefined): boolean {
  if (!service || service.tags[FAILURE_TAG] !== undefined) return false;
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  return primary?.rolloutState === 'FAILED' || /rolling back/i.test(primary?.rolloutStateReason ?? '');
}

function onRevision(service: ObservedService, taskDefinitionArn: string, expect: Expectation, taskDefinitions: Readonly<Record<string, ObservedTaskDefinition>>): boolean {
  if (expect.revision === undefined) return true;
  const revision = expect.revision;
  const matches = (tag: string | undefined) => tag !== undefined && tag !== '' && (tag.startsWith(revision) || revision.startsWith(tag));
  return matches(service.tags[REVISION_TAG]) || matches(taskDefinitions[taskDefinitionArn]?.tags[REVISION_TAG]);
}

function deploymentOutcome(service: ObservedService, expect: Expectation, taskDefinitions: Readonly<Record<string, ObservedTaskDefinition>>): Outcome {
  const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
  const running = `${service.runningCount}/${service.desiredCount} running`;
  if (!primary) return { state: 'progressing', detail: `${running}, no deployment` };
  const settled = service.deployments.length === 1 && (primary.rolloutState ?? 'COMPLETED') === 'COMPLETED' && service.runningCount === service.desiredCount;
  const deployment = `deployment ${primary.rolloutState ?? 'unknown'}${service.deployments.length > 1 ? ` (${service.deployments.length - 1} older draining)` : ''}`;
  if (!settled) return { state: 'progressing', detail: `${running}, ${deployment}` };
  if (!onRevision(service, primary.taskDefinition, expect, taskDefinitions)) return { state: 'progressing', detail: `${running}, not on revision ${expect.revision} yet` };
  return { state: 'healthy', detail: `${running}, ${deployment}` };
}

function rolloutOutcome(service: ObservedService, expect: Expectation, taskDefinitions: Readonly<Record<string, ObservedTaskDefinition>>): Outcome {
  const live = service.taskSets.filter((set) => set.status !== 'DRAINING');
  const primary = live.find((set) => set.status === 'PRIMARY');
  const running = `${primary?.runningCount ?? 0}/${primary?.computedDesiredCount ?? 0} running`;
  const value = service.tags[ROLLOUT_TAG];
  const decoded = value === undefined ? undefined : readRecordTag('read-only', service.serviceArn, value);
  if (decoded && !decoded.ok) return { state: 'failed', detail: `the rollout record ${ROLLOUT_TAG} ${describeRejected(decoded)}: the rollout is paused until an operator aborts or retries` };
  if (decoded?.ok) {
    const { record } = decoded;
    const canary = live.find((set) => set.externalId === record.hash);
    const weight = canary && canary !== primary ? `, new version ${canary.runningCount}/${canary.computedDesiredCount} running` : '';
    return { state: 'progressing', detail: `rollout of ${record.hash} ${record.stage} at step ${record.step + 1}${weight}` };
  }
  if (!primary || live.length !== 1 || primary.stabilityStatus !== 'STEADY_STATE') return { state: 'progressing', detail: `${running}, ${live.length} task set(s)` };
  if (expect.versionHash !== undefined && primary.externalId !== expect.versionHash) return { state: 'progressing', detail: `${running}, version ${expect.versionHash} not started yet` };
  if (!onRevision(service, primary.taskDefinition, expect, taskDefinitions)) return { state: 'progressing', detail: `${running}, not on revision ${expect.revision} yet` };
  return { state: 'healthy', detail: `${running}, stable on ${primary.externalId ?? '?'}` };
}
