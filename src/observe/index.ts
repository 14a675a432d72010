export { observeServices, observeClusters, managedServices } from './observe.js';
export type { ObserveContext, ObserveExtras } from './observe.js';
export { TaskDefinitionCache } from './cache.js';
export { DESCRIBE_SERVICES_BATCH, LIST_SERVICES_PAGE } from './ecs.js';
export { ELBV2_BATCH } from './elbv2.js';
export { SCALABLE_TARGETS_BATCH, SCALING_POLICIES_PAGE, SCHEDULED_ACTIONS_PAGE } from './autoscaling.js';
export { emptyObservedState, MANAGED_BY_TAG, serviceKey, parseServiceKey, clusterName, scalableResourceId } from './types.js';
export type {
  JsonObject,
  ObservedDeployment,
  ObservedRule,
  ObservedScalableTarget,
  ObservedScalingPolicy,
  ObservedScheduledAction,
  ObservedService,
  ObservedState,
  ObservedTargetGroup,
  ObservedTargetHealth,
  ObservedTaskDefinition,
  ObservedTaskSet,
  ServiceKey,
} from './types.js';
