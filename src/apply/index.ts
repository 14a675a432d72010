/** Executes plans against AWS through the shared client layer, and describes what happened. */
export { summarizeCalls, CallRecorder } from './calls.js';
export type { CallSummary, OperationCalls } from './calls.js';
export { sendAction } from './commands.js';
export type { SendResult } from './commands.js';
export { executeActions, plannedActions, toApplyError } from './execute.js';
export type { ActionResult, ActionStatus, ApplyError, Execution } from './execute.js';
export { executePrune } from './prune.js';
export type { PruneExecution } from './prune.js';
export { PruneBudgetSpent, PruneLedgerWriter } from './prune-ledger.js';
export { findRegistered, PendingRegistrations, sameContent } from './registrations.js';
export type { PrunedService, PruneResult } from './prune.js';
export { appliedResult, failedResult, invalidResult, isConverged, isSettled, plannedResult } from './result.js';
export type { ServiceResult, ServiceStatus } from './result.js';
