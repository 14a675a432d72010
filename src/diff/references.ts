/**
 * Names and ARNs for the same resource compare equal once both are ARNs. The context says which account and
 * partition a bare name belongs to, and which ARN a target group name resolves to (from observe).
 */
export interface NormalizeContext {
  partition?: string;
  accountId?: string;
  targetGroupArnsByName?: Record<string, string>;
}

/** `role-name` -> `arn:<partition>:iam::<account>:role/role-name` when the account is known; ARNs stay as they are. */
export function normalizeRoleArn(value: unknown, context: NormalizeContext): unknown {
  if (typeof value !== 'string' || value === '' || value.startsWith('arn:') || !context.accountId) return value;
  return `arn:${context.partition ?? 'aws'}:iam::${context.accountId}:role/${value}`;
}

/** A target group name -> its ARN when observe resolved it; ARNs and unknown names stay as they are. */
export function resolveTargetGroupArn(value: string, context: NormalizeContext): string {
  if (value.startsWith('arn:')) return value;
  return context.targetGroupArnsByName?.[value] ?? value;
}

/** Partition and account from any ARN (`arn:aws:ecs:us-east-1:123456789012:...`). */
export function contextFromArn(arn: string | undefined): Pick<NormalizeContext, 'partition' | 'accountId'> {
  const parts = (arn ?? '').split(':');
  if (parts[0] !== 'arn' || parts.length < 6 || !parts[1] || !parts[4]) return {};
  return { partition: parts[1], accountId: parts[4] };
}
