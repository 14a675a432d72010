/**
 * One script of the calls the controller makes, and their error cases, run in order against any AWS-compatible
 * endpoint. Each step returns a projection: the fields AWS documents and the controller depends on, with ARNs and
 * generated ids reduced to what is comparable across simulators. `conformance.test.ts` runs it against the sandbox
 * and against moto and compares.
 */
import { ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTaskSetsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
} from '@aws-sdk/client-ecs';
import type { RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';

export interface ScriptClients {
  ecs: ECSClient;
  elbv2: ElasticLoadBalancingV2Client;
  autoscaling: ApplicationAutoScalingClient;
  cloudwatch: CloudWatchClient;
}

/** Plain SDK clients with one attempt per call: a retry would hide the error a step is about. */
export function scriptClients(endpoint: string): ScriptClients {
  const config = { endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return { ecs: new ECSClient(config), elbv2: new ElasticLoadBalancingV2Client(config), autoscaling: new ApplicationAutoScalingClient(config), cloudwatch: new CloudWatchClient(config) };
}

/** The network a target's load balancers and target groups live in: moto checks that they exist, the sandbox does not. */
export interface Network {
  vpcId: string;
  subnets: [string, string];
  securityGroup: string;
}

/** A step's result: its projection, or the AWS error code it failed with. */
export type Outcome = { ok: unknown } | { error: string };

/** What steps share within one run: the ARNs and ids created by earlier steps. */
interface RunState {
  network: Network;
  arns: Map<string, string>;
}

export interface Step {
  name: string;
  run(clients: ScriptClients, state: RunState): Promise<unknown>;
  /**
   * What AWS answers, for steps where moto is known to differ (the allow-list in conformance.test.ts): the sandbox
   * is then held to this instead of to moto.
   */
  aws?: Outcome;
}

const CLUSTER = 'conformance';

function taskDefinition(family: string, image: string): RegisterTaskDefinitionCommandInput {
  return {
    family,
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    // Container-level memory too: moto's task placement needs it (AWS accepts either level).
    containerDefinitions: [{ name: 'app', image, memory: 512, portMappings: [{ containerPort: 8080 }] }],
  };
}

const afterSlash = (arn: string | undefined) => arn?.slice(arn.lastIndexOf('/') + 1);
const sortedTags = (tags: { key?: string; value?: string }[] | undefined) =>
  [...(tags ?? [])].map(({ key, value }) => ({ key, value })).sort((a, b) => String(a.key).localeCompare(String(b.key)));

/** An earlier step that should have created a resource failed: this step's outcome says so instead of crashing. */
class MissingPrerequisite extends Error {}

function arnOf(state: RunState, name: string): string {
  const arn = state.arns.get(name);
  if (!arn) throw new MissingPrerequisite(`missing prerequisite ${name}`);
  return arn;
}

function serviceView(service: Service | undefined) {
  return {
    serviceName: service?.serviceName,
    status: service?.status,
    desiredCount: service?.desiredCount,
    launchType: service?.launchType,
    schedulingStrategy: service?.schedulingStrategy,
    deploymentController: service?.deploymentController?.type,
    taskDefinition: afterSlash(service?.taskDefinition),
  };
}

async function describeService(clients: ScriptClients, name: string) {
  const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name], include: ['TAGS'] }));
  return services?.[0];
}

const awsvpc = (state: RunState) => ({ awsvpcConfiguration: { subnets: [...state.network.subnets], securityGroups: [state.network.securityGroup] } });

function weightedForward(state: RunState, weights: [number, number]): Action[] {
  return [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: arnOf(state, 'tg-blue'), Weight: weights[0] },
          { TargetGroupArn: arnOf(state, 'tg-green'), Weight: weights[1] },
        ],
      },
    },
  ];
}

async function ruleWeights(clients: ScriptClients, state: RunState) {
  const { Rules } = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [arnOf(state, 'rule')] }));
  const groups = Rules?.[0]?.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
  return groups.map((group) => ({ group: group.TargetGroupArn === arnOf(state, 'tg-blue') ? 'blue' : 'green', weight: group.Weight }));
}

const resourceId = `service/${CLUSTER}/web`;
const scalable = { ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount' } as const;

export const SCRIPT: Step[] = [
  // ECS: clusters and task definitions
  {
    name: 'ecs DescribeServices in a cluster that does not exist',
    run: (c) => c.ecs.send(new DescribeServicesCommand({ cluster: 'no-such-cluster', services: ['web'] })),
  },
  {
    name: 'ecs CreateCluster',
    run: async (c) => {
      const { cluster } = await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      return { clusterName: cluster?.clusterName, status: cluster?.status };
    },
  },
  {
    name: 'ecs RegisterTaskDefinition, first revision',
    run: async (c) => {
      const { taskDefinition: registered } = await c.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:1')));
      return {
        family: registered?.family,
        revision: registered?.revision,
        status: registered?.status,
        cpu: registered?.cpu,
        memory: registered?.memory,
        networkMode: registered?.networkMode,
        requiresCompatibilities: registered?.requiresCompatibilities,
        containers: registered?.containerDefinitions?.map(({ name, image }) => ({ name, image })),
      };
    },
  },
  {
    name: 'ecs RegisterTaskDefinition, second revision of the same family',
    run: async (c) => {
      const { taskDefinition: registered } = await c.ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('web', 'web:2')));
      return { family: registered?.family, revision: registered?.revision };
    },
  },
  {
    name: 'ecs DescribeTaskDefinition of a revision that does not exist',
    run: (c) => c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:99' })),
  },
  {
    name: 'ecs DescribeTaskDefinition by family returns the newest revision',
    run: async (c) => {
      const { taskDefinition: described } = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
      return { revision: described?.revision, image: described?.containerDefinitions?.[0]?.image };
    },
  },
  {
    name: 'ecs ListTaskDefinitions by family, newest first',
    run: async (c) => {
      const { taskDefinitionArns } = await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }));
      return taskDefinitionArns?.map(afterSlash);
    },
    aws: { ok: ['web:2', 'web:1'] },
  },
  // ECS: services
  {
    name: 'ecs CreateService in a cluster that does not exist',
    run: (c, state) => c.ecs.send(new CreateServiceCommand({ cluster: 'no-such-cluster', serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: awsvpc(state) })),
  },
  {
    name: 'ecs CreateService with a task definition that does not exist',
    run: (c, state) => c.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'ghost', taskDefinition: 'ghost:7', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: awsvpc(state) })),
  },
  {
    name: 'ecs CreateService, rolling, with tags',
    run: async (c, state) => {
      const { service } = await c.ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: 'web',
          taskDefinition: 'web:1',
          desiredCount: 2,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc(state),
          tags: [{ key: 'ecs-reconciler:managed-by', value: 'ecs-reconciler' }],
        }),
      );
      return serviceView(service);
    },
  },
  {
    // A service of its own: moto overwrites on a repeated create, which would leak into the steps that use `web`.
    name: 'ecs CreateService again with the same name and different settings',
    run: async (c, state) => {
      const create = (desiredCount: number) =>
        c.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'twice', taskDefinition: 'web:1', desiredCount, launchType: 'FARGATE', networkConfiguration: awsvpc(state) }));
      await create(0);
      return create(5);
    },
    aws: { error: 'InvalidParameterException' },
  },
  {
    name: 'ecs DescribeServices with TAGS, one found and one missing',
    run: async (c) => {
      const { services, failures } = await c.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['web', 'missing'], include: ['TAGS'] }));
      return {
        services: services?.map((service) => ({ ...serviceView(service), tags: sortedTags(service.tags) })),
        failures: failures?.map(({ arn, reason }) => ({ service: afterSlash(arn), reason })),
      };
    },
  },
  {
    name: 'ecs UpdateService desired count and task definition',
    run: async (c) => {
      const { service } = await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 3, taskDefinition: 'web:2' }));
      return serviceView(service);
    },
  },
  {
    name: 'ecs UpdateService of a service that does not exist',
    run: (c) => c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'missing', desiredCount: 1 })),
  },
  {
    name: 'ecs TagResource then UntagResource on a service',
    run: async (c) => {
      const arn = (await describeService(c, 'web'))?.serviceArn;
      await c.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'ecs-reconciler:revision', value: 'abc123' }, { key: 'team', value: 'web' }] }));
      await c.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      return sortedTags((await describeService(c, 'web'))?.tags);
    },
  },
  {
    name: 'ecs ListServices',
    run: async (c) => {
      const { serviceArns } = await c.ecs.send(new ListServicesCommand({ cluster: CLUSTER }));
      return serviceArns?.map(afterSlash).sort();
    },
  },
  {
    name: 'ecs CreateTaskSet on a service with the ECS deployment controller',
    run: (c, state) => c.ecs.send(new CreateTaskSetCommand({ cluster: CLUSTER, service: 'web', taskDefinition: 'web:1', launchType: 'FARGATE', networkConfiguration: awsvpc(state) })),
    aws: { error: 'InvalidParameterException' },
  },
  {
    name: 'ecs DeleteService while it is scaled above zero',
    run: (c) => c.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'web' })),
  },
  // ECS: task sets on an EXTERNAL service
  {
    name: 'ecs CreateService with the EXTERNAL deployment controller',
    run: async (c) => {
      // No tasks: moto 5.2 crashes placing awsvpc tasks for a task set (its network interfaces lack a DNS name).
      const { service } = await c.ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'canary', desiredCount: 0, deploymentController: { type: 'EXTERNAL' } }));
      return { serviceName: service?.serviceName, status: service?.status, desiredCount: service?.desiredCount, deploymentController: service?.deploymentController?.type };
    },
  },
  {
    name: 'ecs CreateTaskSet, stable and canary',
    run: async (c, state) => {
      const created = [];
      for (const [externalId, revision, scale] of [
        ['stable', 'web:1', 100],
        ['canary', 'web:2', 10],
      ] as const) {
        const { taskSet } = await c.ecs.send(
          new CreateTaskSetCommand({ cluster: CLUSTER, service: 'canary', externalId, taskDefinition: revision, launchType: 'FARGATE', networkConfiguration: awsvpc(state), scale: { unit: 'PERCENT', value: scale } }),
        );
        state.arns.set(`taskset-${externalId}`, taskSet?.taskSetArn ?? '');
        created.push({ externalId: taskSet?.externalId, taskDefinition: afterSlash(taskSet?.taskDefinition), scale: taskSet?.scale, launchType: taskSet?.launchType });
      }
      return created;
    },
  },
  {
    name: 'ecs UpdateServicePrimaryTaskSet',
    run: async (c, state) => {
      const { taskSet } = await c.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: 'canary', primaryTaskSet: arnOf(state, 'taskset-stable') }));
      return { externalId: taskSet?.externalId, status: taskSet?.status };
    },
  },
  {
    name: 'ecs UpdateTaskSet scale',
    run: async (c, state) => {
      const { taskSet } = await c.ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: 'canary', taskSet: arnOf(state, 'taskset-canary'), scale: { unit: 'PERCENT', value: 50 } }));
      return { externalId: taskSet?.externalId, scale: taskSet?.scale };
    },
  },
  {
    name: 'ecs DescribeTaskSets',
    run: async (c) => {
      const { taskSets } = await c.ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'canary' }));
      return taskSets?.map(({ externalId, status, scale }) => ({ externalId, status, scale })).sort((a, b) => String(a.externalId).localeCompare(String(b.externalId)));
    },
  },
  {
    name: 'ecs DeleteTaskSet of the canary',
    run: async (c, state) => {
      const { taskSet } = await c.ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: 'canary', taskSet: arnOf(state, 'taskset-canary'), force: true }));
      return { externalId: taskSet?.externalId };
    },
  },
  // ECS: deletion
  {
    name: 'ecs DeleteService after scaling it to zero',
    run: async (c) => {
      await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 0 }));
      const { service } = await c.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: 'web' }));
      return { serviceName: service?.serviceName, desiredCount: service?.desiredCount };
    },
  },
  {
    name: 'ecs DeregisterTaskDefinition',
    run: async (c) => {
      const { taskDefinition: deregistered } = await c.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
      return { revision: deregistered?.revision, status: deregistered?.status };
    },
  },
  // ELBv2
  {
    name: 'elbv2 DescribeTargetGroups of a name that does not exist',
    run: (c) => c.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['no-such-group'] })),
  },
  {
    name: 'elbv2 DescribeTargetGroups with 21 names',
    run: (c) => c.elbv2.send(new DescribeTargetGroupsCommand({ Names: Array.from({ length: 21 }, (_, i) => `group-${i}`) })),
    aws: { error: 'ValidationError' },
  },
  {
    name: 'elbv2 CreateTargetGroup and its health check defaults',
    run: async (c, state) => {
      const projections = [];
      for (const name of ['tg-blue', 'tg-green', 'tg-orphan']) {
        const { TargetGroups } = await c.elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, TargetType: 'ip', VpcId: state.network.vpcId }));
        const group = TargetGroups?.[0];
        state.arns.set(name, group?.TargetGroupArn ?? '');
        projections.push({
          name: group?.TargetGroupName,
          protocol: group?.Protocol,
          port: group?.Port,
          targetType: group?.TargetType,
          healthCheckPath: group?.HealthCheckPath,
          healthCheckProtocol: group?.HealthCheckProtocol,
          healthCheckIntervalSeconds: group?.HealthCheckIntervalSeconds,
          matcher: group?.Matcher?.HttpCode,
        });
      }
      return projections;
    },
  },
  {
    name: 'elbv2 ModifyTargetGroup health check',
    run: async (c, state) => {
      const { TargetGroups } = await c.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: arnOf(state, 'tg-blue'), HealthCheckPath: '/health', HealthyThresholdCount: 2 }));
      return { path: TargetGroups?.[0]?.HealthCheckPath, healthy: TargetGroups?.[0]?.HealthyThresholdCount };
    },
  },
  {
    name: 'elbv2 ModifyTargetGroupAttributes then DescribeTargetGroupAttributes',
    run: async (c, state) => {
      const TargetGroupArn = arnOf(state, 'tg-blue');
      await c.elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }));
      const { Attributes } = await c.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn }));
      return Attributes?.find(({ Key }) => Key === 'deregistration_delay.timeout_seconds')?.Value;
    },
  },
  {
    name: 'elbv2 DescribeTargetHealth of a group with no targets',
    run: async (c, state) => (await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arnOf(state, 'tg-blue') }))).TargetHealthDescriptions,
  },
  {
    name: 'elbv2 CreateLoadBalancer, listener and a weighted rule',
    run: async (c, state) => {
      const { LoadBalancers } = await c.elbv2.send(new CreateLoadBalancerCommand({ Name: 'conformance', Subnets: [...state.network.subnets] }));
      const { Listeners } = await c.elbv2.send(
        new CreateListenerCommand({ LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: arnOf(state, 'tg-blue') }] }),
      );
      const { Rules } = await c.elbv2.send(
        new CreateRuleCommand({ ListenerArn: Listeners?.[0]?.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/web*'] }], Actions: weightedForward(state, [100, 0]) }),
      );
      state.arns.set('rule', Rules?.[0]?.RuleArn ?? '');
      return { type: LoadBalancers?.[0]?.Type, listenerPort: Listeners?.[0]?.Port, priority: Rules?.[0]?.Priority, weights: await ruleWeights(c, state) };
    },
  },
  {
    name: 'elbv2 ModifyRule weights, read back by DescribeRules',
    run: async (c, state) => {
      await c.elbv2.send(new ModifyRuleCommand({ RuleArn: arnOf(state, 'rule'), Actions: weightedForward(state, [90, 10]) }));
      return ruleWeights(c, state);
    },
  },
  {
    name: 'elbv2 DescribeRules of a rule that does not exist',
    run: (c, state) => c.elbv2.send(new DescribeRulesCommand({ RuleArns: [`${arnOf(state, 'rule').slice(0, -4)}dead`] })),
  },
  {
    name: 'elbv2 AddTags then DescribeTags',
    run: async (c, state) => {
      const arn = arnOf(state, 'tg-green');
      await c.elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: 'ecs-reconciler:managed-by', Value: 'ecs-reconciler' }] }));
      const { TagDescriptions } = await c.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
      return TagDescriptions?.[0]?.Tags;
    },
  },
  {
    name: 'ecs CreateService with a target group no load balancer uses',
    run: (c, state) =>
      c.ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: 'orphan',
          taskDefinition: 'web:2',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc(state),
          loadBalancers: [{ targetGroupArn: arnOf(state, 'tg-orphan'), containerName: 'app', containerPort: 8080 }],
        }),
      ),
    aws: { error: 'InvalidParameterException' },
  },
  // Application Auto Scaling
  {
    name: 'autoscaling DeregisterScalableTarget that does not exist',
    run: (c) => c.autoscaling.send(new DeregisterScalableTargetCommand(scalable)),
    aws: { error: 'ObjectNotFoundException' },
  },
  {
    name: 'autoscaling RegisterScalableTarget then DescribeScalableTargets',
    run: async (c) => {
      await c.autoscaling.send(new RegisterScalableTargetCommand({ ...scalable, MinCapacity: 1, MaxCapacity: 4 }));
      const { ScalableTargets } = await c.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }));
      return ScalableTargets?.map(({ ResourceId, MinCapacity, MaxCapacity, ScalableDimension }) => ({ ResourceId, MinCapacity, MaxCapacity, ScalableDimension }));
    },
  },
  {
    name: 'autoscaling PutScalingPolicy target tracking then DescribeScalingPolicies',
    run: async (c) => {
      await c.autoscaling.send(
        new PutScalingPolicyCommand({
          ...scalable,
          PolicyName: 'cpu70',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
        }),
      );
      const { ScalingPolicies } = await c.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }));
      return ScalingPolicies?.map(({ PolicyName, PolicyType, TargetTrackingScalingPolicyConfiguration: tracking }) => ({
        PolicyName,
        PolicyType,
        TargetValue: tracking?.TargetValue,
        metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType,
      }));
    },
  },
  {
    name: 'autoscaling DeleteScalingPolicy that does not exist',
    run: (c) => c.autoscaling.send(new DeleteScalingPolicyCommand({ ...scalable, PolicyName: 'missing' })),
    aws: { error: 'ObjectNotFoundException' },
  },
  // CloudWatch
  {
    name: 'cloudwatch PutMetricAlarm then DescribeAlarms',
    run: async (c) => {
      await c.cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: 'web-5xx',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 5,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      const { MetricAlarms } = await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['web-5xx'] }));
      return MetricAlarms?.map(({ AlarmName, Threshold, ComparisonOperator, StateValue }) => ({ AlarmName, Threshold, ComparisonOperator, StateValue }));
    },
    aws: { ok: [{ AlarmName: 'web-5xx', Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', StateValue: 'INSUFFICIENT_DATA' }] },
  },
  // Native deployments (2025): moto 5.2 implements none of the service deployment APIs.
  {
    name: 'ecs CreateService, LINEAR, then ListServiceDeployments',
    run: async (c, state) => {
      await c.ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: 'native',
          taskDefinition: 'web:2',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc(state),
          deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } },
        }),
      );
      const { serviceDeployments } = await c.ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'native' }));
      return serviceDeployments?.map((d) => ({ status: d.status, target: d.targetServiceRevisionArn?.split(':').pop()?.split('/').slice(0, 3).join('/') }));
    },
    aws: { ok: [{ status: 'IN_PROGRESS', target: 'service-revision/conformance/native' }] },
  },
  {
    name: 'ecs CreateService, LINEAR, with a stepPercent out of range',
    run: (c, state) =>
      c.ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: 'steep',
          taskDefinition: 'web:2',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: awsvpc(state),
          deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 150, stepBakeTimeInMinutes: 1 } },
        }),
      ),
    aws: { error: 'InvalidParameterException' },
  },
  {
    name: 'ecs DescribeServiceDeployments of one that does not exist',
    run: async (c) => {
      const arn = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/conformance/native/AAAAAAAAAAAAAAAAAAAAAA';
      const { serviceDeployments, failures } = await c.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
      return { serviceDeployments, failures: failures?.map(({ reason }) => reason) };
    },
    aws: { ok: { serviceDeployments: [], failures: ['MISSING'] } },
  },
  {
    name: 'ecs StopServiceDeployment of one that does not exist',
    run: (c) =>
      c.ecs.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/conformance/native/AAAAAAAAAAAAAAAAAAAAAA', stopType: 'ROLLBACK' }),
      ),
    aws: { error: 'ServiceDeploymentNotFoundException' },
  },
];

/** Runs every step in order; a step's AWS error is its outcome, anything else (a broken script) is thrown. */
export async function runScript(clients: ScriptClients, network: Network): Promise<Map<string, Outcome>> {
  const state: RunState = { network, arns: new Map() };
  const outcomes = new Map<string, Outcome>();
  for (const step of SCRIPT) {
    try {
      const result = await step.run(clients, state);
      outcomes.set(step.name, { ok: isRawResponse(result) ? 'ok' : JSON.parse(JSON.stringify(result ?? null)) });
    } catch (error) {
      outcomes.set(step.name, { error: awsErrorName(error) });
    }
  }
  return outcomes;
}

/** The AWS error code, or `HTTP <status>` for an answer that is not an AWS error at all (a simulator's crash). */
function awsErrorName(error: unknown): string {
  if (error instanceof MissingPrerequisite) return error.message;
  const { name, $fault, $metadata } = error as { name?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof name === 'string' && $fault !== undefined) return name;
  if ($metadata?.httpStatusCode !== undefined) return `HTTP ${$metadata.httpStatusCode}`;
  throw error;
}

/** A step that only checks an error case returns the raw response when the call unexpectedly succeeds. */
function isRawResponse(result: unknown): boolean {
  return typeof result === 'object' && result !== null && '$metadata' in result;
}
