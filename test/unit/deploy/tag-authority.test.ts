/**
 * Who may write ecs-reconciler:* tags (issue 15, item 4): the shipped policies, evaluated. The controller's records
 * are signed, so a forged one is not obeyed; an operator's request is not signed, so IAM is its authority: only the
 * controller's task role and the operators' role may write these tags, the operators only the request tag.
 */
import { describe, expect, it } from 'vitest';
import { loadTemplate, roleStatements } from './cloudformation.js';
import type { PolicyStatement } from './cloudformation.js';
import { evaluate, managedPolicyStatements, resolve } from './iam-evaluator.js';
import type { IamRequest } from './iam-evaluator.js';

const ACCOUNT = '123456789012';
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const VALUES = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': ACCOUNT,
  'AWS::StackName': 'ecs-reconciler',
  InstanceName: 'ecs-reconciler',
  ManagedClusters: 'prod',
  PassRoleArns: [ROLE('app-*')],
  GuardedRoleNames: ['deployer'],
  'TaskRole.Arn': ROLE('ecs-reconciler-TaskRole'),
  'OperatorsRole.Arn': ROLE('ecs-reconciler-OperatorsRole'),
  'LeaseTable.Arn': `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/leases`,
};

const template = loadTemplate();
const resolved = (statements: PolicyStatement[]) => resolve(statements, VALUES, { HasGuardedRoles: true }) as PolicyStatement[];
const guard = resolved(managedPolicyStatements(template, 'ReservedTagsGuard'));
/** Each principal's identity policies, with the guard attached to all of them (as an SCP would be). */
const principals = {
  controller: { arn: VALUES['TaskRole.Arn'], statements: [...resolved(roleStatements(template, 'TaskRole')), ...guard] },
  operator: { arn: VALUES['OperatorsRole.Arn'], statements: [...resolved(roleStatements(template, 'OperatorsRole')), ...guard] },
  // A deployer or CI role that may do anything in ECS: the guard is what stops it.
  deployer: { arn: ROLE('deployer'), statements: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' } as PolicyStatement, ...guard] },
};

const OWNED = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/web`;
const UNOWNED = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/legacy`;
const OTHER_CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/staging/web`;
const managedBy = (resource: string): Record<string, string> => (resource === UNOWNED ? {} : { 'aws:ResourceTag/ecs-reconciler:managed-by': 'ecs-reconciler' });

function tag(resource: string, tags: Record<string, string>): Omit<IamRequest, 'principalArn'> {
  return {
    action: 'ecs:TagResource',
    resource,
    context: { 'aws:TagKeys': Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), ...managedBy(resource) },
  };
}

function untag(resource: string, keys: string[]): Omit<IamRequest, 'principalArn'> {
  return { action: 'ecs:UntagResource', resource, context: { 'aws:TagKeys': keys, ...managedBy(resource) } };
}

function decide(who: keyof typeof principals, request: Omit<IamRequest, 'principalArn'>) {
  const principal = principals[who];
  return evaluate(principal.statements, { ...request, principalArn: principal.arn });
}

describe('the request tag: operators only, the four verbs, owned services only', () => {
  it.each(['promote:lx3k.1a2b', 'promote-full:x', 'abort:x', 'retry:x'])('lets the operators request %s on an owned service', (value) => {
    expect(decide('operator', tag(OWNED, { 'ecs-reconciler:request': value }))).toBe('allow');
  });

  it('refuses the operators anything else: another verb, another tag key, an unowned service, another cluster', () => {
    expect(decide('operator', tag(OWNED, { 'ecs-reconciler:request': 'launch:x' }))).toBe('implicit-deny');
    expect(decide('operator', tag(OWNED, { 'ecs-reconciler:rollout': 'v=1 h=abc g=promoting' }))).toBe('implicit-deny');
    expect(decide('operator', tag(OWNED, { 'ecs-reconciler:request': 'abort:x', 'ecs-reconciler:managed-by': 'someone' }))).toBe('implicit-deny');
    expect(decide('operator', tag(OWNED, { team: 'payments' }))).toBe('implicit-deny');
    expect(decide('operator', tag(UNOWNED, { 'ecs-reconciler:request': 'abort:x' }))).toBe('implicit-deny');
    expect(decide('operator', tag(OTHER_CLUSTER, { 'ecs-reconciler:request': 'abort:x' }))).toBe('implicit-deny');
    expect(decide('operator', untag(OWNED, ['ecs-reconciler:rollout']))).toBe('implicit-deny');
  });

  it('denies anyone else, even a role allowed ecs:*: the issue forged the rollout tag and released a gate with a request tag', () => {
    expect(decide('deployer', tag(OWNED, { 'ecs-reconciler:rollout': 'v=1 h=abc g=promoting' }))).toBe('explicit-deny');
    expect(decide('deployer', tag(OWNED, { 'ecs-reconciler:request': 'promote:x' }))).toBe('explicit-deny');
    expect(decide('deployer', tag(UNOWNED, { 'ecs-reconciler:managed-by': 'ecs-reconciler' }))).toBe('explicit-deny');
    expect(decide('deployer', tag(OWNED, { team: 'payments', 'ecs-reconciler:analysis:abc-0-s2': 'a1:x:-' }))).toBe('explicit-deny');
    expect(decide('deployer', untag(OWNED, ['ecs-reconciler:rollout']))).toBe('explicit-deny');
    // Tag-on-create is authorized as ecs:TagResource too: a service cannot be born with a forged tag.
    expect(decide('deployer', tag(`arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/new`, { 'ecs-reconciler:managed-by': 'ecs-reconciler' }))).toBe('explicit-deny');
  });

  it('leaves other tags to whatever else the principal is allowed', () => {
    expect(decide('deployer', tag(OWNED, { team: 'payments' }))).toBe('allow');
    expect(decide('deployer', untag(OWNED, ['team']))).toBe('allow');
  });
});

describe('the controller', () => {
  it('writes its own records and removes them, on services it owns', () => {
    expect(decide('controller', tag(OWNED, { 'ecs-reconciler:rollout': 'v=1 h=abc g=progressing k=x' }))).toBe('allow');
    expect(decide('controller', tag(OWNED, { 'ecs-reconciler:analysis:abc-0-s2': 'a1:x:- k=x' }))).toBe('allow');
    expect(decide('controller', untag(OWNED, ['ecs-reconciler:rollout', 'ecs-reconciler:request']))).toBe('allow');
  });

  it('is kept to services it owns, or that it adopts with its managed-by tag', () => {
    expect(decide('controller', tag(UNOWNED, { 'ecs-reconciler:rollout': 'v=1' }))).toBe('implicit-deny');
    expect(decide('controller', tag(UNOWNED, { 'ecs-reconciler:managed-by': 'ecs-reconciler' }))).toBe('allow');
    expect(decide('controller', tag(UNOWNED, { 'ecs-reconciler:managed-by': 'another-instance' }))).toBe('implicit-deny');
  });
});

describe('the evaluator', () => {
  it('refuses a condition operator it does not model, rather than guessing', () => {
    const statement = { Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } } as unknown as PolicyStatement;
    expect(() => evaluate([statement], { principalArn: 'x', ...tag(OWNED, { a: 'b' }) })).toThrow(/DateGreaterThan is not modelled/);
  });

  it('treats a missing key as AWS does: a positive operator fails, ForAllValues holds vacuously, ForAnyValue fails', () => {
    const allow = (condition: Record<string, Record<string, string>>) => [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: condition } as PolicyStatement];
    const bare = { principalArn: 'x', action: 'ecs:TagResource', resource: OWNED, context: {} };
    expect(evaluate(allow({ StringEquals: { 'aws:ResourceTag/a': 'b' } }), bare)).toBe('implicit-deny');
    expect(evaluate(allow({ StringNotEquals: { 'aws:ResourceTag/a': 'b' } }), bare)).toBe('allow');
    expect(evaluate(allow({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'b' } }), bare)).toBe('allow');
    expect(evaluate(allow({ 'ForAnyValue:StringLike': { 'aws:TagKeys': '*' } }), bare)).toBe('implicit-deny');
  });
});
