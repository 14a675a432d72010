import { z } from 'zod';
import { AwsError } from '../core/errors.js';
import type { Handlers, RequestContext, SandboxServiceFactory } from '../core/service.js';
import { trafficOf } from '../elbv2/state.js';
import { cloudwatchHandlers } from './handlers.js';
import { CloudWatchState } from './state.js';

export const CLOUDWATCH_JSON_TARGET_PREFIX = 'GraniteServiceVersion20100801';
export const CLOUDWATCH_VERSION = '2010-08-01';
export const CLOUDWATCH_XML_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';

/** The `cloudwatch` seed section. Alarms are PutMetricAlarm requests, validated like the call. */
export const cloudwatchSeedSchema = z
  .object({
    /** How many minutes of metrics to keep. */
    retentionMinutes: z.number().int().min(60).max(7 * 24 * 60).optional(),
    /** ECS services whose AWS/ECS metrics are recorded from the start (others start when first queried). */
    ecsServices: z.array(z.object({ cluster: z.string().min(1), service: z.string().min(1) }).strict()).default([]),
    alarms: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

export function applyCloudWatchSeed(state: CloudWatchState, handlers: Handlers, section: unknown, ctx: RequestContext): void {
  const parsed = cloudwatchSeedSchema.safeParse(section);
  if (!parsed.success) throw new Error(`seed cloudwatch: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.retentionMinutes !== undefined) state.store.retentionMinutes = parsed.data.retentionMinutes;
  for (const { cluster, service } of parsed.data.ecsServices) state.watchService(cluster, service);
  parsed.data.alarms.forEach((alarm, i) => {
    try {
      handlers.PutMetricAlarm!(alarm, { ...ctx, operation: 'PutMetricAlarm' });
    } catch (error) {
      if (error instanceof AwsError) throw new Error(`seed cloudwatch.alarms[${i}]: ${error.code}: ${error.message}`);
      throw error;
    }
  });
}

/**
 * CloudWatch metrics and alarms, over awsJson1_0 (the SDK) and awsQuery (the AWS CLI v2.9). Like AWS, it stamps
 * datapoints and alarm states in real time, even when the simulated world runs faster than the wall clock.
 */
export const cloudwatchService: SandboxServiceFactory = (ctx) => {
  const state = new CloudWatchState({
    region: ctx.region,
    accountId: ctx.accountId,
    clock: ctx.realClock,
    ecs: () => ctx.views.ecs,
    targetGroupTraffic: () => trafficOf(ctx.views.elbv2),
  });
  const handlers = cloudwatchHandlers(state);
  ctx.views.cloudwatch = { alarmState: (name) => state.alarms.get(name)?.state };
  ctx.api.registerJsonService({ name: 'cloudwatch', targetPrefix: CLOUDWATCH_JSON_TARGET_PREFIX, handlers });
  ctx.api.registerQueryService({ name: 'cloudwatch', signingName: 'monitoring', version: CLOUDWATCH_VERSION, xmlNamespace: CLOUDWATCH_XML_NAMESPACE, handlers });
  return {
    name: 'cloudwatch',
    tick: () => state.tick(ctx.realClock.now()),
    applySeed: (section) =>
      applyCloudWatchSeed(state, handlers, section, { requestId: 'seed', service: 'cloudwatch', operation: 'seed', now: ctx.realClock.now(), region: ctx.region, accountId: ctx.accountId }),
    state: () => state.snapshot(),
  };
};
