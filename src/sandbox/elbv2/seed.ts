import { z } from 'zod';
import { AwsError } from '../core/errors.js';
import { parseActions, parseConditions, validationError } from './actions.js';
import { ParamReader } from './params.js';
import type { Elbv2State } from './state.js';

const tagsSchema = z.record(z.string(), z.string());
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Weights and the number of groups are checked by the API's own validation (parseActions). */
const forwardSchema = z.array(z.object({ targetGroup: z.string().min(1), weight: z.number().int().default(1) }).strict()).min(1);

/** A forward (by target group name or ARN) or a fixed response: the two actions a seeded setup needs. */
const actionFields = {
  forward: forwardSchema.optional(),
  stickiness: z.object({ enabled: z.boolean(), durationSeconds: z.number().int().min(1).max(604800).optional() }).strict().optional(),
  fixedResponse: z.object({ statusCode: z.union([z.string(), z.number()]).transform(String), contentType: z.string().optional(), messageBody: z.string().optional() }).strict().optional(),
  /** Simulated requests per second this listener's default action (or this rule) receives. */
  requestsPerSecond: z.number().nonnegative().optional(),
  tags: tagsSchema.optional(),
};

const ruleSchema = z
  .object({
    arn: z.string().optional(),
    priority: z.number().int().min(1).max(50000),
    conditions: z.array(z.object({ field: z.string(), values: z.array(z.string()).min(1) }).strict()).min(1),
    ...actionFields,
  })
  .strict();

const listenerSchema = z
  .object({
    arn: z.string().optional(),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP']).optional(),
    rules: z.array(ruleSchema).default([]),
    ...actionFields,
  })
  .strict();

const loadBalancerSchema = z
  .object({
    name: z.string(),
    arn: z.string().optional(),
    type: z.enum(['application', 'network']).default('application'),
    scheme: z.enum(['internet-facing', 'internal']).optional(),
    subnets: z.array(z.string()).optional(),
    securityGroups: z.array(z.string()).optional(),
    tags: tagsSchema.optional(),
    listeners: z.array(listenerSchema).default([]),
  })
  .strict();

const targetGroupSchema = z
  .object({
    name: z.string(),
    arn: z.string().optional(),
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP']).default('HTTP'),
    port: z.number().int().min(1).max(65535).optional(),
    targetType: z.enum(['ip', 'instance', 'lambda', 'alb']).default('ip'),
    vpcId: z.string().optional(),
    healthCheck: z
      .object({
        enabled: z.boolean().optional(),
        protocol: z.string().optional(),
        port: z.union([z.literal('traffic-port'), z.number().int().min(1).max(65535).transform(String)]).optional(),
        path: z.string().optional(),
        intervalSeconds: z.number().int().optional(),
        timeoutSeconds: z.number().int().optional(),
        healthyThresholdCount: z.number().int().optional(),
        unhealthyThresholdCount: z.number().int().optional(),
        matcher: z.union([z.string(), z.number()]).transform(String).optional(),
      })
      .strict()
      .optional(),
    /** Target group attributes by AWS key: `deregistration_delay.timeout_seconds: 30`. */
    attributes: z.record(z.string(), scalar).optional(),
    tags: tagsSchema.optional(),
    targets: z.array(z.object({ id: z.string(), port: z.number().int().min(1).max(65535).optional() }).strict()).optional(),
  })
  .strict();

export const elbv2SeedSchema = z
  .object({
    targetGroups: z.array(targetGroupSchema).default([]),
    loadBalancers: z.array(loadBalancerSchema).default([]),
  })
  .strict();

export type Elbv2Seed = z.input<typeof elbv2SeedSchema>;

type ActionFields = z.output<typeof listenerSchema>;

/** The seed's compact action as the AWS-shaped input `parseActions` validates, so seeds obey the API's rules. */
function actionInput(fields: Pick<ActionFields, 'forward' | 'stickiness' | 'fixedResponse'>, state: Elbv2State, where: string): ParamReader[] {
  if ((fields.forward === undefined) === (fields.fixedResponse === undefined)) throw new Error(`${where}: give exactly one of forward or fixedResponse`);
  const raw = fields.forward
    ? {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: fields.forward.map(({ targetGroup, weight }) => {
            const arn = state.targetGroupArn(targetGroup);
            if (arn === undefined) throw new Error(`${where}: target group '${targetGroup}' is not defined in elbv2.targetGroups`);
            return { TargetGroupArn: arn, Weight: weight };
          }),
          ...(fields.stickiness ? { TargetGroupStickinessConfig: { Enabled: fields.stickiness.enabled, DurationSeconds: fields.stickiness.durationSeconds } } : {}),
        },
      }
    : {
        Type: 'fixed-response',
        FixedResponseConfig: {
          StatusCode: fields.fixedResponse!.statusCode,
          ...(fields.fixedResponse!.contentType ? { ContentType: fields.fixedResponse!.contentType } : {}),
          ...(fields.fixedResponse!.messageBody ? { MessageBody: fields.fixedResponse!.messageBody } : {}),
        },
      };
  return [ParamReader.of(raw, validationError)];
}

const tagMap = (tags: Record<string, string> | undefined): Map<string, string> => new Map(Object.entries(tags ?? {}));

function withPath<T>(where: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof AwsError) throw new Error(`${where}: ${error.code}: ${error.message}`);
    throw error;
  }
}

/** Creates the seeded target groups first, then load balancers, listeners and rules that forward to them. */
export function applyElbv2Seed(state: Elbv2State, section: unknown): void {
  const parsed = elbv2SeedSchema.safeParse(section);
  if (!parsed.success) throw new Error(`seed elbv2: ${z.prettifyError(parsed.error)}`);
  const seed = parsed.data;
  seed.targetGroups.forEach((tg, i) => {
    const where = `seed elbv2.targetGroups[${i}] (${tg.name})`;
    withPath(where, () => {
      const hc = tg.healthCheck ?? {};
      const group = state.createTargetGroup({
        name: tg.name,
        arn: tg.arn,
        protocol: tg.protocol,
        port: tg.port,
        targetType: tg.targetType,
        vpcId: tg.vpcId,
        healthCheck: Object.fromEntries(
          Object.entries({
            enabled: hc.enabled,
            protocol: hc.protocol,
            port: hc.port,
            path: hc.path,
            intervalSeconds: hc.intervalSeconds,
            timeoutSeconds: hc.timeoutSeconds,
            healthyThreshold: hc.healthyThresholdCount,
            unhealthyThreshold: hc.unhealthyThresholdCount,
            matcher: hc.matcher,
          }).filter(([, value]) => value !== undefined),
        ),
      });
      state.modifyTargetGroupAttributes(group.arn, new Map(Object.entries(tg.attributes ?? {})));
      if (tg.tags) state.addTags([group.arn], tagMap(tg.tags));
      if (tg.targets?.length) state.registerTargets(group.arn, tg.targets);
    });
  });
  seed.loadBalancers.forEach((lbSeed, i) => {
    const lbWhere = `seed elbv2.loadBalancers[${i}] (${lbSeed.name})`;
    const lb = withPath(lbWhere, () =>
      state.createLoadBalancer({
        name: lbSeed.name,
        arn: lbSeed.arn,
        kind: lbSeed.type === 'network' ? 'net' : 'app',
        scheme: lbSeed.scheme,
        subnets: lbSeed.subnets,
        securityGroups: lbSeed.securityGroups,
      }),
    );
    if (lbSeed.tags) state.addTags([lb.arn], tagMap(lbSeed.tags));
    lbSeed.listeners.forEach((listenerSeed, j) => {
      const where = `${lbWhere}.listeners[${j}] (port ${listenerSeed.port})`;
      withPath(where, () => {
        const listener = state.createListener({
          loadBalancerArn: lb.arn,
          arn: listenerSeed.arn,
          port: listenerSeed.port,
          protocol: listenerSeed.protocol,
          defaultActions: parseActions(actionInput(listenerSeed, state, where), state.actionScope(lb.arn), 'DefaultActions'),
          requestsPerSecond: listenerSeed.requestsPerSecond,
        });
        if (listenerSeed.tags) state.addTags([listener.arn], tagMap(listenerSeed.tags));
        listenerSeed.rules.forEach((ruleSeed, k) => {
          const ruleWhere = `${where}.rules[${k}] (priority ${ruleSeed.priority})`;
          withPath(ruleWhere, () => {
            const rule = state.createRule({
              listenerArn: listener.arn,
              arn: ruleSeed.arn,
              priority: ruleSeed.priority,
              conditions: parseConditions(ruleSeed.conditions.map((c) => ParamReader.of({ Field: c.field, Values: c.values }, validationError))),
              actions: parseActions(actionInput(ruleSeed, state, ruleWhere), state.actionScope(lb.arn)),
              requestsPerSecond: ruleSeed.requestsPerSecond ?? listenerSeed.requestsPerSecond,
            });
            if (ruleSeed.tags) state.addTags([rule.arn], tagMap(ruleSeed.tags));
          });
        });
      });
    });
  });
}
