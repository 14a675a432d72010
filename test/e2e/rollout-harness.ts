/**
 * Shared set-up for the rollout end-to-end tests: a sandbox (manual clock) with an ALB, a canary and a blue-green
 * pair of target groups with fast health checks, a desired-state folder with one service, and reconcile passes
 * driven in-process on the sandbox's clock. Also what those tests and the ones with the controller as a process
 * (rollout-run-harness.ts) check with: AWS reads, the traffic guard, and the histories in the sandbox's call log.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { DescribeTaskSetsCommand } from '@aws-sdk/client-ecs';
import type { TaskSet } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients, destroyAwsClients } from '../../src/aws/index.js';
import type { AwsClients } from '../../src/aws/index.js';
import type { CallRecorder } from '../../src/apply/index.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { reconcileAll } from '../../src/reconcile/index.js';
import type { ReconcileReport } from '../../src/reconcile/index.js';
import { ANALYSIS_TAG_PREFIX } from '../../src/rollout/engine/index.js';
import type { RolloutReport } from '../../src/rollout/engine/index.js';
import { ROLLOUT_TAG } from '../../src/rollout/index.js';
import { readRecordTag } from '../../src/rollout/state-tags.js';
import type { RolloutRecord } from '../../src/rollout/index.js';
import { forwardedGroups } from '../../src/sandbox/elbv2/actions.js';
import { Elbv2State } from '../../src/sandbox/elbv2/state.js';
import type { SandboxCall } from './apply-harness.js';
import { sandboxCalls } from './controller-harness.js';
import { TEST_RECORD_KEY } from '../support/record-key.js';

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

/** How often and over what window the error-rate analysis measures. */
export interface AnalysisTiming {
  interval: string;
  count: number;
  initialDelay: string;
  /** The CloudWatch query window, ending at the last whole minute. */
  period: string;
}

/** An error-rate analysis on the new version's target group, from the ALB's CloudWatch metrics. */
export function errorRateTemplate({ interval, count, initialDelay, period }: AnalysisTiming): string {
  return `apiVersion: ecs-reconciler/v1
kind: AnalysisTemplate
metadata:
  name: error-rate
spec:
  args:
    - name: canaryTargetGroup
    - name: loadBalancer
  metrics:
    - name: error-rate
      interval: ${interval}
      count: ${count}
      initialDelay: ${initialDelay}
      successCondition: len(result) > 0 && all(result, {# < 0.05})
      failureCondition: any(result, {# >= 0.05})
      provider:
        cloudwatch:
          period: ${period}
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
}

/** On the manual clock: measured twice, 30 s apart, over the last whole minute, once the canary had a minute of traffic. */
export const ERROR_RATE_TEMPLATE = errorRateTemplate({ interval: '30s', count: 2, initialDelay: '60s', period: '1m' });

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

export const CANARY = (steps: string, extra = '', progressDeadlineSeconds = 120) => `    strategy: Canary
    canary:
      stableTargetGroup: shop-blue
      canaryTargetGroup: shop-green
      listenerRule: ${PROD_RULE}
      progressDeadlineSeconds: ${progressDeadlineSeconds}
${extra}      steps:
${steps}`;

/** Blue-green with pre- and post-promotion analysis, waiting for promote; `extra` adds delays (and `operator`). */
export const BLUE_GREEN = (extra = '') => `    strategy: BlueGreen
    blueGreen:
      activeTargetGroup: shop-blue
      previewTargetGroup: shop-green
      productionListenerRule: ${PROD_RULE}
      testListenerRule: ${TEST_RULE}
      prePromotionAnalysis: {templates: [error-rate]}
      postPromotionAnalysis: {templates: [error-rate]}
      autoPromotionEnabled: false
${extra}`;

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

/** The desired-state folder: the service manifest and the analysis template it names. */
export async function writeDesiredState(dir: string, manifest: string, template: string): Promise<void> {
  await writeFile(path.join(dir, 'web.yaml'), manifest);
  await writeFile(path.join(dir, 'error-rate.yaml'), template);
}

/** Chooses how the sandbox's simulated app behaves for the images `behaviour.image` matches. */
export async function setBehaviour(endpoint: string, behaviour: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${endpoint}/_sandbox/behaviours`, { method: 'POST', body: JSON.stringify(behaviour) });
  if (!response.ok) throw new Error(`behaviour: ${response.status} ${await response.text()}`);
}

/** A rule's forward weights as ELBv2 describes them, by target group name. */
export async function ruleWeights(clients: Pick<AwsClients, 'elbv2'>, ruleArn: string): Promise<Record<string, number>> {
  const { Rules } = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  const groups = Rules?.[0]?.Actions?.find((action) => action.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
  return Object.fromEntries(groups.map((group) => [(group.TargetGroupArn ?? '').split('/')[1] ?? '', group.Weight ?? 0]));
}

/** The states of the targets registered in a target group. */
export async function targetStates(clients: Pick<AwsClients, 'elbv2'>, group: string): Promise<string[]> {
  const { TargetHealthDescriptions } = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }));
  return (TargetHealthDescriptions ?? []).map((target) => target.TargetHealth?.State ?? '?');
}

/** The service's task sets, DRAINING ones included. */
export async function taskSets(clients: Pick<AwsClients, 'ecs'>): Promise<TaskSet[]> {
  return (await clients.ecs.send(new DescribeTaskSetsCommand({ cluster: 'shop', service: 'web' }))).taskSets ?? [];
}

export async function startRolloutHarness(): Promise<RolloutHarness> {
  const clock = new ManualClock();
  const sandbox = await startSandbox({ port: 0, seed: SEED, clock });
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-rollout-'));
  const clients = newClients(sandbox.endpoint);
  const harness: RolloutHarness = {
    sandbox,
    clock,
    clients,
    dir,
    write: (manifest) => writeDesiredState(dir, manifest, ERROR_RATE_TEMPLATE),
    async pass(passClients = clients) {
      const report = await reconcileAll({ dir, clients: passClients, options: { readBack: { attempts: 1, delayMs: 0 } }, rollout: { clock, keyring: TEST_RECORD_KEY } });
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
    setBehaviour: (behaviour) => setBehaviour(sandbox.endpoint, behaviour),
    calls: () => sandboxCalls(sandbox.endpoint),
    weights: (ruleArn = PROD_RULE) => ruleWeights(clients, ruleArn),
    targets: (group) => targetStates(clients, group),
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

export interface TrafficGuard {
  /** What broke the rule, e.g. `tick at 2026-...: weight 10 on ...shop-green... with targets [initial]`. */
  violations: string[];
  stop(): void;
}

/**
 * Never route to a target group with no healthy targets, checked from inside the sandbox (it runs in the test's
 * process): after every tick of its world and after every write a caller made, each group with weight on one of
 * `rules` must have a healthy target. Start it once the stable version serves.
 */
export function guardTraffic(sandbox: RunningSandbox, rules: readonly string[]): TrafficGuard {
  const elb = sandbox.account.views.elbv2;
  if (!(elb instanceof Elbv2State)) throw new Error('the sandbox runs without ELBv2');
  const violations: string[] = [];
  const check = (when: string) => {
    for (const rule of rules) {
      for (const group of forwardedGroups(elb.rules.get(rule)?.actions ?? []).filter((entry) => entry.Weight > 0)) {
        const phases = [...(elb.targetGroups.get(group.TargetGroupArn)?.targets.values() ?? [])].map((target) => target.phase);
        if (!phases.includes('healthy')) violations.push(`${when}: weight ${group.Weight} on ${group.TargetGroupArn} with targets [${phases.join(', ')}]`);
      }
    }
  };
  const { account } = sandbox;
  const { calls } = account;
  const tick = account.tick.bind(account);
  const add = calls.add.bind(calls);
  account.tick = () => {
    tick();
    check(`tick at ${new Date(sandbox.clock.now()).toISOString()}`);
  };
  calls.add = (record) => {
    const logged = add(record);
    if (logged.mutating && logged.outcome === 'ok') check(`after ${logged.operation} (call ${logged.seq})`);
    return logged;
  };
  return {
    violations,
    stop() {
      account.tick = tick;
      calls.add = add;
    },
  };
}

/** The rollout record of every successful TagResource on the service, in order. */
export function recordHistory(calls: readonly SandboxCall[]): RolloutRecord[] {
  return calls
    .filter((call) => call.operation === 'TagResource' && call.outcome === 'ok')
    .flatMap((call) => {
      const input = call.input as { resourceArn?: string; tags?: { key: string; value: string }[] } | undefined;
      return (input?.tags ?? []).filter((tag) => tag.key === ROLLOUT_TAG).map((tag) => readRecordTag(TEST_RECORD_KEY, input?.resourceArn ?? '', tag.value));
    })
    .flatMap((read) => (read.ok ? [read.record] : []));
}

/** The last rollout record written, e.g. to read the abort reason of a Degraded rollout. */
export function lastRecord(calls: readonly SandboxCall[]): RolloutRecord | undefined {
  return recordHistory(calls).at(-1);
}

interface RunTagValue {
  startedAt: string;
  /** successful, failed, inconclusive, errors of the run's only metric. */
  tallies: number[];
}

/** Every value written to each analysis run's tag (`a1:<startedAt>:<terminatedAt>:<s.f.i.e...>`), by run id. */
function analysisHistory(calls: readonly SandboxCall[]): Map<string, RunTagValue[]> {
  const runs = new Map<string, RunTagValue[]>();
  for (const call of calls.filter((entry) => entry.operation === 'TagResource' && entry.outcome === 'ok')) {
    for (const tag of (call.input?.tags as { key: string; value: string }[] | undefined) ?? []) {
      if (!tag.key.startsWith(ANALYSIS_TAG_PREFIX)) continue;
      const runId = tag.key.slice(ANALYSIS_TAG_PREFIX.length);
      const [, startedAt = '', , metric = ''] = tag.value.split(':');
      runs.set(runId, [...(runs.get(runId) ?? []), { startedAt, tallies: metric.split('.').slice(0, 4).map(Number) }]);
    }
  }
  return runs;
}

/**
 * What a canary of five steps (10% -> pause -> analysis -> 50% -> 100%) that promoted must show in the sandbox's
 * call log after its start, however often its controller died on the way: every ModifyRule's weights add up to 100
 * and the canary's weight went 10 -> 50 -> 100, each set once, never back; each step's record was written with one
 * start time, in order; one task definition registered and one task set created; one analysis run, started once, its
 * tallies never going back, ending with its two measurements successful.
 */
export function expectEachStepOnce(calls: readonly SandboxCall[], canaryGroup = TG.green): void {
  const weights = weightHistory(calls, PROD_RULE, canaryGroup);
  expect(weights.every((entry) => entry.total === 100)).toBe(true);
  expect(weights.map((entry) => entry.canary).filter((weight, i, all) => weight !== all[i - 1])).toEqual([10, 50, 100]);
  const starts = new Map<string, Set<number>>();
  for (const record of recordHistory(calls)) {
    const key = `${record.stage}:${record.step}`;
    starts.set(key, (starts.get(key) ?? new Set()).add(record.stepStartedAt));
  }
  // (setWeight 100 already is the promoted state, so promoting passes in the same pass as the last step.)
  expect([...starts.keys()]).toEqual(['progressing:0', 'progressing:1', 'progressing:2', 'progressing:3', 'progressing:4', 'finalizing:0']);
  expect([...starts.values()].every((times) => times.size === 1)).toBe(true);
  expect(calls.filter((call) => call.operation === 'RegisterTaskDefinition' && call.outcome === 'ok')).toHaveLength(1);
  expect(new Set(calls.filter((call) => call.operation === 'CreateTaskSet' && call.outcome === 'ok').map((call) => call.input?.clientToken)).size).toBe(1);
  const runs = analysisHistory(calls);
  expect([...runs.keys()]).toHaveLength(1);
  const values = [...runs.values()][0]!;
  expect(new Set(values.map((value) => value.startedAt)).size).toBe(1);
  expect(values.every((value, i) => i === 0 || value.tallies.every((tally, j) => tally >= values[i - 1]!.tallies[j]!))).toBe(true);
  expect(values.at(-1)?.tallies.slice(0, 2)).toEqual([2, 0]);
}
