/**
 * One row per transition of both machines: a world (what AWS shows), the record in the tag, and the expected next
 * phase, actions and record. Clock injected: every row runs at T0.
 */
import { describe, expect, it } from 'vitest';
import { blueGreenStrategy } from '../../../src/rollout/bluegreen.js';
import { REQUEST_TAG, ROLLOUT_TAG, stepRollout } from '../../../src/rollout/index.js';
import { signRecord } from '../../../src/integrity/index.js';
import { encodeRecord } from '../../../src/rollout/state-tags.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';
import type { RolloutRecord, RolloutTarget } from '../../../src/rollout/index.js';
import type { ResolvedStep } from '../../../src/rollout/types.js';
import { RULE, SERVICE_ARN, signedTag, T0, target, TEST_RULE, TG_BLUE, TG_GREEN, World } from './world.js';

const NOW = Math.floor(T0 / 1000);
const STEPS: ResolvedStep[] = [
  { type: 'setWeight', weight: 10 },
  { type: 'pause', seconds: 300 },
  { type: 'analysis', analysis: { templates: ['error-rate'] } },
  { type: 'setWeight', weight: 50 },
  { type: 'pause' },
];
const CANARY = target('v2', { steps: STEPS });
const BG_CANARY = target('v2', { steps: STEPS, backgroundAnalysis: { templates: ['latency'], startingStep: 0 } });
const BG = target(
  'v2',
  blueGreenStrategy(
    { activeTargetGroup: TG_BLUE, previewTargetGroup: TG_GREEN, productionListenerRule: RULE, testListenerRule: TEST_RULE, prePromotionAnalysis: { templates: ['smoke'] }, postPromotionAnalysis: { templates: ['err'] }, autoPromotionEnabled: false },
    (r) => r,
  ),
);

function rec(stage: RolloutRecord['stage'], step: number, since = 0, extra: Partial<RolloutRecord> = {}): RolloutRecord {
  return { hash: 'v2', stage, step, stepStartedAt: NOW - since, startedAt: NOW - 1000, attempt: 0, backgroundRun: 0, consumed: {}, ...extra };
}

interface Setup {
  canaryScale?: number;
  canaryWeight?: number;
  canaryUnhealthy?: boolean;
  /** The new version is already primary (after the swap). */
  swapped?: boolean;
  oldGone?: boolean;
  record?: RolloutRecord;
  /** A payload the controller signed (it may still be unreadable). */
  tag?: string;
  /** The tag value exactly as written, signature and all (or none). */
  rawTag?: string;
  /** `Rejected`: the run's tag failed verification. */
  runs?: Record<string, 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Rejected'>;
  request?: string;
  testOnCanary?: boolean;
}

function world(s: Setup): World {
  const w = World.stableOn('v1', { testRule: true });
  if (s.canaryScale !== undefined) {
    w.taskSets.push({ id: 'ts-9', arn: `${SERVICE_ARN}/task-set/ts-9`, externalId: 'v2', status: 'ACTIVE', targetGroupArn: TG_GREEN, scale: s.canaryScale });
  }
  if (s.swapped) {
    const [old, fresh] = w.taskSets;
    if (old && fresh) [old.status, fresh.status] = ['ACTIVE', 'PRIMARY'];
    if (s.oldGone && old) old.status = 'DRAINING';
  }
  if (s.canaryUnhealthy) w.unhealthy.add('v2');
  const weight = s.canaryWeight ?? 0;
  w.rules[RULE] = [{ targetGroupArn: TG_BLUE, weight: 100 - weight }, { targetGroupArn: TG_GREEN, weight }];
  if (s.testOnCanary) w.rules[TEST_RULE] = [{ targetGroupArn: TG_BLUE, weight: 0 }, { targetGroupArn: TG_GREEN, weight: 100 }];
  if (s.record) w.tags[ROLLOUT_TAG] = signedTag(s.record);
  if (s.tag !== undefined) w.tags[ROLLOUT_TAG] = signRecord(TEST_RECORD_KEY, { resource: SERVICE_ARN, tag: ROLLOUT_TAG }, s.tag);
  if (s.rawTag !== undefined) w.tags[ROLLOUT_TAG] = s.rawTag;
  if (s.request) w.tags[REQUEST_TAG] = s.request;
  for (const [id, phase] of Object.entries(s.runs ?? {})) w.runs[id] = phase === 'Rejected' ? { phase: 'Error', resolveAt: Infinity, rejected: 'carries no signature' } : { phase, resolveAt: Infinity };
  return w;
}

interface Row {
  name: string;
  target?: RolloutTarget;
  setup: Setup;
  phase: string;
  actions: string[];
  record?: Partial<RolloutRecord> | null;
  outcome?: string;
}

const ROWS: Row[] = [
  // no rollout in flight
  { name: 'Stable stays stable', target: target('v1', { steps: STEPS }), setup: {}, phase: 'Stable/Done', actions: [], record: null },
  { name: 'Stable -> Progressing(0) on a new spec hash', setup: {}, phase: 'Progressing/Creating@0', actions: ['TagResource', 'CreateTaskSet'], record: { stage: 'progressing', step: 0, stepStartedAt: NOW } },
  // canary steps
  { name: 'setWeight: scale the canary up first', setup: { canaryScale: 0, record: rec('progressing', 0) }, phase: 'Progressing/Scaling@0', actions: ['UpdateTaskSet'] },
  { name: 'setWeight: canary not healthy -> wait, no traffic', setup: { canaryScale: 10, canaryUnhealthy: true, record: rec('progressing', 0) }, phase: 'Progressing/WaitingForHealthy@0', actions: [] },
  { name: 'setWeight: gates pass -> ModifyRule', setup: { canaryScale: 10, record: rec('progressing', 0) }, phase: 'Progressing/ShiftingTraffic@0', actions: ['ModifyRule'] },
  { name: 'setWeight read back -> pause (tag only)', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 0) }, phase: 'Paused/Paused@1', actions: ['TagResource'], record: { step: 1, stepStartedAt: NOW } },
  { name: 'pause running', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 100) }, phase: 'Paused/Paused@1', actions: [] },
  { name: 'pause over -> analysis starts', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 300) }, phase: 'Progressing/Analyzing@2', actions: ['TagResource', 'StartAnalysis'], record: { step: 2 } },
  { name: 'analysis running', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2), runs: { 'v2-0-s2': 'Running' } }, phase: 'Progressing/Analyzing@2', actions: [] },
  { name: 'analysis Successful -> setWeight 50 scales up', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2), runs: { 'v2-0-s2': 'Successful' } }, phase: 'Progressing/Scaling@3', actions: ['TagResource', 'UpdateTaskSet'], record: { step: 3 } },
  { name: 'analysis Inconclusive -> paused for promote', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2), runs: { 'v2-0-s2': 'Inconclusive' } }, phase: 'Paused/WaitingForPromote@2', actions: [] },
  { name: 'analysis Failed -> Aborting, traffic back', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2), runs: { 'v2-0-s2': 'Failed' } }, phase: 'Aborting/ShiftingTraffic', actions: ['TagResource', 'ModifyRule'], record: { stage: 'aborted', abortReason: 'analysis' }, outcome: 'aborted' },
  { name: 'running analysis + promote -> stop it and move on', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2), runs: { 'v2-0-s2': 'Running' }, request: 'promote:1' }, phase: 'Progressing/Scaling@3', actions: ['TagResource', 'StopAnalysis', 'UpdateTaskSet'], record: { step: 3 } },
  { name: 'pause{} waits for promote', setup: { canaryScale: 50, canaryWeight: 50, record: rec('progressing', 4, 99999) }, phase: 'Paused/WaitingForPromote@4', actions: [] },
  { name: 'pause{} + promote -> Promoting scales to 100', setup: { canaryScale: 50, canaryWeight: 50, record: rec('progressing', 4), request: 'promote:1' }, phase: 'Promoting/Scaling', actions: ['TagResource', 'UpdateTaskSet'], record: { stage: 'promoting' } },
  { name: 'promote --full from any step', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1), request: 'promote-full:1' }, phase: 'Promoting/Scaling', actions: ['TagResource', 'UpdateTaskSet'], record: { stage: 'promoting' } },
  { name: 'Promoting: all traffic to the new version', setup: { canaryScale: 100, canaryWeight: 50, record: rec('promoting', 0) }, phase: 'Promoting/ShiftingTraffic', actions: ['ModifyRule'] },
  { name: 'Promoting read back -> Finalizing makes it primary', setup: { canaryScale: 100, canaryWeight: 100, record: rec('promoting', 0) }, phase: 'Finalizing/SettingPrimary', actions: ['TagResource', 'UpdateServicePrimaryTaskSet'], record: { stage: 'finalizing' } },
  { name: 'Finalizing waits scaleDownDelay', setup: { canaryScale: 100, canaryWeight: 100, swapped: true, record: rec('finalizing', 0, 10) }, phase: 'Finalizing/ScaleDownDelay', actions: [] },
  { name: 'Finalizing removes the old version after the delay', setup: { canaryScale: 100, canaryWeight: 100, swapped: true, record: rec('finalizing', 0, 30) }, phase: 'Finalizing/ScalingDown', actions: ['DeleteTaskSet'] },
  { name: 'Finalizing done -> Stable, tag removed', setup: { canaryScale: 100, canaryWeight: 100, swapped: true, oldGone: true, record: rec('finalizing', 0, 60) }, phase: 'Stable/Done', actions: ['UntagResource'], record: null, outcome: 'promoted' },
  // deadline, abort, retry
  { name: 'no progress past the deadline -> abort', setup: { canaryScale: 10, canaryUnhealthy: true, record: rec('progressing', 0, 601) }, phase: 'RollingBack/ScaleDownDelay', actions: ['TagResource'], record: { stage: 'aborted', abortReason: 'deadline' }, outcome: 'aborted' },
  { name: 'abort request -> Aborting', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1), request: 'abort:1' }, phase: 'Aborting/ShiftingTraffic', actions: ['TagResource', 'ModifyRule'], record: { stage: 'aborted', abortReason: 'operator' }, outcome: 'aborted' },
  { name: 'RollingBack: delay, then the canary goes', setup: { canaryScale: 10, record: rec('aborted', 0, 30) }, phase: 'RollingBack/ScalingDown', actions: ['DeleteTaskSet'] },
  { name: 'Degraded stays', setup: { record: rec('aborted', 0, 999) }, phase: 'Degraded/Done', actions: [] },
  { name: 'Degraded + retry -> Progressing(0), next attempt', setup: { record: rec('aborted', 0, 999), request: 'retry:1' }, phase: 'Progressing/Creating@0', actions: ['TagResource', 'CreateTaskSet'], record: { stage: 'progressing', step: 0, attempt: 1 } },
  { name: 'Degraded + manifest retry token -> Progressing(0)', target: target('v2', { steps: STEPS }, { retry: 'again-1' }), setup: { record: rec('aborted', 0, 999) }, phase: 'Progressing/Creating@0', actions: ['TagResource', 'CreateTaskSet'], record: { attempt: 1 } },
  { name: 'manifest abort: true keeps Degraded and refuses retry', target: target('v2', { steps: STEPS }, { abort: true, retry: 'again-2' }), setup: { record: rec('aborted', 0, 999) }, phase: 'Degraded/Done', actions: ['TagResource'], record: { stage: 'aborted', attempt: 0 } },
  { name: 'background analysis Inconclusive pauses', target: BG_CANARY, setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 10), runs: { 'v2-0-bg0': 'Inconclusive' } }, phase: 'Paused/WaitingForPromote@1', actions: [] },
  { name: 'background Inconclusive + promote starts the next background run', target: BG_CANARY, setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 10), runs: { 'v2-0-bg0': 'Inconclusive' }, request: 'promote:1' }, phase: 'Paused/Paused@1', actions: ['TagResource', 'StartAnalysis'], record: { backgroundRun: 1, step: 1 } },
  { name: 'promote while Degraded is spent and ignored', setup: { record: rec('aborted', 0, 999), request: 'promote:1' }, phase: 'Degraded/Done', actions: ['TagResource'], record: { stage: 'aborted' } },
  // supersede
  { name: 'new spec mid-rollout -> Superseding returns traffic', target: target('v3', { steps: STEPS }), setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1) }, phase: 'Superseding/ShiftingTraffic@1', actions: ['ModifyRule'] },
  { name: 'Superseding removes the superseded set', target: target('v3', { steps: STEPS }), setup: { canaryScale: 10, record: rec('progressing', 1) }, phase: 'Superseding/ScalingDown@1', actions: ['DeleteTaskSet'] },
  { name: 'Superseding clean -> new rollout from step 0', target: target('v3', { steps: STEPS }), setup: { record: rec('progressing', 1) }, phase: 'Progressing/Creating@0', actions: ['TagResource', 'CreateTaskSet'], record: { hash: 'v3', step: 0 }, outcome: 'superseded' },
  // tags
  { name: 'missing tag with a canary at 50% restarts at step 0: weight only goes down', setup: { canaryScale: 50, canaryWeight: 50 }, phase: 'Progressing/ShiftingTraffic@0', actions: ['TagResource', 'ModifyRule'], record: { step: 0 } },
  { name: 'corrupt tag mid-rollout holds traffic as it is', setup: { canaryScale: 10, canaryWeight: 10, tag: 'v=1 h=v2 g=sideways' }, phase: 'Paused/StateUnreadable', actions: [] },
  { name: 'corrupt tag + abort -> Aborting', setup: { canaryScale: 10, canaryWeight: 10, tag: '%%%', request: 'abort:1' }, phase: 'Aborting/ShiftingTraffic', actions: ['TagResource', 'ModifyRule'], record: { stage: 'aborted' } },
  { name: 'corrupt tag + retry -> restart at step 0', setup: { canaryScale: 10, canaryWeight: 10, tag: 'v=1 h=v2', request: 'retry:1' }, phase: 'Paused/Paused@1', actions: ['TagResource'], record: { stage: 'progressing', step: 1 } },
  { name: 'corrupt tag + promote still holds', setup: { canaryScale: 10, canaryWeight: 10, tag: 'v=1 h=v2', request: 'promote:1' }, phase: 'Paused/StateUnreadable', actions: [] },
  { name: 'corrupt tag on a stable service is removed', target: target('v1', { steps: STEPS }), setup: { tag: 'v=9' }, phase: 'Stable/Done', actions: ['UntagResource'], record: null },
  // records that fail verification (docs/rollouts.md, "Record integrity")
  { name: 'unsigned promoting record mid-canary is not obeyed: traffic held', setup: { canaryScale: 10, canaryWeight: 10, rawTag: encodeRecord(rec('promoting', 0)) }, phase: 'Paused/StateTampered', actions: [] },
  { name: 'record signed for another service is not obeyed', setup: { canaryScale: 10, canaryWeight: 10, rawTag: signRecord(TEST_RECORD_KEY, { resource: `${SERVICE_ARN}-other`, tag: ROLLOUT_TAG }, encodeRecord(rec('promoting', 0))) }, phase: 'Paused/StateTampered', actions: [] },
  { name: 'signed record edited to promoting is not obeyed', setup: { canaryScale: 10, canaryWeight: 10, rawTag: signedTag(rec('progressing', 1)).replace('g=progressing', 'g=promoting') }, phase: 'Paused/StateTampered', actions: [] },
  { name: 'tampered record + promote still holds', setup: { canaryScale: 10, canaryWeight: 10, rawTag: encodeRecord(rec('progressing', 1)), request: 'promote:1' }, phase: 'Paused/StateTampered', actions: [] },
  { name: 'tampered record + abort -> Aborting', setup: { canaryScale: 10, canaryWeight: 10, rawTag: encodeRecord(rec('promoting', 0)), request: 'abort:1' }, phase: 'Aborting/ShiftingTraffic', actions: ['TagResource', 'ModifyRule'], record: { stage: 'aborted' } },
  { name: 'tampered record + retry -> restart at step 0', setup: { canaryScale: 10, canaryWeight: 10, rawTag: encodeRecord(rec('promoting', 0)), request: 'retry:1' }, phase: 'Paused/Paused@1', actions: ['TagResource'], record: { stage: 'progressing', step: 1 } },
  { name: 'forged record on a stable service is removed, not obeyed', target: target('v1', { steps: STEPS }), setup: { rawTag: encodeRecord(rec('promoting', 0)) }, phase: 'Stable/Done', actions: ['UntagResource'], record: null },
  { name: 'analysis run whose tag failed verification holds the step', setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 2, 10), runs: { 'v2-0-s2': 'Rejected' } }, phase: 'Paused/StateTampered@2', actions: [] },
  { name: 'background run whose tag failed verification holds', target: BG_CANARY, setup: { canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 10), runs: { 'v2-0-bg0': 'Rejected' } }, phase: 'Paused/StateTampered@1', actions: [] },
  // blue-green
  { name: 'BG preview: test rule to the new version', target: BG, setup: { canaryScale: 100, record: rec('progressing', 0) }, phase: 'Progressing/ShiftingTraffic@0', actions: ['ModifyRule'] },
  { name: 'BG preview ready -> pre-promotion analysis', target: BG, setup: { canaryScale: 100, testOnCanary: true, record: rec('progressing', 0) }, phase: 'Progressing/Analyzing@1', actions: ['TagResource', 'StartAnalysis'] },
  { name: 'BG promotion switches production in one move', target: BG, setup: { canaryScale: 100, testOnCanary: true, record: rec('promoting', 0) }, phase: 'Promoting/ShiftingTraffic', actions: ['ModifyRule'] },
  { name: 'BG switched -> post-promotion analysis', target: BG, setup: { canaryScale: 100, canaryWeight: 100, testOnCanary: true, record: rec('promoting', 0) }, phase: 'Promoting/Analyzing', actions: ['TagResource', 'StartAnalysis'], record: { stage: 'verifying' } },
  { name: 'BG post-promotion failure -> traffic back to the old version', target: BG, setup: { canaryScale: 100, canaryWeight: 100, testOnCanary: true, record: rec('verifying', 0), runs: { 'v2-0-post': 'Failed' } }, phase: 'Aborting/ShiftingTraffic', actions: ['TagResource', 'ModifyRule'], record: { stage: 'aborted' }, outcome: 'aborted' },
  { name: 'BG post-promotion success -> Finalizing', target: BG, setup: { canaryScale: 100, canaryWeight: 100, testOnCanary: true, record: rec('verifying', 0), runs: { 'v2-0-post': 'Successful' } }, phase: 'Finalizing/SettingPrimary', actions: ['TagResource', 'UpdateServicePrimaryTaskSet'], record: { stage: 'finalizing' } },
];

describe('every transition', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const w = world(row.setup);
    const result = stepRollout({ target: row.target ?? CANARY, observation: w.observe(), now: T0, keyring: TEST_RECORD_KEY });
    const s = result.status;
    expect(`${s.phase}/${s.subPhase}${s.step ? `@${s.step.index}` : ''}`).toBe(row.phase);
    expect(result.actions.map((a) => a.kind)).toEqual(row.actions);
    if (row.record === null) expect(result.state).toBeUndefined();
    else if (row.record) expect(result.state).toMatchObject(row.record);
    const outcomes = result.events.filter((e) => e.type === 'Outcome').map((e) => e.type === 'Outcome' && e.outcome);
    expect(outcomes).toEqual(row.outcome ? [row.outcome] : []);
  });

  it('never gives the canary more weight when it restarts without a tag', () => {
    const w = world({ canaryScale: 50, canaryWeight: 50 });
    const result = stepRollout({ target: CANARY, observation: w.observe(), now: T0, keyring: TEST_RECORD_KEY });
    const modify = result.actions.find((a) => a.kind === 'ModifyRule');
    expect(modify?.kind === 'ModifyRule' && modify.input.Actions?.[0]?.ForwardConfig?.TargetGroups).toEqual([
      { TargetGroupArn: TG_BLUE, Weight: 90 },
      { TargetGroupArn: TG_GREEN, Weight: 10 },
    ]);
  });

  it('reports the rollout for /status', () => {
    const w = world({ canaryScale: 10, canaryWeight: 10, record: rec('progressing', 1, 100), runs: { 'v2-0-s2': 'Running' } });
    const { status } = stepRollout({ target: CANARY, observation: w.observe(), now: T0, keyring: TEST_RECORD_KEY });
    expect(status).toMatchObject({
      strategy: 'Canary',
      phase: 'Paused',
      step: { index: 1, total: 5 },
      canaryWeight: 10,
      stable: { hash: 'v1', scalePercent: 100, desired: 4, running: 4, healthyTargets: 4 },
      canary: { hash: 'v2', scalePercent: 10, desired: 1, running: 1, healthyTargets: 1 },
      analysis: [{ runId: 'v2-0-s2', phase: 'Running' }],
    });
    expect(status.message).toMatch(/200s left/);
  });

  it('CreateTaskSet carries the spec hash, the other target group and an idempotency token', () => {
    const w = world({});
    const create = stepRollout({ target: CANARY, observation: w.observe(), now: T0, keyring: TEST_RECORD_KEY }).actions[1];
    expect(create?.kind === 'CreateTaskSet' && create.input).toMatchObject({
      cluster: 'prod',
      service: 'web',
      externalId: 'v2',
      loadBalancers: [{ targetGroupArn: TG_GREEN, containerName: 'app', containerPort: 8080 }],
      launchType: 'FARGATE',
      scale: { unit: 'PERCENT', value: 10 },
      clientToken: `v2-0-${NOW}`,
    });
  });
});

describe('an unreadable state tag', () => {
  it('is reported as a warning event with the reason, never thrown', () => {
    const w = world({ canaryScale: 10, canaryWeight: 10, tag: 'v=1 h=v2 g=sideways' });
    const result = stepRollout({ target: CANARY, observation: w.observe(), now: T0, keyring: TEST_RECORD_KEY });
    expect(result.events).toContainEqual({ type: 'Warning', message: expect.stringMatching(/unreadable \(g \(stage\) must be one of/) });
    expect(result.requeueAfterMs).toBeUndefined();
  });
});
