import { isSettled } from '../apply/index.js';
import type { ApplyError, CallSummary, PruneResult, ServiceResult, ServiceStatus } from '../apply/index.js';
import { isHeld } from '../hold/index.js';
import { countBySeverity } from '../manifest/index.js';
import type { Diagnostic, DesiredStateSnapshot } from '../manifest/index.js';
import type { ObservedService } from '../observe/index.js';
import type { RolloutReport } from '../rollout/engine/index.js';

export interface ReconcileReport {
  /** The desired-state revision (git commit or content hash) the pass applied. */
  revision: string;
  root: string;
  dryRun: boolean;
  /** One per service named by a manifest, sorted by key; services of broken files are `invalid`. */
  services: ServiceResult[];
  /** Every manifest diagnostic (errors and warnings). */
  diagnostics: Diagnostic[];
  /** Present when prune was asked for. */
  prune?: PruneResult;
  /**
   * The manifests' services as observed before acting, by key (a missing service is absent): the controller derives
   * their health from it without another read.
   */
  observed?: Record<string, ObservedService>;
  /** Canary/BlueGreen services: the rollout pass of each, by key (see src/rollout/engine). */
  rollouts?: Record<string, RolloutReport>;
  /** When to reconcile again: the earliest a rollout asked for (a pause ending, an analysis measurement, AWS progress). */
  requeueAfterMs?: number;
  /** The calls this pass made, when the caller gave a recorder. */
  calls?: CallSummary;
  /** The pass could not run to the end (AWS unreachable, access denied while observing...). */
  error?: ApplyError;
}

export interface BrokenService {
  key: string;
  diagnostics: Diagnostic[];
}

/** Services declared in files that have errors: they stay untouched, and are reported. */
export function brokenServiceKeys(snapshot: DesiredStateSnapshot): BrokenService[] {
  return [...snapshot.files.values()]
    .filter((file) => !file.ok)
    .flatMap((file) => file.serviceKeys.map((key) => ({ key, diagnostics: file.diagnostics.filter((d) => d.severity === 'error') })));
}

/** Errors in the desired state, counting an unreadable folder as one. */
export function desiredStateErrors(snapshot: DesiredStateSnapshot): number {
  return Math.max(countBySeverity(snapshot.diagnostics).errors, snapshot.complete ? 0 : 1);
}

export function manifestErrors(report: ReconcileReport): number {
  return countBySeverity(report.diagnostics).errors;
}

/** How many services ended in each status (only statuses that occur). */
export function countByStatus(report: ReconcileReport): Partial<Record<ServiceStatus, number>> {
  const counts: Partial<Record<ServiceStatus, number>> = {};
  for (const service of report.services) counts[service.status] = (counts[service.status] ?? 0) + 1;
  return counts;
}

/**
 * Whether the pass fell short: it could not run, a manifest has errors, a service is not where its manifest
 * wants it (failed, not converged, conflict, requires replacement, blocked, its revision failed and is held), or a
 * prune deletion failed.
 * A refused prune is a guard doing its job, not a failure.
 */
export function hasFailures(report: ReconcileReport): boolean {
  const pruneFailed = report.prune?.outcome === 'ok' && report.prune.services.some((service) => service.status === 'failed');
  const held = report.services.some((service) => isHeld(service.hold));
  return report.error !== undefined || manifestErrors(report) > 0 || !report.services.every(isSettled) || held || pruneFailed;
}

/** Whether applying would change anything: a service not in sync, or a service prune would delete. */
export function hasDifferences(report: ReconcileReport): boolean {
  const pruning = report.prune?.outcome === 'ok' && report.prune.services.length > 0;
  return report.services.some((service) => service.status !== 'in-sync') || pruning;
}
