import { z } from 'zod';
import { AwsError } from '../core/errors.js';
import type { Handlers, RequestContext, SandboxServiceFactory } from '../core/service.js';
import { autoscalingHandlers } from './handlers.js';
import { AutoscalingState } from './state.js';

export const AUTOSCALING_TARGET_PREFIX = 'AnyScaleFrontendService';

/**
 * The `autoscaling` seed section. Targets, policies and scheduled actions are the API's own request shapes
 * (RegisterScalableTarget, PutScalingPolicy, PutScheduledAction input), so a seed is validated exactly like
 * the calls; `ServiceNamespace` and `ScalableDimension` default to ECS's.
 */
export const autoscalingSeedSchema = z
  .object({
    /** Let target tracking policies on ECS CPU/memory move desiredCount from the simulated utilization. */
    simulateTargetTracking: z.boolean().default(false),
    scalableTargets: z.array(z.record(z.string(), z.unknown())).default([]),
    scalingPolicies: z.array(z.record(z.string(), z.unknown())).default([]),
    scheduledActions: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

const ECS_DEFAULTS = { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount' };

export function applyAutoscalingSeed(state: AutoscalingState, handlers: Handlers, section: unknown, ctx: RequestContext): void {
  const parsed = autoscalingSeedSchema.safeParse(section);
  if (!parsed.success) throw new Error(`seed autoscaling: ${z.prettifyError(parsed.error)}`);
  state.simulateTargetTracking = parsed.data.simulateTargetTracking;
  const steps: Array<[string, string, Array<Record<string, unknown>>]> = [
    ['scalableTargets', 'RegisterScalableTarget', parsed.data.scalableTargets],
    ['scalingPolicies', 'PutScalingPolicy', parsed.data.scalingPolicies],
    ['scheduledActions', 'PutScheduledAction', parsed.data.scheduledActions],
  ];
  for (const [key, operation, items] of steps) {
    items.forEach((item, i) => {
      try {
        handlers[operation]!({ ...ECS_DEFAULTS, ...item }, { ...ctx, operation });
      } catch (error) {
        if (error instanceof AwsError) throw new Error(`seed autoscaling.${key}[${i}]: ${error.code}: ${error.message}`);
        throw error;
      }
    });
  }
}

/** Application Auto Scaling over awsJson1_1, for ECS services. */
export const autoscalingService: SandboxServiceFactory = (ctx) => {
  const state = new AutoscalingState({ region: ctx.region, accountId: ctx.accountId, clock: ctx.clock, ecs: () => ctx.views.ecs });
  const handlers = autoscalingHandlers(state, (createdAt) => !ctx.hiddenByConsistency(createdAt));
  ctx.api.registerJsonService({ name: 'autoscaling', targetPrefix: AUTOSCALING_TARGET_PREFIX, handlers });
  return {
    name: 'autoscaling',
    tick: (now) => state.tick(now),
    applySeed: (section) =>
      applyAutoscalingSeed(state, handlers, section, { requestId: 'seed', service: 'autoscaling', operation: 'seed', now: ctx.clock.now(), region: ctx.region, accountId: ctx.accountId }),
    state: () => state.snapshot(),
  };
};
