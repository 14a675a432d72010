import type { FieldChange } from '../diff/index.js';
import type { Diagnostic, SourceLocation } from '../manifest/index.js';
import type { Hold } from '../hold/index.js';
import type { ServicePlan } from '../plan/index.js';
import type { ActionResult, ApplyError, Execution } from './execute.js';
import { plannedActions } from './execute.js';

/**
 * - `in-sync`: nothing to do (work deferred to the rollout engine may remain, listed in `deferred`);
 * - `planned`: a dry run found actions to take;
 * - `changed`: actions were applied and the read-back is in sync;
 * - `not-converged`: actions were applied but the read-back still differs (`remaining`);
 * - `failed`: an action failed (`error`); the actions after it were skipped;
 * - `conflict`, `requires-replacement`, `blocked`: the plan refused to act (see `messages`);
 * - `invalid`: the manifest's file has errors, so the service is left untouched.
 */
export type ServiceStatus = 'in-sync' | 'planned' | 'changed' | 'not-converged' | 'failed' | 'conflict' | 'requires-replacement' | 'blocked' | 'invalid';

export interface ServiceResult {
  key: string;
  status: ServiceStatus;
  source?: SourceLocation;
  /** What differed before acting (path[0] is the section: taskDefinition, service, tags, autoscaling, targetGroup). */
  changes: FieldChange[];
  actions: ActionResult[];
  /** Differences left to the rollout engine (Canary/BlueGreen task sets and traffic): not errors. */
  deferred: FieldChange[];
  messages: string[];
  error?: ApplyError;
  /** What still differs after applying (`not-converged`). */
  remaining?: FieldChange[];
  diagnostics?: Diagnostic[];
  /** Rolling/Native: the failed-revision hold the plan found (see src/hold). */
  hold?: Hold;
}

/** Statuses that mean the service is where the manifest wants it (or would be, after a dry run's plan). */
const SETTLED: ReadonlySet<ServiceStatus> = new Set(['in-sync', 'changed', 'planned']);

export function isSettled(result: ServiceResult): boolean {
  return SETTLED.has(result.status);
}

/** A plan with nothing left for the applier: only work deferred to the rollout engine, if any. */
export function isConverged(plan: ServicePlan): boolean {
  return (plan.outcome === 'in-sync' || plan.outcome === 'changes') && plan.actions.length === 0;
}

function fromPlan(plan: ServicePlan, source: SourceLocation | undefined): Omit<ServiceResult, 'status'> {
  return {
    key: plan.key,
    ...(source ? { source } : {}),
    changes: plan.changes,
    actions: plannedActions(plan.actions),
    deferred: plan.deferred,
    messages: plan.messages,
    ...(plan.hold ? { hold: plan.hold } : {}),
  };
}

/** The result before (or instead of) executing: refusals, in-sync services and dry runs. */
export function plannedResult(plan: ServicePlan, source?: SourceLocation): ServiceResult {
  const base = fromPlan(plan, source);
  if (plan.outcome === 'conflict' || plan.outcome === 'requires-replacement' || plan.outcome === 'blocked') {
    return { ...base, status: plan.outcome };
  }
  return { ...base, status: isConverged(plan) ? 'in-sync' : 'planned' };
}

/** The result of executing a plan, given the plan read back afterwards (undefined when the execution failed). */
export function appliedResult(plan: ServicePlan, execution: Execution, readBack: ServicePlan | undefined, source?: SourceLocation): ServiceResult {
  const base = { ...fromPlan(plan, source), actions: execution.actions };
  if (execution.error) return { ...base, status: 'failed', error: execution.error };
  if (readBack && isConverged(readBack)) return { ...base, status: 'changed' };
  return {
    ...base,
    status: 'not-converged',
    remaining: readBack?.changes ?? [],
    messages: [...base.messages, ...(readBack?.messages ?? []), 'not converged: the read-back after applying still differs'],
  };
}

/** A service that could not even be planned: it fails alone. */
export function failedResult(key: string, error: ApplyError, source?: SourceLocation): ServiceResult {
  return { key, status: 'failed', ...(source ? { source } : {}), changes: [], actions: [], deferred: [], messages: [], error };
}

/** A service whose file has errors: reported, never touched. */
export function invalidResult(key: string, diagnostics: Diagnostic[]): ServiceResult {
  const first = diagnostics[0];
  return {
    key,
    status: 'invalid',
    ...(first ? { source: { file: first.file, line: first.line, col: first.col } } : {}),
    changes: [],
    actions: [],
    deferred: [],
    messages: ['its manifest file has errors: left untouched until the file is fixed'],
    diagnostics,
  };
}
