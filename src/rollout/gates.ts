/**
 * The checks that stand between the engine and a traffic change or a scale-down. Each returns why it fails, so the
 * status can say what the rollout waits for.
 */
import type { RuleView, TargetGroupHealth, TaskSetView } from './types.js';
import { readsBack } from './traffic.js';
import type { WeightSplit } from './traffic.js';

export type Gate = { ok: true } | { ok: false; reason: string };

const PASS: Gate = { ok: true };
const fail = (reason: string): Gate => ({ ok: false, reason });

export const NO_HEALTH: TargetGroupHealth = { healthy: 0, initial: 0, unhealthy: 0, draining: 0, other: 0 };

/**
 * Before any weight increase towards a task set, and before removing the version it replaces: every task it should
 * run is RUNNING, and as many targets are healthy in its target group, none still in `initial`.
 */
export function taskSetReady(set: TaskSetView | undefined, health: TargetGroupHealth | undefined): Gate {
  if (!set) return fail('the task set does not exist yet');
  if (set.status === 'DRAINING') return fail('the task set is draining');
  if (set.computedDesiredCount < 1) return fail('the task set has no tasks to run (scale or desiredCount is 0)');
  if (set.runningCount < set.computedDesiredCount) return fail(`${set.runningCount}/${set.computedDesiredCount} tasks RUNNING`);
  const h = health ?? NO_HEALTH;
  if (h.initial > 0) return fail(`${h.initial} target(s) still in initial health checks`);
  if (h.healthy < set.runningCount || h.healthy < 1) return fail(`${h.healthy}/${set.runningCount} targets healthy`);
  return PASS;
}

/** The floor for sending traffic back to a version that already served it: at least one healthy target. */
export function hasHealthyTargets(health: TargetGroupHealth | undefined): Gate {
  return (health?.healthy ?? 0) >= 1 ? PASS : fail('no healthy targets');
}

/** Before the next increase and before any scale-down: the last weight change reads back from DescribeRules. */
export function weightsApplied(rule: RuleView | undefined, wanted: WeightSplit): Gate {
  if (!rule) return fail('listener rule not observed');
  return readsBack(rule, wanted) ? PASS : fail('listener rule weights do not read back yet');
}
