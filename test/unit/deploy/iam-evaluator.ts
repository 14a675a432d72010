/**
 * A small IAM policy evaluator for the statements the template ships: explicit Deny wins, then any Allow, else an
 * implicit deny. It knows the condition operators the template uses (String*, Arn*, Null, ForAnyValue:/ForAllValues:)
 * and fails loudly on any other, so a policy change cannot slip past it untested. It is a model of AWS's documented
 * evaluation logic for identity policies, not a replacement for the IAM policy simulator.
 */
import type { PolicyStatement, Template } from './cloudformation.js';

export interface IamRequest {
  principalArn: string;
  action: string;
  resource: string;
  /** Condition keys of the request context: aws:TagKeys, aws:RequestTag/K, aws:ResourceTag/K... */
  context: Record<string, string | string[]>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Resolves Ref, Fn::Sub, Fn::GetAtt (Arn) and Fn::If against fixed values, to plain JSON. */
export function resolve(node: unknown, values: Record<string, unknown>, conditions: Record<string, boolean> = {}): unknown {
  if (Array.isArray(node)) return node.map((item) => resolve(item, values, conditions)).filter((item) => item !== NO_VALUE);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node);
  const [key, value] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref') return value === 'AWS::NoValue' ? NO_VALUE : lookup(values, String(value));
  if (entries.length === 1 && key === 'Fn::GetAtt') return lookup(values, (value as string[]).join('.'));
  if (entries.length === 1 && key === 'Fn::Sub') return String(value).replace(/\$\{([^}]+)\}/g, (_, name: string) => String(lookup(values, name)));
  if (entries.length === 1 && key === 'Fn::If') {
    const [condition, then, otherwise] = value as [string, unknown, unknown];
    if (!(condition in conditions)) throw new Error(`condition ${condition} has no value in the test`);
    return resolve(conditions[condition] ? then : otherwise, values, conditions);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, values, conditions)] as const).filter(([, v]) => v !== NO_VALUE));
}

const NO_VALUE = Symbol('AWS::NoValue');

function lookup(values: Record<string, unknown>, name: string): unknown {
  if (!(name in values)) throw new Error(`${name} has no value in the test`);
  return values[name];
}

/** IAM's wildcard match: `*` any run of characters, `?` one; case-sensitive (actions are matched case-insensitively). */
function like(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

const OPERATORS: Record<string, (actual: string, expected: string) => boolean> = {
  StringEquals: (a, e) => a === e,
  StringNotEquals: (a, e) => a !== e,
  StringLike: (a, e) => like(e, a),
  StringNotLike: (a, e) => !like(e, a),
  ArnEquals: (a, e) => like(e, a),
  ArnLike: (a, e) => like(e, a),
  ArnNotEquals: (a, e) => !like(e, a),
  ArnNotLike: (a, e) => !like(e, a),
};

/** One condition operator over one key: AWS's rules for missing keys, negated operators and the set qualifiers. */
function conditionHolds(operator: string, key: string, expected: string[], context: IamRequest['context']): boolean {
  const actual = context[key];
  if (operator === 'Null') return (actual === undefined) === (expected[0] === 'true');
  const [qualifier, base] = operator.includes(':') ? (operator.split(':') as [string, string]) : [undefined, operator];
  const test = OPERATORS[base];
  if (!test) throw new Error(`condition operator ${operator} is not modelled`);
  const negated = base.includes('Not');
  // A negated operator holds for every expected value; a positive one for any of them.
  const matches = (value: string) => (negated ? expected.every((e) => test(value, e)) : expected.some((e) => test(value, e)));
  if (qualifier === 'ForAllValues') return list(actual ?? []).every(matches);
  if (qualifier === 'ForAnyValue') return actual !== undefined && list(actual).some(matches);
  if (qualifier !== undefined) throw new Error(`condition qualifier ${qualifier} is not modelled`);
  if (actual === undefined) return negated;
  return list(actual).some(matches);
}

function applies(statement: PolicyStatement, request: IamRequest): boolean {
  const actions = list(statement.Action);
  if (!actions.some((action) => like(action, request.action, true))) return false;
  if (!list(statement.Resource).some((resource) => like(resource, request.resource))) return false;
  for (const [operator, clause] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(clause)) {
      if (!conditionHolds(operator, key, list(expected), request.context)) return false;
    }
  }
  return true;
}

/** The decision of a principal's identity policies (already resolved) on one request. */
export function evaluate(statements: readonly PolicyStatement[], request: IamRequest): Decision {
  const withPrincipal = { ...request, context: { 'aws:PrincipalArn': request.principalArn, ...request.context } };
  const matching = statements.filter((statement) => applies(statement, withPrincipal));
  if (matching.some((statement) => statement.Effect === 'Deny')) return 'explicit-deny';
  return matching.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'implicit-deny';
}

/** The statements of a managed policy resource. */
export function managedPolicyStatements(template: Template, logicalId: string): PolicyStatement[] {
  const policy = template.Resources[logicalId];
  if (policy?.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${logicalId} is not an AWS::IAM::ManagedPolicy`);
  return (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement;
}
