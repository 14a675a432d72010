/**
 * The rollout step of a reconcile pass: after the service shells are planned and applied, every Canary/BlueGreen
 * service the plan did not refuse gets one rollout pass, and its outcome is merged into the service's result.
 */
import type { ServiceResult } from '../../apply/index.js';
import type { DesiredService, DesiredStateSnapshot } from '../../manifest/index.js';
import type { ObservedState } from '../../observe/index.js';
import { usesTaskSets } from '../../plan/index.js';
import { reconcileRollout } from './reconcile-rollout.js';
import type { RolloutEngineContext, RolloutReport } from './reconcile-rollout.js';

/** Plan results after which the shell is where the manifest wants it (or would be, in a dry run). */
const SHELL_READY = new Set<ServiceResult['status']>(['in-sync', 'changed', 'not-converged', 'planned']);

export interface RolloutPassResult {
  rollouts: Record<string, RolloutReport>;
  /** The earliest requeue any rollout asked for. */
  requeueAfterMs?: number;
}

/**
 * Runs the rollouts of `desired` (one after another: each is a handful of calls) and merges each into its result in
 * `results`: a failed rollout action fails the service; otherwise the rollout's phase is added to its messages.
 * A dry run observes and decides without sending anything, and only for services that exist.
 */
export async function reconcileRollouts(
  context: RolloutEngineContext,
  snapshot: Pick<DesiredStateSnapshot, 'analysisTemplates'>,
  desired: readonly DesiredService[],
  state: ObservedState,
  results: ServiceResult[],
): Promise<RolloutPassResult> {
  const rollouts: Record<string, RolloutReport> = {};
  let requeueAfterMs: number | undefined;
  for (const service of desired.filter((service) => usesTaskSets(service.manifest.spec))) {
    const result = results.find((entry) => entry.key === service.key);
    if (!result || !SHELL_READY.has(result.status)) continue;
    if (context.dryRun && !state.services[service.key]) continue;
    const report = await reconcileRollout(context, { manifest: service.manifest, analysisTemplates: snapshot.analysisTemplates, observed: state });
    rollouts[service.key] = report;
    mergeInto(result, report);
    if (report.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, report.requeueAfterMs);
  }
  return { rollouts, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}

/** How a rollout pass's status reads among a service's messages: `rollout <phase> (<subPhase>): ...`, `rollout: <error>`. */
const ROLLOUT_MESSAGE_PREFIX = 'rollout';

/** Whether a service message is the rollout pass's status (which changes at every step) rather than a plan's note. */
export function isRolloutMessage(message: string): boolean {
  return message.startsWith(`${ROLLOUT_MESSAGE_PREFIX} `) || message.startsWith(`${ROLLOUT_MESSAGE_PREFIX}: `);
}

function mergeInto(result: ServiceResult, report: RolloutReport): void {
  if (report.error) {
    result.status = 'failed';
    result.error = report.error;
    result.messages.push(`${ROLLOUT_MESSAGE_PREFIX}: ${report.error.code}: ${report.error.message}`);
    return;
  }
  if (report.status) result.messages.push(`${ROLLOUT_MESSAGE_PREFIX} ${report.status.phase} (${report.status.subPhase}): ${report.status.message}`);
}
