/**
 * The rollout engine's I/O: observe, measure, step the state machine, act. See docs/rollouts.md "Operating
 * rollouts".
 */
export { reconcileRollout } from './reconcile-rollout.js';
export type { AnalysisRunReport, RolloutEngineContext, RolloutInput, RolloutReport } from './reconcile-rollout.js';
export { executeRolloutActions, sendRolloutAction } from './execute.js';
export type { ActionHooks, RolloutActionResult, RolloutActionStatus, RolloutExecution } from './execute.js';
export { ANALYSIS_TAG_PREFIX, readRuns, refForRun, runTagKey } from './analysis-runs.js';
export type { StoredRun } from './analysis-runs.js';
export { ensureRegistered, REVISIONS_COMPARED } from './task-definition.js';
export { recordRolloutMetrics, rolloutHealth, toRolloutSummary } from './summary.js';
export { isRolloutMessage } from './pass.js';
export { newRequestToken, parseServiceArgument, sendOperatorRequest } from './request.js';
export type { ServiceRef } from './request.js';
export { nativeDeploymentLine, renderRolloutDetail, renderStatusTable, viewJson } from './view.js';
export type { ServiceStatusView } from './view.js';
