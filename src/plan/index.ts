export { planService, registrationInput, revisionHash } from './service.js';
export { budgetRemedy, planPrune } from './prune.js';
export type { PruneInput, PrunePlan } from './prune.js';
export {
  DEFAULT_PRUNE_BUDGET,
  deletionsWithin,
  formatLedger,
  formatWindow,
  parseLedger,
  PRUNE_APPROVAL_TAG,
  PRUNE_LEDGER_TAG,
  validateBudget,
  withDeletions,
} from './prune-budget.js';
export type { LedgerEntry, PruneBudget } from './prune-budget.js';
export { observationFor } from './observation.js';
export type { Observation } from './observation.js';
export { referencedTargetGroups, usesTaskSets, desiredTaskDefinition, desiredServiceSettings } from './desired.js';
export {
  ADOPT_ANNOTATION,
  ALLOW_REPLACEMENT_ANNOTATION,
  DEFAULT_INSTANCE,
  MANAGED_BY_TAG,
  REGISTERED_TASK_DEFINITION,
  REVISION_TAG,
  resolveTaskDefinitionRef,
} from './types.js';
export type {
  Action,
  ActionKind,
  PlannedAction,
  PlanOptions,
  PlanOutcome,
  PlanSection,
  ServicePlan,
  TaskDefinitionRef,
  WithTaskDefinitionRef,
} from './types.js';
