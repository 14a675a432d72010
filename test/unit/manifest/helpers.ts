import type { AnalysisTemplateManifestInput, ServiceManifestInput } from '../../../src/manifest/index.js';

type RolloutInput = NonNullable<ServiceManifestInput['spec']['rollout']>;

/** A minimal valid Fargate service, as raw manifest input; tests clone and mutate it. */
export function baseService(): ServiceManifestInput {
  return {
    apiVersion: 'ecs-reconciler/v1',
    kind: 'Service' as const,
    metadata: { name: 'web' },
    spec: {
      cluster: 'demo',
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60001'], securityGroups: ['sg-0123456789abcdef0'] } },
      taskDefinition: {
        family: 'web',
        cpu: '256',
        memory: '512',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
        containerDefinitions: [
          {
            name: 'app',
            image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0',
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      },
      loadBalancer: { containerName: 'app', containerPort: 8080, targetGroup: 'web' },
    },
  };
}

export const RULE_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/demo-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
export const RULE_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/demo-alb/50dc6c495c0c9188/0467ef3c8400ae65/7c1d2e3f4a5b6c7d';

export function canaryRollout(): Extract<RolloutInput, { strategy: 'Canary' }> {
  return {
    strategy: 'Canary' as const,
    canary: { stableTargetGroup: 'web', canaryTargetGroup: 'web-green', listenerRule: RULE_A, steps: [{ setWeight: 10 }, { pause: {} }] },
  };
}

export function blueGreenRollout(): Extract<RolloutInput, { strategy: 'BlueGreen' }> {
  return {
    strategy: 'BlueGreen' as const,
    blueGreen: { activeTargetGroup: 'web', previewTargetGroup: 'web-green', productionListenerRule: RULE_A, testListenerRule: RULE_B },
  };
}

export function analysisTemplate(name = 'error-rate'): AnalysisTemplateManifestInput {
  return {
    apiVersion: 'ecs-reconciler/v1',
    kind: 'AnalysisTemplate' as const,
    metadata: { name },
    spec: {
      args: [{ name: 'target-group' }],
      metrics: [
        {
          name: 'alarm',
          successCondition: 'result == "OK"',
          provider: { cloudwatchAlarm: { alarmName: '{{args.target-group}}-5xx' } },
        },
      ],
    },
  };
}
