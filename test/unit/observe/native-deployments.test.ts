import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import type { Service, ServiceDeployment } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { observeServices, TaskDefinitionCache } from '../../../src/observe/index.js';
import type { ObserveContext } from '../../../src/observe/index.js';
import { toObservedNativeDeployment } from '../../../src/observe/ecs.js';
import { healthOf } from '../../../src/controller/service-status.js';
import { nativeDeploymentLine } from '../../../src/rollout/engine/index.js';

const ecsMock = mockClient(ECSClient);
const autoscalingMock = mockClient(ApplicationAutoScalingClient);
const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';
const DEPLOYMENT_ARN = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/r9i43YFjvgF_xlg7m2eJ1r';
const TD = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`;
const UPDATED_AT = Date.UTC(2026, 0, 1, 12, 0, 0);

function service(strategy: string, inFlight: boolean): Service {
  const deployments = [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD(2), desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: inFlight ? 'IN_PROGRESS' : 'COMPLETED' }];
  if (inFlight) deployments.push({ id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD(1), desiredCount: 2, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' });
  return {
    serviceName: 'web',
    serviceArn: SERVICE_ARN,
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
    status: 'ACTIVE',
    taskDefinition: TD(2),
    desiredCount: 2,
    runningCount: inFlight ? 4 : 2,
    pendingCount: 0,
    deploymentController: { type: 'ECS' },
    deploymentConfiguration: { strategy: strategy as 'LINEAR' },
    deployments: deployments as Service['deployments'],
  };
}

const linearInFlight: ServiceDeployment = {
  serviceDeploymentArn: DEPLOYMENT_ARN,
  serviceArn: SERVICE_ARN,
  status: 'IN_PROGRESS',
  lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
  updatedAt: new Date(UPDATED_AT),
  deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } },
  targetServiceRevision: { arn: 'rev-2', requestedProductionTrafficWeight: 25, requestedTestTrafficWeight: 100 },
  lifecycleHookDetails: [{ hookId: 'h1', targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke', status: 'SUCCEEDED' }],
};

function context(): ObserveContext {
  return {
    clients: { ecs: new ECSClient({ region: 'us-east-1' }), elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }), autoscaling: new ApplicationAutoScalingClient({ region: 'us-east-1' }) },
    taskDefinitions: new TaskDefinitionCache(),
  };
}

beforeEach(() => {
  ecsMock.reset();
  autoscalingMock.reset();
  autoscalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: { taskDefinitionArn: input.taskDefinition, family: 'web', revision: Number(input.taskDefinition.split(':').pop()), containerDefinitions: [] },
    tags: [],
  }));
  ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT_ARN, status: 'IN_PROGRESS' }] });
  ecsMock.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [linearInFlight], failures: [] });
});

describe('observing native deployments', () => {
  it('reads the newest service deployment of a native service with a deployment in flight', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('LINEAR', true)], failures: [] });
    const state = await observeServices(context(), ['prod/web']);
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input).toEqual({ cluster: 'prod', service: 'web', maxResults: 1 });
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)[0]?.args[0].input).toEqual({ serviceDeploymentArns: [DEPLOYMENT_ARN] });
    expect(state.services['prod/web']?.nativeDeployment).toEqual({
      arn: DEPLOYMENT_ARN,
      status: 'IN_PROGRESS',
      stage: 'PRODUCTION_TRAFFIC_SHIFT',
      productionPercent: 25,
      testPercent: 100,
      hooks: [{ targetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke', status: 'SUCCEEDED' }],
      bakeEndsAt: UPDATED_AT + 2 * 60_000,
    });
  });

  it('keeps reads at the floor: no service deployment calls for a settled native service or a rolling one', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('LINEAR', false)], failures: [] });
    expect((await observeServices(context(), ['prod/web'])).services['prod/web']?.nativeDeployment).toBeUndefined();
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('ROLLING', true)], failures: [] });
    await observeServices(context(), ['prod/web']);
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(0);
  });

  it('fails the observation when ECS refuses the read, as any other read', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('CANARY', true)], failures: [] });
    ecsMock.on(ListServiceDeploymentsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(observeServices(context(), ['prod/web'])).rejects.toThrow(/Rate exceeded/);
  });

  it('counts down BAKE_TIME from the last update, and none once production has fully moved in a step stage', () => {
    const baking = toObservedNativeDeployment({ ...linearInFlight, lifecycleStage: 'BAKE_TIME', deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 } });
    expect(baking.bakeEndsAt).toBe(UPDATED_AT + 10 * 60_000);
    const shifted = toObservedNativeDeployment({ ...linearInFlight, targetServiceRevision: { requestedProductionTrafficWeight: 100 } });
    expect(shifted.bakeEndsAt).toBeUndefined();
  });

  it('shows stage, traffic split, hooks and the bake countdown in one line; a rollback degrades health', () => {
    const native = toObservedNativeDeployment(linearInFlight);
    expect(nativeDeploymentLine(native, UPDATED_AT + 45_000)).toBe('IN_PROGRESS, PRODUCTION_TRAFFIC_SHIFT, production 25% new, test 100% new, hook smoke SUCCEEDED, bake 75s left');
    const rolledBack = toObservedNativeDeployment({ ...linearInFlight, status: 'ROLLBACK_IN_PROGRESS', statusReason: 'Lifecycle hook smoke failed.' });
    expect(nativeDeploymentLine(rolledBack, UPDATED_AT)).toMatch(/^ROLLBACK_IN_PROGRESS, .*Lifecycle hook smoke failed\.$/);
    const observed = { status: 'ACTIVE', deployments: [], taskSets: [], runningCount: 2, desiredCount: 2, nativeDeployment: rolledBack } as unknown as Parameters<typeof healthOf>[0];
    expect(healthOf(observed)).toBe('Degraded');
    expect(healthOf({ ...observed!, nativeDeployment: native })).toBe('Healthy');
  });
});
