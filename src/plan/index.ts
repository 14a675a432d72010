export { planService, registrationInput, revisionHash } from './service.js';
export { planPrune, DEFAULT_MAX_DELETE_SHARE } from './prune.js';
export type { PrunePlan, PruneOptions } from './prune.js';
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
