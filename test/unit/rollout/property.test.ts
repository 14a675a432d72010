/**
 * Safety properties over many random observations (seeded, so failures reproduce): whatever AWS looks like, the
 * machine never routes traffic to a group without healthy targets, never grows a canary's weight before it is
 * ready, always writes weights that add up to 100, and never removes or demotes the version that serves traffic.
 */
import { describe, expect, it } from 'vitest';
import { blueGreenStrategy } from '../../../src/rollout/bluegreen.js';
import { encodeRecord, REQUEST_TAG, ROLLOUT_TAG, stepRollout } from '../../../src/rollout/index.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';
import type { RolloutObservation, RolloutRecord, RolloutTarget } from '../../../src/rollout/index.js';
import { taskSetReady } from '../../../src/rollout/gates.js';
import { percentOf } from '../../../src/rollout/traffic.js';
import type { AnalysisRunView, ResolvedStep, RolloutStage, RuleView, TaskSetView } from '../../../src/rollout/types.js';
import { readTag, RULE, signedTag, target, TEST_RULE, TG_BLUE, TG_GREEN, T0 } from './world.js';
import { seededRandom } from '../../../src/sandbox/core/random.js';

/** A seeded PRNG with the helpers the property test draws with. */
function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const STEPS: ResolvedStep[] = [
  { type: 'setWeight', weight: 10 },
  { type: 'pause', seconds: 300 },
  { type: 'analysis', analysis: { templates: ['error-rate'] } },
  { type: 'setCanaryScale', scale: { replicas: 1 } },
  { type: 'setWeight', weight: 50 },
  { type: 'pause' },
];
const STAGES: RolloutStage[] = ['progressing', 'promoting', 'verifying', 'finalizing', 'aborted'];

function randomTarget(rng: Rng): RolloutTarget {
  const hash = rng.pick(['v1', 'v2', 'v3']);
  const operator = { ...(rng.chance(0.2) ? { promote: rng.pick(['a', 'b']), promoteFull: rng.chance(0.5) } : {}), ...(rng.chance(0.1) ? { abort: true } : {}), ...(rng.chance(0.2) ? { retry: 'r' } : {}) };
  if (rng.chance(0.5)) return target(hash, { steps: STEPS, backgroundAnalysis: { templates: ['bg'], startingStep: 1 } }, operator);
  const strategy = blueGreenStrategy(
    { activeTargetGroup: TG_BLUE, previewTargetGroup: TG_GREEN, productionListenerRule: RULE, testListenerRule: TEST_RULE, prePromotionAnalysis: { templates: ['pre'] }, postPromotionAnalysis: { templates: ['post'] }, autoPromotionEnabled: rng.chance(0.5) },
    (r) => r,
  );
  return target(hash, strategy, operator);
}

function randomSet(rng: Rng, id: string, hash: string, status: string, tg: string, desired: number): TaskSetView {
  const scale = rng.pick([0, 10, 25, 50, 100]);
  const computed = Math.ceil((desired * scale) / 100);
  return { id, arn: `arn:ts/${id}`, status, externalId: hash, targetGroupArn: tg, taskDefinition: `td:${hash}`, scalePercent: scale, computedDesiredCount: computed, runningCount: rng.int(computed + 1), pendingCount: 0 };
}

function randomRule(rng: Rng, arn: string) {
  const blue = rng.chance(0.2) ? rng.int(1000) : rng.pick([0, 10, 50, 90, 100]);
  const green = rng.chance(0.2) ? rng.int(1000) : 100 - Math.min(blue, 100);
  return { arn, forward: [{ targetGroupArn: TG_BLUE, weight: blue }, { targetGroupArn: TG_GREEN, weight: green }], actions: [{ Type: 'forward', Order: 1 }] };
}

function randomObservation(rng: Rng, t: RolloutTarget, now: number): RolloutObservation {
  const desiredCount = rng.int(6);
  const stableTg = rng.pick([TG_BLUE, TG_GREEN]);
  const otherTg = stableTg === TG_BLUE ? TG_GREEN : TG_BLUE;
  const taskSets: TaskSetView[] = [];
  if (rng.chance(0.9)) taskSets.push(randomSet(rng, 'p', rng.pick(['v1', 'v2']), 'PRIMARY', stableTg, desiredCount));
  if (rng.chance(0.7)) taskSets.push(randomSet(rng, 'c', rng.pick(['v2', 'v3']), rng.pick(['ACTIVE', 'ACTIVE', 'DRAINING']), otherTg, desiredCount));
  const health = Object.fromEntries(
    [TG_BLUE, TG_GREEN].map((tg) => [tg, { healthy: rng.int(4), initial: rng.chance(0.2) ? 1 : 0, unhealthy: rng.int(2), draining: 0, other: 0 }]),
  );
  const rules: Record<string, RuleView> = {};
  if (rng.chance(0.9)) rules[RULE] = randomRule(rng, RULE);
  if (rng.chance(0.9)) rules[TEST_RULE] = randomRule(rng, TEST_RULE);
  const tags: Record<string, string> = {};
  if (rng.chance(0.7)) {
    const record: RolloutRecord = {
      hash: rng.pick(['v2', 'v3']),
      stage: rng.pick(STAGES),
      step: rng.int(t.strategy.steps.length + 1),
      stepStartedAt: Math.floor(now / 1000) - rng.int(2000),
      startedAt: Math.floor(now / 1000) - 3000,
      attempt: rng.int(2),
      backgroundRun: rng.int(2),
      consumed: {},
    };
    tags[ROLLOUT_TAG] = rng.chance(0.05) ? 'v=1 h=?? garbage' : rng.chance(0.05) ? encodeRecord(record) : signedTag(record);
  }
  if (rng.chance(0.3)) tags[REQUEST_TAG] = rng.pick(['promote:x', 'promote-full:y', 'abort:z', 'retry:w', 'bogus']);
  const analysis: Record<string, AnalysisRunView> = {};
  for (const label of ['s2', 'bg0', 'bg1', 's1', 'post']) {
    for (const hash of ['v2', 'v3']) {
      if (rng.chance(0.5)) analysis[`${hash}-${rng.int(2)}-${label}`] = { phase: rng.pick(['Running', 'Successful', 'Failed', 'Inconclusive', 'Error'] as const) };
    }
  }
  return { desiredCount, taskSets, rules, health, tags, analysis };
}

describe('safety properties over random observations', () => {
  it('holds for 5000 seeded observations', () => {
    const rng = prng(20261121);
    let shifts = 0;
    for (let i = 0; i < 5000; i++) {
      const t = randomTarget(rng);
      const now = T0 + rng.int(10_000_000);
      const obs = randomObservation(rng, t, now);
      const result = stepRollout({ target: t, observation: obs, now, keyring: TEST_RECORD_KEY });
      const where = `case ${i}: ${JSON.stringify({ obs, t: t.version.hash, result: result.actions })}`;
      const live = obs.taskSets.filter((s) => s.status !== 'DRAINING');
      const primary = live.find((s) => s.status === 'PRIMARY');
      const production = obs.rules[RULE];

      result.actions.forEach((action, index) => {
        if (action.kind === 'TagResource') {
          expect(index, where).toBe(0);
          const value = action.input.tags?.[0]?.value ?? '';
          expect(value.length, where).toBeLessThanOrEqual(256);
          expect(readTag(value).ok, where).toBe(true);
        }
        if (action.kind === 'ModifyRule') {
          shifts++;
          const rule = obs.rules[action.input.RuleArn ?? ''];
          expect(rule, where).toBeDefined();
          const groups = action.input.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
          expect(groups.length, where).toBe(2);
          expect(groups.reduce((sum, g) => sum + (g.Weight ?? 0), 0), where).toBe(100);
          for (const g of groups) {
            const tg = g.TargetGroupArn ?? '';
            if (!rule || (g.Weight ?? 0) <= percentOf(rule, tg)) continue;
            expect(obs.health[tg]?.healthy ?? 0, `${where}: weight up on ${tg} without healthy targets`).toBeGreaterThan(0);
            const owner = live.find((s) => s.targetGroupArn === tg);
            if (owner && owner.status !== 'PRIMARY') expect(taskSetReady(owner, obs.health[tg]).ok, `${where}: weight up on an unready canary`).toBe(true);
          }
        }
        if (action.kind === 'DeleteTaskSet') {
          const set = live.find((s) => s.arn === action.input.taskSet);
          expect(set?.status, where).not.toBe('PRIMARY');
          expect(production && set?.targetGroupArn ? percentOf(production, set.targetGroupArn) : -1, `${where}: removing a serving set`).toBe(0);
        }
        if (action.kind === 'UpdateServicePrimaryTaskSet' && primary) {
          const next = live.find((s) => s.arn === action.input.primaryTaskSet);
          expect(production && next?.targetGroupArn ? percentOf(production, next.targetGroupArn) : -1, `${where}: primary before traffic`).toBe(100);
        }
        if (action.kind === 'UpdateTaskSet' && (action.input.scale?.value ?? 0) < 100) {
          const set = live.find((s) => s.arn === action.input.taskSet);
          expect(set?.status, `${where}: scaling down the stable version`).not.toBe('PRIMARY');
        }
      });
      expect(result.status.phase, where).toBeTruthy();
    }
    expect(shifts).toBeGreaterThan(100);
    // A property test, not a timed one: 5000 cases take about 2 s alone and over 7 s on a loaded 2-core machine.
  }, 60_000);
});
