import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElasticLoadBalancingV2Client, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { chunk, unique } from './batch.js';
import { asJsonObject } from './types.js';
import type { ObservedRule, ObservedTargetGroup, ObservedTargetHealth } from './types.js';

/**
 * DescribeTargetGroups refuses more than 20 names or ARNs (ValidationError "You cannot describe more than '20'
 * target groups at a time", which the sandbox reproduces); DescribeRules documents no maximum, and 20 keeps it
 * well inside any URL-length limit of the awsQuery protocol.
 */
export const ELBV2_BATCH = 20;

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** Describes target groups given by name or ARN; names and ARNs cannot be mixed in one call. */
export async function describeTargetGroups(elbv2: ElasticLoadBalancingV2Client, refs: readonly string[]): Promise<ObservedTargetGroup[]> {
  const wanted = unique(refs);
  const arns = wanted.filter(isArn);
  const names = wanted.filter((ref) => !isArn(ref));
  const batches = [
    ...chunk(arns, ELBV2_BATCH).map((batch) => ({ TargetGroupArns: batch })),
    ...chunk(names, ELBV2_BATCH).map((batch) => ({ Names: batch })),
  ];
  const pages = await Promise.all(batches.map((input) => describeTargetGroupBatch(elbv2, input)));
  return pages.flat();
}

async function describeTargetGroupBatch(
  elbv2: ElasticLoadBalancingV2Client,
  input: { TargetGroupArns?: string[]; Names?: string[] },
): Promise<ObservedTargetGroup[]> {
  try {
    const out = await elbv2.send(new DescribeTargetGroupsCommand(input));
    return (out.TargetGroups ?? []).map(toObservedTargetGroup);
  } catch (error) {
    // One unknown group fails the whole batch; a missing group is information the plan needs, not a failure.
    if ((error as { name?: string }).name === 'TargetGroupNotFoundException') {
      const refs = input.TargetGroupArns ?? input.Names ?? [];
      if (refs.length === 1) return [];
      const singles = await Promise.all(
        refs.map((ref) => describeTargetGroupBatch(elbv2, input.TargetGroupArns ? { TargetGroupArns: [ref] } : { Names: [ref] })),
      );
      return singles.flat();
    }
    throw error;
  }
}

function toObservedTargetGroup(group: TargetGroup): ObservedTargetGroup {
  const { TargetGroupArn, TargetGroupName, ...settings } = group;
  return { arn: TargetGroupArn ?? '', name: TargetGroupName ?? '', settings: asJsonObject(settings) };
}

export async function describeTargetGroupAttributes(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<Record<string, string>> {
  const out = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  const attributes: Record<string, string> = {};
  for (const attribute of out.Attributes ?? []) if (attribute.Key) attributes[attribute.Key] = attribute.Value ?? '';
  return attributes;
}

export async function describeRules(elbv2: ElasticLoadBalancingV2Client, ruleArns: readonly string[]): Promise<ObservedRule[]> {
  const pages = await Promise.all(
    chunk(unique(ruleArns), ELBV2_BATCH).map(async (batch) => (await elbv2.send(new DescribeRulesCommand({ RuleArns: batch }))).Rules ?? []),
  );
  return pages.flat().map(toObservedRule);
}

function toObservedRule(rule: Rule): ObservedRule {
  const actions = rule.Actions ?? [];
  const forwardAction = actions.find((action) => action.Type === 'forward');
  const groups = forwardAction?.ForwardConfig?.TargetGroups;
  const forward = groups
    ? groups.map((group) => ({ targetGroupArn: group.TargetGroupArn ?? '', weight: group.Weight ?? 1 }))
    : forwardAction?.TargetGroupArn
      ? [{ targetGroupArn: forwardAction.TargetGroupArn, weight: 1 }]
      : [];
  return { arn: rule.RuleArn ?? '', priority: rule.Priority ?? '', isDefault: rule.IsDefault ?? false, forward, actions: actions.map(asJsonObject) };
}

export async function describeTargetHealth(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<ObservedTargetHealth[]> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? []).map((description) => ({
    id: description.Target?.Id ?? '',
    ...(description.Target?.Port !== undefined ? { port: description.Target.Port } : {}),
    state: description.TargetHealth?.State ?? 'unavailable',
    ...(description.TargetHealth?.Reason ? { reason: description.TargetHealth.Reason } : {}),
  }));
}
