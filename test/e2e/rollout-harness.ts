/**
 * Shared set-up for the rollout end-to-end tests: a sandbox (manual clock) with an ALB, a canary and a blue-green
 * pair of target groups with fast health checks, a desired-state folder with one service, and reconcile passes
 * driven in-process on the sandbox's clock.
 */
import type { SandboxCall } from './apply-harness.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeRulesCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients, destroyAwsClients } from '../../src/aws/index.js';
import type { AwsClients } from '../../src/aws/index.js';
import type { CallRecorder } from '../../src/apply/index.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { reconcileAll } from '../../src/reconcile/index.js';
import type { ReconcileReport } from '../../src/reconcile/index.js';
import type { RolloutReport } from '../../src/rollout/engine/index.js';

export const ACCOUNT = '123456789012';
export const LB_ARN = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop-alb/50dc6c495c0c9188`;
const LISTENER_80 = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const LISTENER_8080 = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop-alb/50dc6c495c0c9188/0467ef3c8400ae65`;
export const PROD_RULE = `${LISTENER_80.replace(':listener/', ':listener-rule/')}/9683b2d02a6cabee`;
export const TEST_RULE = `${LISTENER_8080.replace(':listener/', ':listener-rule/')}/7c1d2e3f4a5b6c7d`;
export const TG = {
  blue: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-blue/0000000000000001`,
  green: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/shop-green/0000000000000002`,
};

const targetGroup = (name: string, arn: string) => ({
  name,
  arn,
  protocol: 'HTTP',
  port: 8080,
  targetType: 'ip',
  healthCheck: { path: '/health', intervalSeconds: 5, timeoutSeconds: 2, healthyThresholdCount: 2, unhealthyThresholdCount: 2 },
  attributes: { 'deregistration_delay.timeout_seconds': 10 },
});

export const SEED = {
  behaviours: [{ image: '*', healthy: true, errorRate: 0 }],
  ecs: { clusters: [{ clusterName: 'shop', capacityProviders: ['FARGATE'] }] },
  elbv2: {
    targetGroups: [targetGroup('shop-blue', TG.blue), targetGroup('shop-green', TG.green)],
    loadBalancers: [
      {
        name: 'shop-alb',
        arn: LB_ARN,
        subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        securityGroups: ['sg-0123456789abcdef0'],
        listeners: [
          {
            port: 80,
            arn: LISTENER_80,
            requestsPerSecond: 50,
            fixedResponse: { statusCode: 404, contentType: 'text/plain', messageBody: 'no route' },
            rules: [{ arn: PROD_RULE, priority: 10, conditions: [{ field: 'path-pattern', values: ['/shop*'] }], forward: [{ targetGroup: 'shop-blue', weight: 100 }, { targetGroup: 'shop-green', weight: 0 }], requestsPerSecond: 50 }],
          },
          {
            port: 8080,
            arn: LISTENER_8080,
            requestsPerSecond: 20,
            fixedResponse: { statusCode: 404, contentType: 'text/plain', messageBody: 'no test route' },
            rules: [{ arn: TEST_RULE, priority: 10, conditions: [{ field: 'path-pattern', values: ['/shop*'] }], forward: [{ targetGroup: 'shop-blue', weight: 100 }, { targetGroup: 'shop-green', weight: 0 }], requestsPerSecond: 20 }],
          },
        ],
      },
    ],
  },
};

/** An error-rate analysis on the new version's target group, from the ALB's CloudWatch metrics. */
export const ERROR_RATE_TEMPLATE = `apiVersion: ecs-reconciler/v1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  args:
    - name: canaryTargetGroup
    - name: loadBalancer
  metrics:
    - name: error-rate
      interval: 30s
      count: 2
      initialDelay: 60s
      successCondition: len(result) > 0 && all(result, {# < 0.05})
      failureCondition: any(result, {# >= 0.05})
      provider:
        cloudwatch:
          period: 1m
          metricDataQueries:
            - id: errors
              metricStat:
                metric:
                  namespace: AWS/ApplicationELB
                  metricName: HTTPCode_Target_5XX_Count
                  dimensions:
                    - {name: TargetGroup, value: "{{args.canaryTargetGroup}}"}
                    - {name: LoadBalancer, value: "{{args.loadBalancer}}"}
                period: 60
                stat: Sum
              returnData: false
            - id: requests
              metricStat:
                metric:
                  namespace: AWS/ApplicationELB
                  metricName: RequestCount
                  dimensions:
                    - {name: TargetGroup, value: "{{args.canaryTargetGroup}}"}
                    - {name: LoadBalancer, value: "{{args.loadBalancer}}"}
                period: 60
                stat: Sum
              returnData: false
            - id: ratio
              expression: FILL(errors, 0) / requests
`;

/** The `shop/web` service at `image`, with the given rollout block (YAML, indented under `spec:`). */
export function serviceManifest(image: string, rollout: string): string {
  return `apiVersion: ecs-reconciler/v1
kind: Service
metadata:
  name: web
spec:
  cluster: shop
  desiredCount: 2
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration: {subnets: [subnet-0a1b2c3d4e5f60001], securityGroups: [sg-0123456789abcdef0]}
  healthCheckGracePeriodSeconds: 30
  taskDefinition:
    family: web
    cpu: "256"
    memory: "512"
    networkMode: awsvpc
    requiresCompatibilities: [FARGATE]
    executionRoleArn: arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole
    containerDefinitions:
      - name: app
        image: ${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:${image}
        portMappings: [{containerPort: 8080}]
  loadBalancer:
    containerName: app
    containerPort: 8080
    targetGroup: shop-blue
  rollout:
${rollout}
`;
}

export const CANARY = (steps: string, extra = '') => `    strategy: Canary
    canary:
      stableTargetGroup: shop-blue
      canaryTargetGroup: shop-green
      listenerRule: ${PROD_RULE}
      progressDeadlineSeconds: 120
${extra}      steps:
${steps}`;

export const KEY = 'shop/web';

export interface Pass {
  report: ReconcileReport;
  rollout: RolloutReport | undefined;
}

export type { SandboxCall };

export interface RolloutHarness {
  sandbox: RunningSandbox;
  clock: ManualClock;
  clients: AwsClients;
  dir: string;
  /** Writes the service manifest (and the analysis template) into the desired-state folder. */
  write(manifest: string): Promise<void>;
  /** One reconcile pass, in-process, on the sandbox's clock. */
  pass(clients?: AwsClients): Promise<Pass>;
  advance(ms: number): void;
  /**
   * Passes until `done` holds, advancing the clock between passes by what the rollout asked for (bounded by `stepMs`,
   * 5 s when it asked for nothing): a work queue honouring requeueAfter, compressed into simulated time.
   */
  runUntil(done: (pass: Pass) => boolean, options?: { maxPasses?: number; stepMs?: number; clients?: () => AwsClients }): Promise<Pass>;
  setBehaviour(behaviour: Record<string, unknown>): Promise<void>;
  calls(): Promise<SandboxCall[]>;
  /** The production rule's weights as ELBv2 describes them, by target group name. */
  weights(ruleArn?: string): Promise<Record<string, number>>;
  /** Targets registered in a target group, by state. */
  targets(group: string): Promise<string[]>;
  stop(): Promise<void>;
}

export function newClients(endpoint: string, calls?: CallRecorder): AwsClients {
  const config = sandboxClientConfig(endpoint);
  return createAwsClients({ endpoint: config.endpoint, region: config.region, rateLimits: false, ...(calls ? { observer: calls.observer } : {}), clientConfig: { credentials: config.credentials } });
}

export async function startRolloutHarness(): Promise<RolloutHarness> {
  const clock = new ManualClock();
  const sandbox = await startSandbox({ port: 0, seed: SEED, clock });
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-rollout-'));
  const clients = newClients(sandbox.endpoint);
  const groupName = (arn: string) => arn.split('/')[1] ?? arn;
  const harness: RolloutHarness = {
    sandbox,
    clock,
    clients,
    dir,
    async write(manifest) {
      await writeFile(path.join(dir, 'web.yaml'), manifest);
      await writeFile(path.join(dir, 'error-rate.yaml'), ERROR_RATE_TEMPLATE);
    },
    async pass(passClients = clients) {
      const report = await reconcileAll({ dir, clients: passClients, options: { readBack: { attempts: 1, delayMs: 0 } }, rollout: { clock } });
      return { report, rollout: report.rollouts?.[KEY] };
    },
    advance(ms) {
      clock.advance(ms);
    },
    async runUntil(done, options = {}) {
      const stepMs = options.stepMs ?? 15_000;
      for (let i = 0; i < (options.maxPasses ?? 200); i++) {
        const pass = await harness.pass(options.clients?.());
        if (done(pass)) return pass;
        harness.advance(Math.max(1000, Math.min(pass.report.requeueAfterMs ?? 5000, stepMs)));
      }
      throw new Error(`not done after ${options.maxPasses ?? 200} passes`);
    },
    async setBehaviour(behaviour) {
      const response = await fetch(`${sandbox.endpoint}/_sandbox/behaviours`, { method: 'POST', body: JSON.stringify(behaviour) });
      if (!response.ok) throw new Error(`behaviour: ${response.status} ${await response.text()}`);
    },
    async calls() {
      return (await (await fetch(`${sandbox.endpoint}/_sandbox/calls`)).json()) as SandboxCall[];
    },
    async weights(ruleArn = PROD_RULE) {
      const { Rules } = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
      const groups = Rules?.[0]?.Actions?.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
      return Object.fromEntries(groups.map((group) => [groupName(group.TargetGroupArn ?? ''), group.Weight ?? 0]));
    },
    async targets(group) {
      const { TargetHealthDescriptions } = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }));
      return (TargetHealthDescriptions ?? []).map((target) => target.TargetHealth?.State ?? '?');
    },
    async stop() {
      destroyAwsClients(clients);
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A harness whose service runs its first version (`rollout` strategy block), stable and healthy on both tasks. */
export async function startOnFirstVersion(rollout: string): Promise<RolloutHarness> {
  const harness = await startRolloutHarness();
  await harness.write(serviceManifest('1.0.0', rollout));
  await harness.runUntil((pass) => pass.rollout?.status?.phase === 'Stable' && pass.rollout.status.stable?.healthyTargets === 2);
  return harness;
}

/** The canary weight of every ModifyRule the sandbox accepted on `ruleArn`, in order. */
export function weightHistory(calls: readonly SandboxCall[], ruleArn: string, canaryGroup: string): { canary: number; total: number }[] {
  return calls
    .filter((call) => call.operation === 'ModifyRule' && call.outcome === 'ok' && call.input?.RuleArn === ruleArn)
    .map((call) => {
      const actions = call.input?.Actions as { Type?: string; ForwardConfig?: { TargetGroups?: { TargetGroupArn?: string; Weight?: string | number }[] } }[];
      const groups = actions.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
      const weight = (group: { Weight?: string | number }) => Number(group.Weight ?? 0);
      return { canary: groups.filter((group) => group.TargetGroupArn === canaryGroup).reduce((n, group) => n + weight(group), 0), total: groups.reduce((n, group) => n + weight(group), 0) };
    });
}
