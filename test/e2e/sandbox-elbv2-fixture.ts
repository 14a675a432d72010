import { readFileSync } from 'node:fs';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { parse } from 'yaml';
import { autoscalingService } from '../../src/sandbox/autoscaling/service.js';
import { cloudwatchService } from '../../src/sandbox/cloudwatch/service.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { ecsService } from '../../src/sandbox/ecs/service.js';
import { elbv2Service } from '../../src/sandbox/elbv2/service.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';

export const DEMO_SEED = parse(readFileSync('test/fixtures/sandbox/demo-elbv2.yaml', 'utf8')) as Record<string, unknown>;
export const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188';
export const LISTENER_80 = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2';
export const CHECKOUT_RULE = `${LISTENER_80.replace(':listener/', ':listener-rule/')}/9683b2d02a6cabee`;

export interface ServicesSandbox {
  sandbox: RunningSandbox;
  clock: ManualClock;
  config: ReturnType<typeof sandboxClientConfig>;
  /** Moves simulated time in steps, letting every lifecycle (tasks, health checks, metrics) catch up at each. */
  advance(seconds: number, stepSeconds?: number): void;
}

/** A sandbox on a random port with ECS, ELBv2, Application Auto Scaling and CloudWatch, and a manual clock. */
export async function startServicesSandbox(seed: Record<string, unknown> = DEMO_SEED): Promise<ServicesSandbox> {
  const clock = new ManualClock();
  const sandbox = await startSandbox({ port: 0, clock, seed, services: [ecsService, elbv2Service, autoscalingService, cloudwatchService] });
  return {
    sandbox,
    clock,
    config: sandboxClientConfig(sandbox.endpoint),
    advance(seconds, stepSeconds = 1) {
      for (let elapsed = 0; elapsed < seconds; elapsed += stepSeconds) {
        clock.advance(Math.min(stepSeconds, seconds - elapsed) * 1000);
        sandbox.account.tick();
      }
    },
  };
}

/** An ECS Fargate service `cluster/name` of `count` tasks of `image`, registered in a target group. */
export async function createEcsService(config: ServicesSandbox['config'], options: { cluster: string; name: string; image: string; count: number; targetGroupArn?: string }): Promise<void> {
  const ecs = new ECSClient(config);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: options.cluster }));
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: options.name,
        cpu: '256',
        memory: '512',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'app', image: options.image, portMappings: [{ containerPort: 8080 }] }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: options.cluster,
        serviceName: options.name,
        taskDefinition: taskDefinition!.taskDefinitionArn,
        desiredCount: options.count,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'] } },
        ...(options.targetGroupArn ? { loadBalancers: [{ targetGroupArn: options.targetGroupArn, containerName: 'app', containerPort: 8080 }] } : {}),
      }),
    );
  } finally {
    ecs.destroy();
  }
}
