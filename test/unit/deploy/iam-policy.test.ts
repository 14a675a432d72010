import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparePolicy, describeDifference, findAwsActions, readSources } from './aws-actions.js';
import type { SourceFile } from './aws-actions.js';
import { actionsOf, loadTemplate, roleStatements } from './cloudformation.js';

const root = path.resolve(import.meta.dirname, '../../..');
const template = loadTemplate();
const statements = roleStatements(template, 'TaskRole');
const granted = statements.flatMap(actionsOf);

/**
 * The condition keys each action of the task role evaluates, per the AWS Service Authorization Reference (ECS,
 * Application Auto Scaling, IAM): the action's own keys, and aws:ResourceTag of its resource type (UpdateService
 * gets it from the `service` resource type). A key an action does not evaluate is absent from its request context,
 * so an `ArnLike`/`StringEquals` on it would deny every call: a key not listed here is refused.
 */
const CONDITION_KEYS: Record<string, readonly string[]> = {
  'ecs:ListServices': ['ecs:cluster'],
  'ecs:ListTasks': ['ecs:cluster', 'ecs:container-instance'],
  'ecs:CreateTaskSet': ['ecs:cluster'],
  'ecs:RegisterTaskDefinition': ['aws:RequestTag/'],
  'ecs:CreateService': ['aws:RequestTag/'],
  'ecs:UpdateService': ['aws:ResourceTag/'],
  'ecs:DeleteService': ['aws:ResourceTag/'],
  'ecs:UpdateServicePrimaryTaskSet': ['aws:ResourceTag/'],
  'ecs:TagResource': ['aws:ResourceTag/', 'aws:RequestTag/', 'aws:TagKeys'],
  'ecs:UntagResource': ['aws:ResourceTag/'],
  'iam:PassRole': ['iam:PassedToService'],
  // ELBv2 evaluates the resource's tags on target groups and listener rules (aws:ResourceTag, and its older alias).
  ...Object.fromEntries(['ModifyTargetGroup', 'ModifyTargetGroupAttributes', 'ModifyRule'].map((operation) => [`elasticloadbalancing:${operation}`, ['aws:ResourceTag/', 'elasticloadbalancing:ResourceTag/']])),
  'iam:CreateServiceLinkedRole': ['iam:AWSServiceName'],
  ...Object.fromEntries(
    ['RegisterScalableTarget', 'DeregisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy', 'PutScheduledAction', 'DeleteScheduledAction'].map((operation) => [
      `application-autoscaling:${operation}`,
      ['application-autoscaling:service-namespace', 'application-autoscaling:scalable-dimension'],
    ]),
  ),
};

const file = (name: string, text: string): SourceFile => ({ file: name, text });

describe('the task role grants exactly the AWS actions src/ uses', () => {
  // src/sandbox is the simulated AWS account: it serves these APIs, it does not call them.
  const code = findAwsActions(readSources(root, 'src', ['src/sandbox']));

  it('maps every AWS call in src/ to an IAM action', () => {
    expect(code.problems).toEqual([]);
    expect(code.uses.length).toBeGreaterThan(0);
  });

  it('agrees with the policy in both directions', () => {
    expect(describeDifference(comparePolicy(code.uses, granted), code.uses)).toEqual([]);
  });

  it('finds the calls of every layer: observe, apply, rollout and analysis', () => {
    const actions = new Set(code.uses.map((use) => use.action));
    for (const action of ['ecs:DescribeServices', 'ecs:CreateService', 'elasticloadbalancing:ModifyRule', 'ecs:CreateTaskSet', 'application-autoscaling:PutScalingPolicy', 'cloudwatch:GetMetricData']) {
      expect(actions, action).toContain(action);
    }
  });
});

describe('comparing code and policy', () => {
  const sendsDescribeServices = file('src/observe/ecs.ts', "import { DescribeServicesCommand } from '@aws-sdk/client-ecs';\nawait ecs.send(new DescribeServicesCommand({}));\n");

  it('fails, naming the command and the file, when code starts using an AWS command the policy does not grant', () => {
    const newCall = file(
      'src/controller/leader.ts',
      "import { PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';\nawait ddb.send(new PutItemCommand(input));\n",
    );
    const { uses, problems } = findAwsActions([sendsDescribeServices, newCall]);
    expect(problems).toEqual([]);
    const comparison = comparePolicy(uses, ['ecs:DescribeServices']);
    expect(comparison.missing).toEqual(['dynamodb:PutItem']);
    expect(describeDifference(comparison, uses)).toEqual(['dynamodb:PutItem is used but not granted: src/controller/leader.ts (command)']);
  });

  it('fails when the policy grants an action no code uses, or grants by wildcard', () => {
    const { uses } = findAwsActions([sendsDescribeServices]);
    const comparison = comparePolicy(uses, ['ecs:DescribeServices', 'ecs:ListTasks', 'elasticloadbalancing:Describe*']);
    expect(describeDifference(comparison, uses)).toEqual([
      'ecs:ListTasks is granted but no code uses it',
      'elasticloadbalancing:Describe* is a wildcard: grant the exact actions the code uses',
    ]);
  });

  it('counts planned actions (sent later by an applier) and the actions AWS authorizes along with them', () => {
    const { uses } = findAwsActions([
      file('src/plan/types.ts', "type A = Action<'RegisterScalableTarget', 'autoscaling', X> | ActionOf<'ModifyRule', 'elbv2', Y> | ActionOf<'StartAnalysis', 'analysis', Z>;"),
    ]);
    expect(uses).toEqual([
      { action: 'application-autoscaling:RegisterScalableTarget', file: 'src/plan/types.ts', via: 'planned-action' },
      { action: 'elasticloadbalancing:ModifyRule', file: 'src/plan/types.ts', via: 'planned-action' },
      { action: 'ecs:DescribeServices', file: 'src/plan/types.ts', via: 'implied by application-autoscaling:RegisterScalableTarget' },
      { action: 'ecs:UpdateService', file: 'src/plan/types.ts', via: 'implied by application-autoscaling:RegisterScalableTarget' },
      { action: 'iam:CreateServiceLinkedRole', file: 'src/plan/types.ts', via: 'implied by application-autoscaling:RegisterScalableTarget' },
    ]);
  });

  it('ignores type-only imports and commands imported but never constructed; follows aliases and namespaces', () => {
    const { uses } = findAwsActions([
      file(
        'a.ts',
        [
          "import type { CreateServiceCommandInput } from '@aws-sdk/client-ecs';",
          "import { type UpdateServiceCommand, ListServicesCommand, DescribeTaskSetsCommand as Describe } from '@aws-sdk/client-ecs';",
          "import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';",
          'new Describe({}); new elb.DescribeRulesCommand({});',
        ].join('\n'),
      ),
    ]);
    expect(uses.map((use) => use.action)).toEqual(['ecs:DescribeTaskSets', 'elasticloadbalancing:DescribeRules']);
  });

  it('reports a client package or api it cannot map instead of skipping it', () => {
    const { problems } = findAwsActions([
      file('x.ts', "import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';\nnew GetCallerIdentityCommand({});"),
      file('y.ts', "type B = Action<'SendMessage', 'sqs', Z>;"),
    ]);
    expect(problems).toEqual([
      'x.ts: @aws-sdk/client-sts has no IAM prefix in IAM_PREFIX_BY_PACKAGE',
      "y.ts: planned action SendMessage names api 'sqs', which has no IAM prefix in IAM_PREFIX_BY_API",
    ]);
  });
});

describe('the task role is least privilege', () => {
  it('has only inline, reviewed statements: no managed policies, no NotAction/NotResource, a Sid each', () => {
    expect(template.Resources.TaskRole?.Properties.ManagedPolicyArns).toBeUndefined();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Sid, JSON.stringify(statement)).toMatch(/^\w+$/);
      expect(Object.keys(statement)).toEqual(expect.arrayContaining(['Action', 'Effect', 'Resource']));
      expect(statement).not.toHaveProperty('NotAction');
      expect(statement).not.toHaveProperty('NotResource');
    }
  });

  it('uses only condition keys that the actions of the statement evaluate', () => {
    for (const statement of statements) {
      const keys = Object.values(statement.Condition ?? {}).flatMap((clause) => Object.keys(clause));
      for (const action of actionsOf(statement)) {
        for (const key of keys) {
          expect(CONDITION_KEYS[action]?.some((supported) => (supported.endsWith('/') ? key.startsWith(supported) : key === supported)), `${statement.Sid}: ${action} with ${key}`).toBe(true);
        }
      }
    }
  });

  it('lets ECS writes touch only services carrying this instance managed-by tag, in the managed clusters', () => {
    const managedBy = 'ecs-reconciler:managed-by';
    const statementsOf = (action: string) => statements.filter((statement) => actionsOf(statement).includes(action));
    for (const action of ['ecs:DeleteService', 'ecs:UpdateService', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:UntagResource']) {
      for (const statement of statementsOf(action)) {
        expect(statement.Condition?.StringEquals?.[`aws:ResourceTag/${managedBy}`], `${action} in ${statement.Sid}`).toEqual({ Ref: 'InstanceName' });
      }
    }
    for (const action of ['ecs:CreateService', 'ecs:RegisterTaskDefinition']) {
      for (const statement of statementsOf(action)) expect(statement.Condition?.StringEquals?.[`aws:RequestTag/${managedBy}`]).toEqual({ Ref: 'InstanceName' });
    }
    for (const statement of statementsOf('ecs:TagResource')) {
      // On clusters, which the controller does not own, it may write its prune ledger and nothing else.
      if (JSON.stringify(statement.Resource).includes(':cluster/')) {
        expect(statement.Condition, String(statement.Sid)).toEqual({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['ecs-reconciler:prune-ledger'] } });
        continue;
      }
      const tagConditions = Object.keys(statement.Condition?.StringEquals ?? {});
      expect(tagConditions.some((key) => key.endsWith(`Tag/${managedBy}`)), String(statement.Sid)).toBe(true);
    }
    for (const action of ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:UpdateTaskSet', 'ecs:DeleteTaskSet', 'ecs:TagResource']) {
      for (const statement of statementsOf(action)) expect(JSON.stringify(statement.Resource), `${action} in ${statement.Sid}`).toContain('${ManagedClusters}');
    }
  });

  it('changes only target groups and listener rules tagged with this instance managed-by tag, not every one of the account', () => {
    for (const action of ['elasticloadbalancing:ModifyTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:ModifyRule']) {
      const granting = statements.filter((statement) => actionsOf(statement).includes(action));
      expect(granting.length, action).toBeGreaterThan(0);
      for (const statement of granting) {
        expect(statement.Condition?.StringEquals?.['aws:ResourceTag/ecs-reconciler:managed-by'], `${action} in ${statement.Sid}`).toEqual({ Ref: 'InstanceName' });
      }
    }
  });

  it('passes only the listed roles, and only to ECS tasks', () => {
    const [passRole, ...others] = statements.filter((statement) => actionsOf(statement).includes('iam:PassRole'));
    expect(others).toEqual([]);
    expect(passRole?.Resource).toEqual({ Ref: 'PassRoleArns' });
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });
});
