/**
 * The rollout state machine: `(target, observation, now) -> (record', actions, requeueAfter, events, status)`.
 *
 * The record (the ROLLOUT_TAG service tag) says which stage and step the rollout is in; the observation says how far
 * that step got. Each stage evaluates to `wait` (with the idempotent actions that move it on), `done` (advance), or
 * `abort`. Advancing only rewrites the record, so one call may pass several steps that AWS already shows complete;
 * the TagResource that records the new position always comes first in the action list, before the change it
 * describes (see docs/rollouts.md for why that ordering survives a crash between any two actions).
 */
import { evaluateCanaryStep } from './canary.js';
import { evaluatePreview } from './bluegreen.js';
import {
  candidateSet,
  createTaskSet,
  deleteTaskSet,
  healthOf,
  liveSets,
  makePrimary,
  moveTraffic,
  otherGroup,
  POLL_MS,
  primarySet,
  returnToStable,
  runId,
  runPrefix,
  scaleTaskSet,
  startAnalysis,
  stopAnalysis,
  stopRunningAnalysis,
  summary,
  tagRecord,
  untagRecord,
  versions,
  wait,
} from './context.js';
import type { Ctx, Scope, StageResult } from './context.js';
import { taskSetReady, weightsApplied } from './gates.js';
import { describeRejected, fingerprint, parseRequest, readRecordTag, writeRecordTag } from './state-tags.js';
import type { ParsedRequest } from './state-tags.js';
import { percentOf, split } from './traffic.js';
import type {
  AbortReason,
  OperatorRequestEvent,
  RolloutAction,
  RolloutEvent,
  RolloutRecord,
  RolloutStatus,
  RolloutTarget,
  StepInput,
  StepResult,
} from './types.js';
import { REQUEST_TAG, ROLLOUT_TAG } from './types.js';
import type { AnalysisRef } from '../manifest/schema.js';

/* ------------------------------------------------------------------ operator requests */

interface Requests {
  manifestPromote?: { fingerprint: string; full: boolean };
  manifestRetry?: string;
  manifestAbort: boolean;
  cli?: ParsedRequest;
  /** The request tag's raw value, named as the requester in decisions. */
  cliValue?: string;
}

/** Who asked for an operator request: the request tag the CLI wrote, or the manifest (git). */
function sourceOf(requests: Requests, source: 'cli' | 'manifest'): Pick<OperatorRequestEvent, 'source' | 'requestTag'> {
  return source === 'cli' && requests.cliValue !== undefined ? { source, requestTag: requests.cliValue } : { source };
}

function readRequests(target: RolloutTarget, tags: Readonly<Record<string, string>>): Requests {
  const { operator } = target;
  const cli = tags[REQUEST_TAG];
  return {
    ...(operator.promote ? { manifestPromote: { fingerprint: fingerprint(operator.promote), full: operator.promoteFull === true } } : {}),
    ...(operator.retry ? { manifestRetry: fingerprint(operator.retry) } : {}),
    manifestAbort: operator.abort === true,
    ...(cli !== undefined ? { cli: parseRequest(cli), cliValue: cli } : {}),
  };
}

/** Everything present now counts as seen: a token left over from an earlier rollout must not act on a new one. */
function allConsumed(requests: Requests): RolloutRecord['consumed'] {
  return {
    ...(requests.manifestPromote ? { manifestPromote: requests.manifestPromote.fingerprint } : {}),
    ...(requests.manifestRetry ? { manifestRetry: requests.manifestRetry } : {}),
    ...(requests.cli ? { request: requests.cli.fingerprint } : {}),
  };
}

function pendingCli(record: RolloutRecord, requests: Requests): ParsedRequest | undefined {
  return requests.cli && requests.cli.fingerprint !== record.consumed.request ? requests.cli : undefined;
}

function pendingManifestPromote(record: RolloutRecord, requests: Requests) {
  return requests.manifestPromote && requests.manifestPromote.fingerprint !== record.consumed.manifestPromote ? requests.manifestPromote : undefined;
}

function consume(record: RolloutRecord, key: keyof RolloutRecord['consumed'], value: string | undefined): RolloutRecord {
  return value === undefined ? record : { ...record, consumed: { ...record.consumed, [key]: value } };
}

/* ------------------------------------------------------------------ records */

function freshRecord(target: RolloutTarget, nowSec: number, attempt: number, requests: Requests): RolloutRecord {
  return {
    hash: target.version.hash,
    stage: 'progressing',
    step: 0,
    stepStartedAt: nowSec,
    startedAt: nowSec,
    attempt,
    backgroundRun: 0,
    consumed: allConsumed(requests),
  };
}

function aborted(record: RolloutRecord, nowSec: number, reason: AbortReason): RolloutRecord {
  return { ...record, stage: 'aborted', stepStartedAt: nowSec, abortReason: reason };
}

function outcome(record: RolloutRecord, kind: 'promoted' | 'aborted' | 'superseded', nowSec: number, message: string): RolloutEvent {
  return { type: 'Outcome', outcome: kind, hash: record.hash, durationSeconds: Math.max(0, nowSec - record.startedAt), message };
}

/** The next stage or step once the current one is done; undefined when the rollout is complete. */
function advance(target: RolloutTarget, record: RolloutRecord, nowSec: number): RolloutRecord | undefined {
  const at = (stage: RolloutRecord['stage'], step = 0): RolloutRecord => ({ ...record, stage, step, stepStartedAt: nowSec });
  switch (record.stage) {
    case 'progressing':
      return record.step + 1 < target.strategy.steps.length ? at('progressing', record.step + 1) : at('promoting');
    case 'promoting':
      return target.strategy.postPromotionAnalysis ? at('verifying') : at('finalizing');
    case 'verifying':
      return at('finalizing');
    case 'finalizing':
      return undefined;
    case 'aborted':
      return record;
  }
}

/* ------------------------------------------------------------------ stages */

/** A record that failed verification holds the rollout where AWS shows it: no action, no advance, until abort or retry. */
function heldOnRejectedRecord(what: string): StageResult {
  return wait('Paused', 'StateTampered', `${what}: it is not obeyed and traffic is held as it is; abort or retry`, { requeueAfterMs: undefined });
}

function analysisStep(ctx: Ctx, ref: AnalysisRef, label: string, phase: 'Progressing' | 'Promoting'): StageResult {
  const id = runId(ctx.record, label);
  const run = ctx.obs.analysis[id];
  if (run?.rejected) return heldOnRejectedRecord(`the tag of analysis run ${id} ${run.rejected}`);
  if (!run) return wait(phase, 'Analyzing', `starting analysis ${id}`, { actions: [startAnalysis(ctx, id, ref, false)] });
  if (run.phase === 'Successful') return { kind: 'done', message: `analysis ${id} succeeded` };
  if (run.phase === 'Failed' || run.phase === 'Error') return { kind: 'abort', reason: 'analysis', message: `analysis ${id}: ${run.phase}${run.message ? `: ${run.message}` : ''}` };
  if (ctx.takePromote()) {
    if (run.phase === 'Running') ctx.carry.push(stopAnalysis(ctx, id, 'promoted past the analysis'));
    return { kind: 'done', message: 'promoted' };
  }
  if (run.phase === 'Inconclusive') return wait('Paused', 'WaitingForPromote', `analysis ${id} is inconclusive: promote or abort`, { requeueAfterMs: undefined });
  return wait(phase, 'Analyzing', `analysis ${id} running`);
}

function pauseStep(ctx: Ctx, seconds: number | undefined): StageResult {
  if (ctx.takePromote()) return { kind: 'done', message: 'promoted' };
  if (seconds === undefined) return wait('Paused', 'WaitingForPromote', 'paused until promote', { requeueAfterMs: undefined });
  const remaining = ctx.record.stepStartedAt + seconds - ctx.nowSec;
  if (remaining <= 0) return { kind: 'done', message: `paused ${seconds}s` };
  return wait('Paused', 'Paused', `paused, ${remaining}s left`, { requeueAfterMs: remaining * 1000 });
}

/** Background analysis: started alongside the steps, its failure aborts, Inconclusive pauses until promote. */
function background(ctx: Ctx): StageResult | undefined {
  const bg = ctx.target.strategy.backgroundAnalysis;
  if (!bg || (ctx.record.stage === 'progressing' && ctx.record.step < bg.startingStep)) return undefined;
  let id = runId(ctx.record, `bg${ctx.record.backgroundRun}`);
  const run = ctx.obs.analysis[id];
  if (run?.rejected) return heldOnRejectedRecord(`the tag of background analysis run ${id} ${run.rejected}`);
  if (run?.phase === 'Failed' || run?.phase === 'Error') return { kind: 'abort', reason: 'analysis', message: `background analysis ${id}: ${run.phase}` };
  if (run?.phase === 'Inconclusive') {
    if (!ctx.takePromote()) return wait('Paused', 'WaitingForPromote', `background analysis ${id} is inconclusive: promote or abort`, { requeueAfterMs: undefined });
    ctx.record = { ...ctx.record, backgroundRun: ctx.record.backgroundRun + 1 };
    id = runId(ctx.record, `bg${ctx.record.backgroundRun}`);
  }
  if (!ctx.obs.analysis[id]) ctx.carry.push(startAnalysis(ctx, id, bg, true));
  return undefined;
}

function progressing(ctx: Ctx): StageResult {
  const held = background(ctx);
  if (held) return held;
  const step = ctx.target.strategy.steps[ctx.record.step];
  if (!step) return { kind: 'done', message: 'no more steps' };
  if (step.type === 'pause') return pauseStep(ctx, step.seconds);
  if (step.type === 'analysis') return analysisStep(ctx, step.analysis, `s${ctx.record.step}`, 'Progressing');
  if (step.type === 'preview') return evaluatePreview(ctx);
  return evaluateCanaryStep(ctx, ctx.record.step);
}

function promoting(ctx: Ctx): StageResult {
  return background(ctx) ?? moveTraffic(ctx, 'Promoting', 100, 100);
}

function finalizing(ctx: Ctx): StageResult {
  const { target, obs, record } = ctx;
  const fresh = liveSets(obs).find((set) => set.externalId === record.hash);
  if (!fresh) return { kind: 'abort', reason: 'missing', message: `the task set of ${record.hash} disappeared before it became primary` };
  const stop = stopRunningAnalysis(ctx, 'rollout promoted');
  if (fresh.status !== 'PRIMARY') {
    // Promotion verified the weights when it finished; if they drifted since, put them back before the swap.
    const serving = moveTraffic(ctx, 'Finalizing', 100, 100);
    if (serving.kind !== 'done') return serving;
    return wait('Finalizing', 'SettingPrimary', 'making the new task set primary', { actions: [...stop, makePrimary(target, fresh, 'promoted')] });
  }
  const olds = liveSets(obs).filter((set) => set.status !== 'PRIMARY');
  if (olds.length === 0) return stop.length > 0 ? wait('Finalizing', 'ScalingDown', 'stopping analysis', { actions: stop }) : { kind: 'done', message: 'old version removed' };
  const remaining = record.stepStartedAt + target.strategy.scaleDownDelaySeconds - ctx.nowSec;
  if (remaining > 0) return wait('Finalizing', 'ScaleDownDelay', `removing the old version in ${remaining}s`, { actions: stop, requeueAfterMs: remaining * 1000 });
  const freshTg = fresh.targetGroupArn ?? '';
  const gates = [taskSetReady(fresh, healthOf(obs, freshTg)), weightsApplied(obs.rules[target.strategy.traffic.listenerRuleArn], split(otherGroup(target, freshTg), freshTg, 100))];
  const failed = gates.find((gate) => !gate.ok);
  if (failed && !failed.ok) return wait('Finalizing', 'WaitingForHealthy', `before removing the old version: ${failed.reason}`, { actions: stop });
  return wait('Finalizing', 'ScalingDown', 'removing the old version', { actions: [...stop, ...olds.map((set) => deleteTaskSet(target, set, 'the new version serves all traffic'))] });
}

function abortedStage(ctx: Ctx): StageResult {
  const back = returnToStable(ctx, { shifting: 'Aborting', removing: 'RollingBack' }, {
    removeAtSec: ctx.record.stepStartedAt + ctx.target.strategy.abortScaleDownDelaySeconds,
    stop: stopRunningAnalysis(ctx, 'rollout aborted'),
  });
  return back ?? wait('Degraded', 'Done', `rollout of ${ctx.record.hash} aborted (${ctx.record.abortReason ?? 'operator'}): retry or change the spec`, { requeueAfterMs: undefined });
}

function evaluateStage(ctx: Ctx): StageResult {
  switch (ctx.record.stage) {
    case 'progressing':
      return progressing(ctx);
    case 'promoting':
      return promoting(ctx);
    case 'verifying': {
      const post = ctx.target.strategy.postPromotionAnalysis;
      return post ? analysisStep(ctx, post, 'post', 'Promoting') : { kind: 'done', message: 'no post-promotion analysis' };
    }
    case 'finalizing':
      return finalizing(ctx);
    case 'aborted':
      return abortedStage(ctx);
  }
}

/* ------------------------------------------------------------------ no rollout in flight */

/** Stable: the primary at full scale, every rule on it, nothing else running. Also corrects drift. */
function keepStable(scope: Scope): StageResult {
  const primary = primarySet(scope.obs);
  if (primary && primary.scalePercent !== 100) {
    return wait('Stable', 'Scaling', 'restoring the stable task set to 100%', { actions: [scaleTaskSet(scope.target, primary, 100, 'the stable version runs at full size')] });
  }
  return (
    returnToStable(scope, { shifting: 'Stable', removing: 'Stable' }, { removeAtSec: scope.nowSec, stop: [] }) ??
    wait('Stable', 'Done', `stable on ${primary?.externalId ?? '?'}`, { requeueAfterMs: undefined })
  );
}

/** A service without a primary task set: create the first version at full size and make it primary. */
function initialize(scope: Scope): StageResult {
  const { target, obs } = scope;
  const existing = candidateSet(obs, target.version.hash);
  if (existing) return wait('Initializing', 'SettingPrimary', 'making the first task set primary', { actions: [makePrimary(target, existing, 'first version')] });
  const token = `${target.version.hash.slice(0, 16)}-init`;
  return wait('Initializing', 'Creating', 'creating the first task set', {
    actions: [createTaskSet(target, target.strategy.traffic.targetGroups[0], 100, token, 'service has no task set')],
  });
}

/* ------------------------------------------------------------------ the step function */

export function stepRollout({ target, observation: obs, now, keyring }: StepInput): StepResult {
  const nowSec = Math.floor(now / 1000);
  const scope: Scope = { target, obs, nowSec };
  const events: RolloutEvent[] = [];
  const observedTag = obs.tags[ROLLOUT_TAG];
  const decoded = observedTag === undefined ? undefined : readRecordTag(keyring, target.serviceArn, observedTag);
  const requests = readRequests(target, obs.tags);
  const primary = primarySet(obs);
  const onDesired = primary?.externalId === target.version.hash;

  const finish = (record: RolloutRecord | undefined, result: StageResult, leaveTag = false, carry: RolloutAction[] = []): StepResult => {
    if (result.kind !== 'wait') throw new Error(`internal: finish expects a wait, got ${result.kind}`);
    const actions: RolloutAction[] = [];
    if (record) {
      const value = writeRecordTag(keyring, target.serviceArn, record);
      if (value !== observedTag) actions.push(tagRecord(target, value, `rollout ${record.stage} step ${record.step}`));
    } else if (observedTag !== undefined && !leaveTag) {
      actions.push(untagRecord(target, 'no rollout in flight'));
    }
    actions.push(...uniqueActions([...carry, ...result.actions]));
    events.push(...weightChanges(scope, record, actions));
    return {
      state: leaveTag ? undefined : record,
      actions,
      requeueAfterMs: actions.length > 0 ? Math.min(result.requeueAfterMs ?? POLL_MS, POLL_MS) : result.requeueAfterMs,
      events,
      status: statusOf(scope, record, result),
    };
  };

  let record: RolloutRecord | undefined;
  if (decoded && !decoded.ok) {
    // Neither an unreadable nor an unverified record is obeyed: what AWS shows stays as it is until an operator acts.
    const message = `rollout tag ${ROLLOUT_TAG} ${describeRejected(decoded)}: "${observedTag}"`;
    events.push(decoded.kind === 'untrusted' ? { type: 'RecordRejected', record: 'rollout', reason: decoded.reason, message } : { type: 'Warning', message });
    const settled = onDesired && liveSets(obs).length === 1;
    if (settled) return finish(undefined, keepStable(scope));
    const cli = requests.cli?.ok ? requests.cli.verb : undefined;
    if (requests.manifestAbort || cli === 'abort') {
      record = aborted(freshRecord(target, nowSec, 0, requests), nowSec, 'operator');
      events.push({ type: 'OperatorRequest', request: 'abort', applied: true, message: 'aborting a rollout whose state tag was unreadable', ...sourceOf(requests, requests.manifestAbort ? 'manifest' : 'cli') });
    } else if (cli === 'retry') {
      record = freshRecord(target, nowSec, 0, requests);
      events.push({ type: 'OperatorRequest', request: 'retry', applied: true, message: 'restarting from step 0 a rollout whose state tag was unreadable', ...sourceOf(requests, 'cli') });
      events.push(...stepEntered(target, record.step));
    } else {
      const held = decoded.kind === 'untrusted' ? heldOnRejectedRecord(`the rollout record ${describeRejected(decoded)}`) : wait('Paused', 'StateUnreadable', 'rollout state tag unreadable: traffic is held as it is; abort or retry', { requeueAfterMs: undefined });
      return finish(undefined, held, true);
    }
  } else {
    record = decoded?.record;
  }

  if (!record) {
    if (!primary) return finish(undefined, initialize(scope));
    if (onDesired) return finish(undefined, keepStable(scope));
    if (requests.manifestAbort) return finish(undefined, wait('Degraded', 'Done', 'abort is set in the manifest: the new version does not start', { requeueAfterMs: undefined }));
    const strays = liveSets(obs).filter((set) => set.status !== 'PRIMARY' && set.externalId !== target.version.hash);
    if (strays.length > 0) {
      const cleanup = returnToStable(scope, { shifting: 'Superseding', removing: 'Superseding' }, { removeAtSec: nowSec, stop: [] });
      if (cleanup) return finish(undefined, cleanup);
    }
    record = freshRecord(target, nowSec, 0, requests);
    events.push({ type: 'Started', hash: record.hash, attempt: 0, message: `rolling out ${record.hash}` }, ...stepEntered(target, record.step));
  } else if (record.hash !== target.version.hash && record.stage !== 'finalizing') {
    const old = record;
    const ctxOld: Ctx = { ...scope, record: old, carry: [], takePromote: () => false };
    const cleanup = returnToStable(ctxOld, { shifting: 'Superseding', removing: 'Superseding' }, { removeAtSec: nowSec, stop: stopRunningAnalysis(ctxOld, 'superseded') });
    if (cleanup) return finish(old, cleanup);
    if (old.stage !== 'aborted') events.push(outcome(old, 'superseded', nowSec, `rollout of ${old.hash} superseded by ${target.version.hash}`));
    if (onDesired) return finish(undefined, keepStable(scope));
    if (requests.manifestAbort) return finish(old, wait('Degraded', 'Done', 'abort is set in the manifest: the new version does not start', { requeueAfterMs: undefined }));
    record = freshRecord(target, nowSec, 0, requests);
    events.push({ type: 'Started', hash: record.hash, attempt: 0, message: `rolling out ${record.hash}` }, ...stepEntered(target, record.step));
  }

  record = applyRequests(target, record, requests, nowSec, events);
  const ctx: Ctx = { ...scope, record, carry: [], takePromote: () => takePromote(ctx, requests, events) };
  const budget = target.strategy.steps.length + 8;
  for (let pass = 0; pass < budget; pass++) {
    const result = evaluateStage(ctx);
    if (result.kind === 'wait') {
      const deadline = target.strategy.progressDeadlineSeconds;
      const stalled = result.gated && (ctx.record.stage === 'progressing' || ctx.record.stage === 'promoting') && nowSec - ctx.record.stepStartedAt > deadline;
      if (!stalled) return finish(ctx.record, result, false, ctx.carry);
      events.push(outcome(ctx.record, 'aborted', nowSec, `no progress for ${deadline}s: ${result.message}`));
      ctx.record = aborted(ctx.record, nowSec, 'deadline');
      ctx.carry = ctx.carry.filter((action) => action.kind !== 'StartAnalysis');
      continue;
    }
    if (result.kind === 'abort') {
      events.push(outcome(ctx.record, 'aborted', nowSec, result.message));
      ctx.record = aborted(ctx.record, nowSec, result.reason);
      ctx.carry = ctx.carry.filter((action) => action.kind !== 'StartAnalysis');
      continue;
    }
    const left = ctx.record.stage === 'progressing' ? target.strategy.steps[ctx.record.step] : undefined;
    if (left?.type === 'pause') events.push({ type: 'PauseEnded', step: ctx.record.step, total: target.strategy.steps.length, message: result.message });
    const next = advance(target, ctx.record, nowSec);
    if (!next) {
      events.push(outcome(ctx.record, 'promoted', nowSec, `${ctx.record.hash} promoted`));
      return finish(undefined, wait('Stable', 'Done', `stable on ${ctx.record.hash}`, { requeueAfterMs: POLL_MS }), false, ctx.carry);
    }
    if (next.stage === 'progressing') events.push(...stepEntered(target, next.step));
    ctx.record = next;
  }
  throw new Error(`internal: rollout of ${target.key} did not settle within ${budget} passes`);
}

/** The same analysis start can be carried from several passes; send it once. */
function uniqueActions(actions: RolloutAction[]): RolloutAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const key = JSON.stringify([action.kind, action.input]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function takePromote(ctx: Ctx, requests: Requests, events: RolloutEvent[]): boolean {
  const cli = pendingCli(ctx.record, requests);
  if (cli?.ok && cli.verb === 'promote') {
    ctx.record = consume(ctx.record, 'request', cli.fingerprint);
    events.push({ type: 'OperatorRequest', request: 'promote', applied: true, message: `promoted past step ${ctx.record.step}`, ...sourceOf(requests, 'cli') });
    return true;
  }
  const manifest = pendingManifestPromote(ctx.record, requests);
  if (manifest && !manifest.full) {
    ctx.record = consume(ctx.record, 'manifestPromote', manifest.fingerprint);
    events.push({ type: 'OperatorRequest', request: 'promote', applied: true, message: `promoted past step ${ctx.record.step} (manifest)`, ...sourceOf(requests, 'manifest') });
    return true;
  }
  return false;
}

/** abort, retry and promote --full act at once; a plain promote waits for a step that waits (see takePromote). */
function applyRequests(target: RolloutTarget, start: RolloutRecord, requests: Requests, nowSec: number, events: RolloutEvent[]): RolloutRecord {
  let record = start;
  const cli = pendingCli(record, requests);
  const cliVerb = cli?.ok ? cli.verb : undefined;
  if (cli && !cli.ok) events.push({ type: 'Warning', message: cli.error });
  const inFlight = record.stage === 'progressing' || record.stage === 'promoting' || record.stage === 'verifying';

  if (requests.manifestAbort || cliVerb === 'abort') {
    if (inFlight) {
      events.push({ type: 'OperatorRequest', request: 'abort', applied: true, message: 'abort requested', ...sourceOf(requests, requests.manifestAbort ? 'manifest' : 'cli') });
      events.push(outcome(record, 'aborted', nowSec, 'aborted by the operator'));
      record = aborted(record, nowSec, 'operator');
    } else if (cliVerb === 'abort') {
      events.push({ type: 'OperatorRequest', request: 'abort', applied: false, message: `nothing to abort in stage ${record.stage}`, ...sourceOf(requests, 'cli') });
    }
  }
  const retryToken = cliVerb === 'retry' ? 'cli' : requests.manifestRetry && requests.manifestRetry !== record.consumed.manifestRetry ? 'manifest' : undefined;
  record = consume(record, 'manifestRetry', requests.manifestRetry);
  if (retryToken) {
    if (record.stage === 'aborted' && !requests.manifestAbort) {
      record = freshRecord(target, nowSec, record.attempt + 1, requests);
      events.push({ type: 'OperatorRequest', request: 'retry', applied: true, message: `retry ${record.attempt} from step 0`, ...sourceOf(requests, retryToken) });
      events.push({ type: 'Started', hash: record.hash, attempt: record.attempt, message: `retrying ${record.hash}` }, ...stepEntered(target, record.step));
    } else {
      events.push({ type: 'OperatorRequest', request: 'retry', applied: false, message: requests.manifestAbort ? 'abort is set in the manifest' : 'nothing to retry', ...sourceOf(requests, retryToken) });
    }
  }
  const manifestPromote = pendingManifestPromote(record, requests);
  const full = cliVerb === 'promote-full' || manifestPromote?.full === true;
  if (full) {
    if (manifestPromote?.full) record = consume(record, 'manifestPromote', manifestPromote.fingerprint);
    if (record.stage === 'progressing') record = { ...record, stage: 'promoting', step: 0, stepStartedAt: nowSec };
    else if (record.stage === 'verifying') record = { ...record, stage: 'finalizing', step: 0, stepStartedAt: nowSec };
    events.push({ type: 'OperatorRequest', request: 'promote-full', applied: record.stage === 'promoting' || record.stage === 'finalizing', message: `promote --full in stage ${record.stage}`, ...sourceOf(requests, cliVerb === 'promote-full' ? 'cli' : 'manifest') });
  }
  const promoteIsMoot = record.stage === 'promoting' || record.stage === 'finalizing' || record.stage === 'aborted';
  if (promoteIsMoot && manifestPromote && !manifestPromote.full) {
    record = consume(record, 'manifestPromote', manifestPromote.fingerprint);
    events.push({ type: 'OperatorRequest', request: 'promote', applied: false, message: `nothing to promote in stage ${record.stage}`, ...sourceOf(requests, 'manifest') });
  }
  const cliSpent = cli && (!cli.ok || cliVerb !== 'promote' || promoteIsMoot);
  if (cliSpent) {
    if (cliVerb === 'promote') events.push({ type: 'OperatorRequest', request: 'promote', applied: false, message: `nothing to promote in stage ${record.stage}`, ...sourceOf(requests, 'cli') });
    record = consume(record, 'request', cli.fingerprint);
  }
  return record;
}

/** The events of entering a step: the step, and a pause starting when it is one. */
function stepEntered(target: RolloutTarget, index: number): RolloutEvent[] {
  const total = target.strategy.steps.length;
  if (index >= total) return [];
  const step = target.strategy.steps[index];
  const entered: RolloutEvent = { type: 'StepStarted', step: index, total, message: describeStep(target, index) };
  if (step?.type !== 'pause') return [entered];
  return [entered, { type: 'PauseStarted', step: index, total, ...(step.seconds === undefined ? {} : { seconds: step.seconds }) }];
}

/**
 * The production weight each planned ModifyRule moves: the share of the group that is not the primary's, from what
 * the rule shows now to what the action writes. Derived from the actions so that every weight the pass writes is
 * reported, whichever stage (a step, promotion, an abort, a supersede) wrote it.
 */
function weightChanges(scope: Scope, record: RolloutRecord | undefined, actions: readonly RolloutAction[]): RolloutEvent[] {
  const { target, obs } = scope;
  const ruleArn = target.strategy.traffic.listenerRuleArn;
  const rule = obs.rules[ruleArn];
  const newGroup = otherGroup(target, primarySet(obs)?.targetGroupArn);
  const position = record ? { stage: record.stage, ...(record.stage === 'progressing' ? { step: record.step } : {}) } : {};
  return actions.flatMap((action): RolloutEvent[] => {
    if (action.kind !== 'ModifyRule' || action.input.RuleArn !== ruleArn || !rule) return [];
    const forward = action.input.Actions?.find((candidate) => candidate.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    const written = { ...rule, forward: forward.map((group) => ({ targetGroupArn: group.TargetGroupArn ?? '', weight: group.Weight ?? 0 })) };
    return [{ type: 'WeightChanged', from: percentOf(rule, newGroup), to: percentOf(written, newGroup), ...position, total: target.strategy.steps.length }];
  });
}

function describeStep(target: RolloutTarget, index: number): string {
  const step = target.strategy.steps[index];
  if (!step) return `step ${index}`;
  switch (step.type) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.seconds === undefined ? 'pause until promote' : `pause ${step.seconds}s`;
    case 'analysis':
      return `analysis ${step.analysis.templates.join(', ')}`;
    case 'setCanaryScale':
      return `setCanaryScale ${JSON.stringify(step.scale)}`;
    case 'preview':
      return 'preview';
  }
}

function statusOf(scope: Scope, record: RolloutRecord | undefined, result: StageResult & { kind: 'wait' }): RolloutStatus {
  const { target, obs } = scope;
  const rule = obs.rules[target.strategy.traffic.listenerRuleArn];
  const primary = primarySet(obs);
  // Without a record (none in flight, or one not obeyed) the desired version's task set, if any, is the canary shown.
  const ctx = versions({ ...scope, record: record ?? freshRecord(target, scope.nowSec, 0, { manifestAbort: false }), carry: [], takePromote: () => false });
  const prefix = record ? runPrefix(record) : undefined;
  return {
    strategy: target.strategy.kind,
    phase: result.phase,
    subPhase: result.sub,
    ...(record?.stage === 'progressing' ? { step: { index: record.step, total: target.strategy.steps.length } } : {}),
    canaryWeight: rule && ctx.canary ? percentOf(rule, ctx.canaryTg) : 0,
    ...(primary ? { stable: summary(primary, obs) } : {}),
    ...(ctx.canary ? { canary: summary(ctx.canary, obs) } : {}),
    analysis: prefix
      ? Object.entries(obs.analysis)
          .filter(([id]) => id.startsWith(prefix))
          .map(([id, run]) => ({ runId: id, phase: run.phase }))
      : [],
    message: result.message,
  };
}
