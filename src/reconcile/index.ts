/** One reconcile pass: load the desired state, observe, plan, apply, read back, prune; and its report. */
export { reconcileAll, reconcileService } from './reconcile.js';
export type { DesiredStateSource, ReconcileContext, ReconcileOptions } from './reconcile.js';
export { countByStatus, hasDifferences, hasFailures, manifestErrors } from './report.js';
export type { ReconcileReport } from './report.js';
