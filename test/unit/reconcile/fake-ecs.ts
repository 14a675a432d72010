import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { CreateServiceCommandInput, RegisterTaskDefinitionCommandInput, Service } from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

const ACCOUNT = 'arn:aws:ecs:us-east-1:123456789012';

/**
 * A small stateful ECS behind aws-sdk-client-mock: registered task definitions and created services are
 * described back as AWS would (ARNs, ACTIVE, tags), so a reconcile pass can read back what it applied.
 */
export function fakeEcsAccount() {
  const ecsClient = new ECSClient({ region: 'us-east-1' });
  const autoscalingClient = new ApplicationAutoScalingClient({ region: 'us-east-1' });
  const ecs = mockClient(ecsClient);
  const autoscaling = mockClient(autoscalingClient);
  const taskDefinitions = new Map<string, RegisterTaskDefinitionCommandInput & { taskDefinitionArn: string; revision: number }>();
  const services = new Map<string, Service>();
  /** Service names DescribeServices still hides (eventual consistency), and for how many more reads. */
  const hiddenReads = new Map<string, number>();

  ecs.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    const revision = [...taskDefinitions.values()].filter((td) => td.family === input.family).length + 1;
    const taskDefinitionArn = `${ACCOUNT}:task-definition/${input.family}:${revision}`;
    const { tags: _tags, ...definition } = input;
    taskDefinitions.set(taskDefinitionArn, { ...definition, taskDefinitionArn, revision });
    return { taskDefinition: { ...definition, taskDefinitionArn, revision, status: 'ACTIVE' } };
  });
  ecs.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: input.clusters.map((name) => ({ clusterName: name, clusterArn: `${ACCOUNT}:cluster/${name}`, status: 'ACTIVE', tags: [] })),
  }));
  ecs.on(ListTaskDefinitionsCommand).callsFake((input: { familyPrefix: string; sort?: string; maxResults?: number }) => {
    const arns = [...taskDefinitions.values()].filter((td) => td.family?.startsWith(input.familyPrefix)).map((td) => td.taskDefinitionArn);
    return { taskDefinitionArns: (input.sort === 'DESC' ? arns.reverse() : arns).slice(0, input.maxResults ?? 100) };
  });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
    const definition = taskDefinitions.get(input.taskDefinition);
    if (!definition) throw Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' });
    return { taskDefinition: { ...definition, status: 'ACTIVE' }, tags: [] };
  });
  ecs.on(CreateServiceCommand).callsFake((input: CreateServiceCommandInput) => {
    const cluster = input.cluster ?? 'default';
    const service: Service = {
      ...(input as Service),
      serviceArn: `${ACCOUNT}:service/${cluster}/${input.serviceName}`,
      clusterArn: `${ACCOUNT}:cluster/${cluster}`,
      status: 'ACTIVE',
      runningCount: 0,
      pendingCount: 0,
      deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: input.taskDefinition, desiredCount: input.desiredCount }],
    };
    services.set(`${cluster}/${input.serviceName}`, service);
    return { service };
  });
  ecs.on(UpdateServiceCommand).callsFake((input: { cluster: string; service: string; desiredCount?: number; taskDefinition?: string }) => {
    const service = services.get(`${input.cluster}/${input.service}`);
    if (!service) throw Object.assign(new Error('Service not found.'), { name: 'ServiceNotFoundException' });
    Object.assign(service, input.desiredCount === undefined ? {} : { desiredCount: input.desiredCount }, input.taskDefinition ? { taskDefinition: input.taskDefinition } : {});
    return { service };
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string; services: string[] }) => {
    const found: Service[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const name of input.services) {
      const service = services.get(`${input.cluster}/${name}`);
      const hidden = hiddenReads.get(name) ?? 0;
      if (hidden > 0) hiddenReads.set(name, hidden - 1);
      if (service && hidden === 0) found.push(service);
      else failures.push({ arn: `${ACCOUNT}:service/${input.cluster}/${name}`, reason: 'MISSING' });
    }
    return { services: found, failures };
  });
  ecs.on(ListServicesCommand).callsFake((input: { cluster: string }) => ({
    serviceArns: [...services.values()].filter((service) => service.clusterArn?.endsWith(`/${input.cluster}`)).map((service) => service.serviceArn),
  }));
  autoscaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });

  return {
    clients: { ecs: ecsClient, autoscaling: autoscalingClient, elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }) },
    ecs,
    services,
    /** Makes the next `reads` DescribeServices of `name` answer MISSING, as AWS may right after CreateService. */
    hideFor(name: string, reads: number) {
      hiddenReads.set(name, reads);
    },
    /** Operation names sent to ECS, in order. */
    operations(): string[] {
      return ecs.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
    },
  };
}
