/**
 * The args the rollout engine gives every analysis run it starts (`rolloutArgs` in src/rollout/analysis), so a
 * template that declares one of them needs no value from the reference. Listed here, at the bottom of the
 * dependency graph, so validation and the engine share one list.
 */
export const ROLLOUT_ARG_NAMES = ['cluster', 'service', 'stableTargetGroup', 'canaryTargetGroup', 'loadBalancer'] as const;

export type RolloutArgName = (typeof ROLLOUT_ARG_NAMES)[number];
