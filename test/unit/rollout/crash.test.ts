/**
 * Crash safety: for every call of a scenario and every prefix of its actions, a controller killed after that prefix
 * and restarted reaches the same end state, starts no step twice, and moves traffic through the same weights.
 */
import { describe, expect, it } from 'vitest';
import { blueGreenStrategy } from '../../../src/rollout/bluegreen.js';
import { REQUEST_TAG, ROLLOUT_TAG } from '../../../src/rollout/index.js';
import type { RolloutAction, RolloutTarget } from '../../../src/rollout/index.js';
import { CANARY_STEPS, drive, readTag, RULE, settled, target, TEST_RULE, TG_BLUE, TG_GREEN, World } from './world.js';
import type { DriveOptions } from './world.js';



interface Scenario {
  name: string;
  world: () => World;
  target: RolloutTarget;
  /** A fresh operator per run (it may keep its own memory, like a person would). */
  react?: () => DriveOptions['react'];
  until?: DriveOptions['until'];
  /** The task sets left at the end, as `hash:status:scale`. */
  ends: string[];
}

const promoteWhenWaiting: DriveOptions['react'] = (w, last) => {
  if (last?.status.subPhase === 'WaitingForPromote') w.tags[REQUEST_TAG] = `promote:p-${last.status.phase}-${last.status.step?.index ?? 'x'}`;
};

const bg = (config: Partial<Parameters<typeof blueGreenStrategy>[0]>) =>
  blueGreenStrategy({ activeTargetGroup: TG_BLUE, previewTargetGroup: TG_GREEN, productionListenerRule: RULE, testListenerRule: TEST_RULE, ...config }, (r) => r);

const SCENARIOS: Scenario[] = [
  { name: 'canary promoted', world: () => World.stableOn('v1'), target: target('v2', { steps: CANARY_STEPS }), react: () => promoteWhenWaiting, ends: ['v2:PRIMARY:100'] },
  {
    name: 'canary aborted by analysis',
    world: () => {
      const w = World.stableOn('v1');
      w.analysisResult = () => 'Failed';
      return w;
    },
    target: target('v2', { steps: CANARY_STEPS }),
    ends: ['v1:PRIMARY:100'],
  },
  {
    name: 'canary never healthy, deadline',
    world: () => {
      const w = World.stableOn('v1');
      w.unhealthy.add('v2');
      return w;
    },
    target: target('v2', { steps: CANARY_STEPS, progressDeadlineSeconds: 60 }),
    ends: ['v1:PRIMARY:100'],
  },
  {
    name: 'canary superseded mid-rollout',
    world: () => World.stableOn('v1'),
    target: target('v2', { steps: CANARY_STEPS }),
    react: () => {
      let switched = false;
      return (w, last, current) => {
        if (!switched && last?.status.phase === 'Paused') switched = true;
        promoteWhenWaiting(w, last, current);
        return switched ? target('v3', { steps: CANARY_STEPS }) : undefined;
      };
    },
    ends: ['v3:PRIMARY:100'],
  },
  {
    name: 'canary aborted, then retried',
    world: () => World.stableOn('v1'),
    target: target('v2', { steps: CANARY_STEPS, backgroundAnalysis: { templates: ['latency'], startingStep: 0 } }),
    react: () => (w, last, current) => {
      const record = w.record();
      if (record?.attempt === 0 && record.stage === 'progressing' && record.step === 1) w.tags[REQUEST_TAG] = 'abort:a';
      if (last?.status.phase === 'Degraded') w.tags[REQUEST_TAG] = 'retry:r';
      promoteWhenWaiting(w, last, current);
    },
    until: (r) => r.status.phase === 'Stable' && r.actions.length === 0,
    ends: ['v2:PRIMARY:100'],
  },
  {
    name: 'blue-green promoted with analyses',
    world: () => World.stableOn('v1', { testRule: true }),
    target: target('v2', bg({ prePromotionAnalysis: { templates: ['smoke'] }, postPromotionAnalysis: { templates: ['err'] }, autoPromotionEnabled: false })),
    react: () => promoteWhenWaiting,
    ends: ['v2:PRIMARY:100'],
  },
  {
    name: 'blue-green post-promotion failure',
    world: () => {
      const w = World.stableOn('v1', { testRule: true });
      w.analysisResult = (id) => (id.endsWith('post') ? 'Failed' : 'Successful');
      return w;
    },
    target: target('v2', bg({ postPromotionAnalysis: { templates: ['err'] }, autoPromotionSeconds: 120 })),
    ends: ['v1:PRIMARY:100'],
  },
];

function run(scenario: Scenario, crash?: { call: number; keep: number }) {
  const world = scenario.world();
  const react = scenario.react?.();
  const trace = drive(world, scenario.target, { until: scenario.until ?? settled, ...(react ? { react } : {}), ...(crash ? { crash } : {}) });
  return trace;
}

function endState(world: World) {
  const record = world.tags[ROLLOUT_TAG] === undefined ? undefined : readTag(world.tags[ROLLOUT_TAG]);
  const r = record?.ok ? record.record : undefined;
  return {
    taskSets: world.liveHashes(),
    production: world.weights(RULE),
    test: world.weights(TEST_RULE),
    record: r && { hash: r.hash, stage: r.stage, step: r.step, attempt: r.attempt, abortReason: r.abortReason },
    runs: Object.keys(world.runs).sort(),
  };
}

/** Each step (hash, attempt, stage, step) entered once: every applied record for it carries the same start time. */
function stepStarts(applied: RolloutAction[]): Map<string, Set<number>> {
  const starts = new Map<string, Set<number>>();
  for (const action of applied) {
    if (action.kind !== 'TagResource') continue;
    const value = action.input.tags?.find((t) => t.key === ROLLOUT_TAG)?.value;
    const decoded = value === undefined ? undefined : readTag(value);
    if (!decoded?.ok) continue;
    const { hash, attempt, stage, step, stepStartedAt } = decoded.record;
    const key = `${hash}/${attempt}/${stage}/${step}`;
    starts.set(key, (starts.get(key) ?? new Set()).add(stepStartedAt));
  }
  return starts;
}

function weightPath(applied: RolloutAction[], rule: string): string[] {
  const path: string[] = [];
  for (const action of applied) {
    if (action.kind !== 'ModifyRule' || action.input.RuleArn !== rule) continue;
    const groups = action.input.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    const label = groups.map((g) => `${g.TargetGroupArn === TG_BLUE ? 'blue' : 'green'}=${g.Weight}`).sort().join(',');
    if (path.at(-1) !== label) path.push(label);
  }
  return path;
}

describe('a crash after any action of any transition', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: replay converges, no step twice, same traffic path`, () => {
      const baseline = run(scenario);
      const expected = endState(baseline.world);
      expect(expected.taskSets).toEqual(scenario.ends);
      const expectedPath = weightPath(baseline.world.applied, RULE);
      let crashes = 0;
      baseline.results.forEach((result, call) => {
        for (let keep = 0; keep < result.actions.length; keep++) {
          const crashed = run(scenario, { call, keep });
          const where = `crash at call ${call} after ${keep}/${result.actions.length} actions`;
          expect(endState(crashed.world), where).toEqual(expected);
          for (const [step, starts] of stepStarts(crashed.world.applied)) expect(starts.size, `${where}: ${step} started twice`).toBe(1);
          expect(weightPath(crashed.world.applied, RULE), where).toEqual(expectedPath);
          crashes++;
        }
      });
      expect(crashes).toBeGreaterThanOrEqual(baseline.results.filter((r) => r.actions.length > 0).length);
    });
  }
});
