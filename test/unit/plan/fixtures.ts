import { serviceManifestSchema } from '../../../src/manifest/schema.js';
import type { ServiceManifest } from '../../../src/manifest/schema.js';
import { emptyObservedState } from '../../../src/observe/index.js';
import type { JsonObject, ObservedService, ObservedState } from '../../../src/observe/index.js';
import type { PlannedAction } from '../../../src/plan/index.js';
import { resolveTaskDefinitionRef } from '../../../src/plan/index.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`;
export const TG_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/checkout-blue/0123456789abcdef`;
export const TG_GREEN_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/checkout-green/fedcba9876543210`;
export const RULE_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener-rule/app/web/0123456789abcdef/0123456789abcdef/0123456789abcdef`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-password-AbCdEf`;

/** Exactly what `aws ecs describe-task-definition --task-definition checkout:3` prints for the minimal manifest below. */
export const DESCRIBED_TASK_DEFINITION = {
  taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:3`,
  containerDefinitions: [
    {
      name: 'app',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:1.4.2`,
      cpu: 0,
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
      essential: true,
      environment: [
        { name: 'PORT', value: '8080' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      mountPoints: [],
      volumesFrom: [],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: SECRET_ARN }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/checkout', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' },
        secretOptions: [],
      },
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'], interval: 30, timeout: 5, retries: 3, startPeriod: 0 },
      systemControls: [],
    },
  ],
  family: 'checkout',
  executionRoleArn: EXEC_ROLE,
  networkMode: 'awsvpc',
  revision: 3,
  volumes: [],
  status: 'ACTIVE',
  requiresAttributes: [
    { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
    { name: 'ecs.capability.execution-role-awslogs' },
    { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
    { name: 'ecs.capability.secrets.asm.environment-variables' },
    { name: 'ecs.capability.container-health-check' },
    { name: 'ecs.capability.task-eni' },
  ],
  placementConstraints: [],
  compatibilities: ['EC2', 'FARGATE'],
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  registeredAt: '2026-11-20T10:15:42.123000+00:00',
  registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`,
  enableFaultInjection: false,
};

/** The same task definition as a person would write it. */
export const MINIMAL_TASK_DEFINITION = {
  family: 'checkout',
  cpu: '0.5 vCPU',
  memory: '1 GB',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  executionRoleArn: EXEC_ROLE,
  containerDefinitions: [
    {
      name: 'app',
      image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/checkout:1.4.2`,
      portMappings: [{ containerPort: 8080 }],
      environment: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'PORT', value: '8080' },
      ],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: SECRET_ARN }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/checkout', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'app' } },
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'] },
    },
  ],
};

export function manifest(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): ServiceManifest {
  return serviceManifestSchema.parse({
    apiVersion: 'ecs-reconciler/v1',
    kind: 'Service',
    metadata: { name: 'checkout', ...metadata },
    spec: {
      cluster: 'prod',
      desiredCount: 3,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-b', 'subnet-a'], securityGroups: ['sg-1'] } },
      taskDefinition: MINIMAL_TASK_DEFINITION,
      ...spec,
    },
  });
}

/**
 * A small stand-in for AWS's write-then-describe behaviour: it applies planned actions to an ObservedState the
 * way ECS, ELBv2 and Application Auto Scaling store them, filling in the defaults their describe calls return.
 */
export class FakeAws {
  state: ObservedState = emptyObservedState();
  private revision = 0;
  calls: string[] = [];

  apply(actions: readonly PlannedAction[]): void {
    let registered: string | undefined;
    for (const action of actions) {
      this.calls.push(action.kind);
      switch (action.kind) {
        case 'RegisterTaskDefinition':
          registered = this.register(action.input as unknown as JsonObject);
          break;
        case 'CreateService':
          this.createService(resolveTaskDefinitionRef(action.input, registered) as unknown as JsonObject);
          break;
        case 'UpdateService':
          this.updateService(resolveTaskDefinitionRef(action.input, registered) as unknown as JsonObject);
          break;
        case 'TagResource': {
          const service = this.serviceByArn(action.input.resourceArn ?? '');
          for (const tag of action.input.tags ?? []) service.tags[tag.key ?? ''] = tag.value ?? '';
          break;
        }
        case 'UntagResource': {
          const service = this.serviceByArn(action.input.resourceArn ?? '');
          for (const key of action.input.tagKeys ?? []) delete service.tags[key];
          break;
        }
        case 'RegisterScalableTarget': {
          const input = action.input;
          this.state.scalableTargets[input.ResourceId ?? ''] = {
            resourceId: input.ResourceId ?? '',
            minCapacity: input.MinCapacity ?? 0,
            maxCapacity: input.MaxCapacity ?? 0,
            suspendedState: {
              dynamicScalingInSuspended: input.SuspendedState?.DynamicScalingInSuspended ?? false,
              dynamicScalingOutSuspended: input.SuspendedState?.DynamicScalingOutSuspended ?? false,
              scheduledScalingSuspended: input.SuspendedState?.ScheduledScalingSuspended ?? false,
            },
          };
          break;
        }
        case 'PutScalingPolicy': {
          const input = action.input;
          const resourceId = input.ResourceId ?? '';
          const others = (this.state.scalingPolicies[resourceId] ?? []).filter((p) => p.policyName !== input.PolicyName);
          const tracking = input.TargetTrackingScalingPolicyConfiguration;
          // AAS stores and returns DisableScaleIn=false and ECS's 300 s cooldowns when they are left out.
          const stored = tracking ? { DisableScaleIn: false, ScaleInCooldown: 300, ScaleOutCooldown: 300, ...tracking } : undefined;
          this.state.scalingPolicies[resourceId] = [
            ...others,
            {
              resourceId,
              policyName: input.PolicyName ?? '',
              policyArn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:x:resource/ecs/${resourceId}:policyName/${input.PolicyName ?? ''}`,
              policyType: input.PolicyType ?? '',
              ...(stored ? { targetTrackingScalingPolicyConfiguration: stored as JsonObject } : {}),
              ...(input.StepScalingPolicyConfiguration ? { stepScalingPolicyConfiguration: input.StepScalingPolicyConfiguration as JsonObject } : {}),
            },
          ];
          break;
        }
        case 'DeleteScalingPolicy': {
          const resourceId = action.input.ResourceId ?? '';
          this.state.scalingPolicies[resourceId] = (this.state.scalingPolicies[resourceId] ?? []).filter((p) => p.policyName !== action.input.PolicyName);
          break;
        }
        case 'PutScheduledAction': {
          const input = action.input;
          const resourceId = input.ResourceId ?? '';
          const others = (this.state.scheduledActions[resourceId] ?? []).filter((a) => a.scheduledActionName !== input.ScheduledActionName);
          this.state.scheduledActions[resourceId] = [
            ...others,
            {
              resourceId,
              scheduledActionName: input.ScheduledActionName ?? '',
              schedule: input.Schedule ?? '',
              timezone: input.Timezone ?? 'UTC',
              ...(input.StartTime ? { startTime: input.StartTime.toISOString() } : {}),
              ...(input.EndTime ? { endTime: input.EndTime.toISOString() } : {}),
              scalableTargetAction: { minCapacity: input.ScalableTargetAction?.MinCapacity, maxCapacity: input.ScalableTargetAction?.MaxCapacity },
            },
          ];
          break;
        }
        case 'ModifyTargetGroup': {
          const { TargetGroupArn, ...settings } = action.input;
          const group = this.state.targetGroups[TargetGroupArn ?? ''];
          if (group) group.settings = { ...group.settings, ...settings };
          break;
        }
        case 'ModifyTargetGroupAttributes': {
          const group = this.state.targetGroups[action.input.TargetGroupArn ?? ''];
          if (group) for (const a of action.input.Attributes ?? []) group.attributes = { ...group.attributes, [a.Key ?? '']: a.Value ?? '' };
          break;
        }
        default:
          throw new Error(`FakeAws does not simulate ${action.kind}`);
      }
    }
  }

  addTargetGroup(name: string, arn: string, settings: JsonObject = {}, attributes?: Record<string, string>): void {
    this.state.targetGroups[arn] = { arn, name, settings, ...(attributes ? { attributes } : {}) };
    this.state.targetGroupArnsByName[name] = arn;
  }

  /** RegisterTaskDefinition as ECS stores it: describe fills cpu 0, essential, tcp, hostPort and empty lists. */
  register(input: JsonObject, revision = ++this.revision): string {
    const { tags, ...definition } = input;
    const family = String(definition.family);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${revision}`;
    const awsvpc = definition.networkMode === 'awsvpc';
    const containers = (definition.containerDefinitions as JsonObject[]).map((c) => ({
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      ...c,
      portMappings: ((c.portMappings as JsonObject[] | undefined) ?? []).map((pm) => ({ protocol: 'tcp', hostPort: awsvpc ? pm.containerPort : 0, ...pm })),
    }));
    this.state.taskDefinitions[arn] = {
      arn,
      family,
      revision,
      definition: {
        ...definition,
        containerDefinitions: containers,
        taskDefinitionArn: arn,
        revision,
        status: 'ACTIVE',
        volumes: definition.volumes ?? [],
        placementConstraints: definition.placementConstraints ?? [],
        compatibilities: ['EC2', 'FARGATE'],
        requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
        registeredAt: '2026-11-21T00:00:00.000Z',
        networkMode: definition.networkMode ?? 'bridge',
      },
      tags: Object.fromEntries(((tags as { key: string; value: string }[] | undefined) ?? []).map((t) => [t.key, t.value])),
    };
    return arn;
  }

  private createService(input: JsonObject): void {
    const { cluster, serviceName, taskDefinition, desiredCount, tags, ...settings } = input;
    const key = `${String(cluster)}/${String(serviceName)}`;
    const fargate = settings.launchType === 'FARGATE';
    const awsvpc = settings.networkConfiguration as { awsvpcConfiguration: JsonObject } | undefined;
    const stored: JsonObject = {
      ...settings,
      desiredCount,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        ...(settings.deploymentConfiguration as JsonObject | undefined),
      },
      ...(fargate ? { platformVersion: settings.platformVersion ?? 'LATEST' } : {}),
      ...(awsvpc ? { networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED', ...awsvpc.awsvpcConfiguration } } } : {}),
      propagateTags: settings.propagateTags ?? 'NONE',
      enableECSManagedTags: settings.enableECSManagedTags ?? false,
      enableExecuteCommand: settings.enableExecuteCommand ?? false,
      schedulingStrategy: 'REPLICA',
      healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds ?? 0,
    };
    // ECS does not return deploymentController for the ECS controller.
    if ((stored.deploymentController as JsonObject | undefined)?.type === 'ECS') delete stored.deploymentController;
    const service: ObservedService = {
      key,
      clusterName: String(cluster),
      clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${String(cluster)}`,
      serviceName: String(serviceName),
      serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${String(cluster)}/${String(serviceName)}`,
      status: 'ACTIVE',
      taskDefinition: String(taskDefinition ?? ''),
      desiredCount: Number(desiredCount ?? 0),
      runningCount: 0,
      pendingCount: 0,
      deploymentControllerType: ((settings.deploymentController as JsonObject | undefined)?.type as 'ECS' | 'EXTERNAL' | undefined) ?? 'ECS',
      settings: stored,
      tags: Object.fromEntries(((tags as { key: string; value: string }[] | undefined) ?? []).map((t) => [t.key, t.value])),
      deployments: [],
      taskSets: [],
    };
    this.state.services[key] = service;
  }

  private updateService(input: JsonObject): void {
    const { cluster, service: name, taskDefinition, desiredCount, ...settings } = input;
    const service = this.state.services[`${String(cluster)}/${String(name)}`];
    if (!service) throw new Error(`ServiceNotFoundException: ${String(name)}`);
    if (taskDefinition !== undefined) service.taskDefinition = String(taskDefinition);
    if (desiredCount !== undefined) {
      service.desiredCount = Number(desiredCount);
      service.settings.desiredCount = desiredCount;
    }
    Object.assign(service.settings, settings);
  }

  private serviceByArn(arn: string): ObservedService {
    const service = Object.values(this.state.services).find((s) => s.serviceArn === arn);
    if (!service) throw new Error(`no service ${arn}`);
    return service;
  }
}
