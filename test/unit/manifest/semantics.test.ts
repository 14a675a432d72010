import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/manifest/diagnostics.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';
import { serviceManifestSchema } from '../../../src/manifest/schema.js';
import type { ServiceManifestInput } from '../../../src/manifest/schema.js';
import { checkDocuments, checkService, imageTag } from '../../../src/manifest/semantics.js';
import { ROLLOUT_ARG_NAMES } from '../../../src/manifest/index.js';
import { rolloutArgs } from '../../../src/rollout/analysis/index.js';
import { RULE_A, analysisTemplate, baseService, blueGreenRollout, canaryRollout } from './helpers.js';

/** The findings of all per-service rules on the base service after `mutate`, as "code@path" (severity-prefixed for warnings). */
function findings(mutate: (m: ServiceManifestInput) => void): string[] {
  const raw = baseService();
  mutate(raw);
  return checkService(serviceManifestSchema.parse(raw)).map((f) => `${f.severity === 'warning' ? 'warning:' : ''}${f.code}@${formatPath(f.at)}`);
}

function findingMessages(mutate: (m: ServiceManifestInput) => void): string[] {
  const raw = baseService();
  mutate(raw);
  return checkService(serviceManifestSchema.parse(raw)).map((f) => `${f.message}${f.hint ? ` (${f.hint})` : ''}`);
}

const td = (m: ServiceManifestInput) => m.spec.taskDefinition;
const app = (m: ServiceManifestInput) => m.spec.taskDefinition.containerDefinitions[0]!;

describe('the base service', () => {
  it('has no findings, so every finding below comes from the mutation', () => {
    expect(findings(() => {})).toEqual([]);
  });
});

describe('Fargate task size', () => {
  it('rejects a memory size that does not fit the cpu', () => {
    expect(findings((m) => (td(m).cpu = '512'))).toEqual(['fargate-task-size@spec.taskDefinition.memory']);
    expect(findingMessages((m) => (td(m).cpu = '512'))).toEqual([
      'memory "512" is not a Fargate size for cpu 512 (with cpu 512, memory (MiB) must be 1024-4096 in steps of 1024)',
    ]);
  });

  it('rejects a cpu that is not a Fargate size', () => {
    expect(findings((m) => (td(m).cpu = '300'))).toEqual(['fargate-task-size@spec.taskDefinition.cpu']);
  });

  it('accepts the "1 vCPU" / "2 GB" unit forms and numbers', () => {
    expect(findings((m) => Object.assign(td(m), { cpu: '1 vCPU', memory: '2 GB' }))).toEqual([]);
    expect(findings((m) => Object.assign(td(m), { cpu: '0.25 vCPU', memory: '0.5GB' }))).toEqual([]);
    expect(findings((m) => Object.assign(td(m), { cpu: 4096, memory: 30720 }))).toEqual([]);
    expect(findings((m) => Object.assign(td(m), { cpu: '1 vCPU', memory: '1 GB' }))).toEqual(['fargate-task-size@spec.taskDefinition.memory']);
  });

  it('requires task-level cpu and memory', () => {
    expect(findings((m) => delete td(m).memory)).toEqual(['fargate-task-size@spec.taskDefinition']);
  });

  it('requires awsvpc', () => {
    expect(findings((m) => (td(m).networkMode = 'bridge'))).toEqual(['fargate-network-mode@spec.taskDefinition.networkMode']);
  });

  it('applies through a FARGATE_SPOT capacity provider, and not at all on EC2', () => {
    const spot = (m: ServiceManifestInput) => {
      delete m.spec.launchType;
      delete td(m).requiresCompatibilities;
      m.spec.capacityProviderStrategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
      td(m).cpu = '512';
    };
    expect(findings(spot)).toEqual(['fargate-task-size@spec.taskDefinition.memory']);
    const ec2 = (m: ServiceManifestInput) => {
      m.spec.launchType = 'EC2';
      delete td(m).requiresCompatibilities;
      td(m).cpu = '512';
    };
    expect(findings(ec2)).toEqual([]);
  });
});

describe('capacity placement', () => {
  it('rejects launchType together with capacityProviderStrategy', () => {
    expect(findings((m) => (m.spec.capacityProviderStrategy = [{ capacityProvider: 'FARGATE' }]))).toEqual([
      'launch-type-xor-capacity-providers@spec.capacityProviderStrategy',
    ]);
  });

  it('allows only one provider with a base', () => {
    const twoBases = (m: ServiceManifestInput) => {
      delete m.spec.launchType;
      m.spec.capacityProviderStrategy = [
        { capacityProvider: 'FARGATE', base: 1, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', base: 2, weight: 1 },
      ];
    };
    expect(findings(twoBases)).toEqual(['capacity-provider-base@spec.capacityProviderStrategy[1].base']);
  });

  it('requires a network configuration for awsvpc tasks', () => {
    expect(findings((m) => delete m.spec.networkConfiguration)).toEqual(['network-configuration@spec']);
  });
});

describe('load balancer target', () => {
  it('rejects a container that does not exist, suggesting the closest', () => {
    expect(findings((m) => (m.spec.loadBalancer!.containerName = 'ap'))).toEqual(['load-balancer-container@spec.loadBalancer.containerName']);
    expect(findingMessages((m) => (m.spec.loadBalancer!.containerName = 'ap'))).toEqual(['no container named "ap" in the task definition (did you mean "app"?)']);
  });

  it('rejects a port the container does not map', () => {
    expect(findings((m) => (m.spec.loadBalancer!.containerPort = 9090))).toEqual(['load-balancer-port@spec.loadBalancer.containerPort']);
  });
});

describe('rollout traffic', () => {
  it('accepts well-formed canary and blue-green rollouts', () => {
    expect(findings((m) => (m.spec.rollout = canaryRollout()))).toEqual([]);
    expect(findings((m) => (m.spec.rollout = blueGreenRollout()))).toEqual([]);
  });

  it('needs a load balancer', () => {
    const noLb = (m: ServiceManifestInput) => {
      m.spec.rollout = canaryRollout();
      delete m.spec.loadBalancer;
    };
    expect(findings(noLb)).toEqual(['rollout-load-balancer@spec']);
  });

  it('needs two distinct target groups', () => {
    const sameCanary = canaryRollout();
    sameCanary.canary.canaryTargetGroup = 'web';
    expect(findings((m) => (m.spec.rollout = sameCanary))).toEqual(['rollout-target-groups@spec.rollout.canary.canaryTargetGroup']);
    const sameBlueGreen = blueGreenRollout();
    sameBlueGreen.blueGreen.previewTargetGroup = 'web';
    expect(findings((m) => (m.spec.rollout = sameBlueGreen))).toEqual(['rollout-target-groups@spec.rollout.blueGreen.previewTargetGroup']);
    const native = {
      strategy: 'Native' as const,
      native: {
        strategy: 'BLUE_GREEN' as const,
        advancedConfiguration: { alternateTargetGroup: 'web', productionListenerRule: RULE_A, roleArn: 'arn:aws:iam::123456789012:role/ecsInfra' },
      },
    };
    expect(findings((m) => (m.spec.rollout = native))).toEqual(['rollout-target-groups@spec.rollout.native.advancedConfiguration.alternateTargetGroup']);
  });

  it('keeps Native canary and linear settings with their strategy', () => {
    const native = (strategy: 'CANARY' | 'LINEAR' | 'BLUE_GREEN') => ({
      strategy: 'Native' as const,
      native: {
        strategy,
        canaryConfiguration: { canaryPercent: 10 },
        advancedConfiguration: { alternateTargetGroup: 'web-green', productionListenerRule: RULE_A, roleArn: 'arn:aws:iam::123456789012:role/ecsInfra' },
      },
    });
    expect(findings((m) => (m.spec.rollout = native('CANARY')))).toEqual([]);
    expect(findings((m) => (m.spec.rollout = native('LINEAR')))).toEqual(['native-strategy-config@spec.rollout.native.canaryConfiguration']);
  });

  it('requires the load balancer target group to be one of the pair', () => {
    const other = (m: ServiceManifestInput) => {
      m.spec.rollout = canaryRollout();
      m.spec.loadBalancer!.targetGroup = 'other';
    };
    expect(findings(other)).toEqual(['rollout-target-groups@spec.loadBalancer.targetGroup']);
  });

  it('requires a blue-green test listener rule to differ from the production rule', () => {
    const rollout = blueGreenRollout();
    rollout.blueGreen.testListenerRule = RULE_A;
    expect(findings((m) => (m.spec.rollout = rollout))).toEqual(['rollout-listener-rules@spec.rollout.blueGreen.testListenerRule']);
  });
});

describe('autoscaling bounds', () => {
  const autoscaling = (min: number, max: number) => (m: ServiceManifestInput) => (m.spec.autoscaling = { minCapacity: min, maxCapacity: max });

  it('accepts desiredCount inside min..max', () => {
    expect(findings(autoscaling(1, 4))).toEqual([]);
  });

  it('rejects min > max', () => {
    expect(findings(autoscaling(5, 4))).toEqual(['autoscaling-bounds@spec.autoscaling.minCapacity']);
  });

  it('rejects a desiredCount outside the bounds', () => {
    expect(findings(autoscaling(3, 4))).toEqual(['autoscaling-bounds@spec.desiredCount']);
  });

  it('checks scheduled actions', () => {
    const scheduled = (m: ServiceManifestInput) =>
      (m.spec.autoscaling = {
        minCapacity: 1,
        maxCapacity: 4,
        scheduledActions: [
          { name: 'inverted', schedule: 'rate(1 hour)', minCapacity: 5, maxCapacity: 3 },
          { name: 'empty', schedule: 'rate(1 hour)' },
        ],
      });
    expect(findings(scheduled)).toEqual(['autoscaling-bounds@spec.autoscaling.scheduledActions[0].minCapacity', 'autoscaling-bounds@spec.autoscaling.scheduledActions[1]']);
  });

  it('ties resourceLabel to ALBRequestCountPerTarget', () => {
    const policy = (targetTracking: Record<string, unknown>) => (m: ServiceManifestInput) =>
      (m.spec.autoscaling = { minCapacity: 1, maxCapacity: 4, policies: [{ name: 'p', targetTracking: { targetValue: 10, ...targetTracking } }] });
    expect(findings(policy({ predefinedMetric: 'ALBRequestCountPerTarget' }))).toEqual(['autoscaling-resource-label@spec.autoscaling.policies[0].targetTracking']);
    const label = 'app/demo-alb/50dc6c495c0c9188/targetgroup/web/6d0ecf831eec9f09';
    expect(findings(policy({ predefinedMetric: 'ALBRequestCountPerTarget', resourceLabel: label }))).toEqual([]);
    expect(findings(policy({ predefinedMetric: 'ECSServiceAverageCPUUtilization', resourceLabel: label }))).toEqual([
      'autoscaling-resource-label@spec.autoscaling.policies[0].targetTracking.resourceLabel',
    ]);
  });
});

describe('container references', () => {
  it('rejects dependsOn, volumesFrom and mountPoints that name nothing', () => {
    const refs = (m: ServiceManifestInput) => {
      app(m).dependsOn = [{ containerName: 'sidecar', condition: 'START' }];
      app(m).volumesFrom = [{ sourceContainer: 'sidecar' }];
      app(m).mountPoints = [{ sourceVolume: 'data', containerPath: '/data' }];
    };
    expect(findings(refs)).toEqual([
      'container-reference@spec.taskDefinition.containerDefinitions[0].dependsOn[0].containerName',
      'container-reference@spec.taskDefinition.containerDefinitions[0].volumesFrom[0].sourceContainer',
      'volume-reference@spec.taskDefinition.containerDefinitions[0].mountPoints[0].sourceVolume',
    ]);
  });

  it('rejects duplicate container names', () => {
    expect(findings((m) => td(m).containerDefinitions.push({ name: 'app', image: 'busybox:1.36' }))).toEqual([
      'duplicate-container@spec.taskDefinition.containerDefinitions[1].name',
    ]);
  });

  it('needs one essential container', () => {
    expect(findings((m) => (app(m).essential = false))).toEqual(['essential-container@spec.taskDefinition.containerDefinitions']);
  });
});

describe('plaintext secrets (warning)', () => {
  it.each([
    ['DB_PASSWORD', 'hunter2'],
    ['GITHUB_TOKEN', 'x'],
    ['DD_API_KEY', 'x'],
    ['STRIPE_APIKEY', 'x'],
    ['CLIENT_SECRET', 'x'],
    ['AWS_KEY', 'AKIAIOSFODNN7EXAMPLE'],
  ])('warns about %s', (name, value) => {
    expect(findings((m) => (app(m).environment = [{ name, value }]))).toEqual(['warning:plaintext-secret@spec.taskDefinition.containerDefinitions[0].environment[0]']);
  });

  it('leaves ordinary variables alone', () => {
    expect(findings((m) => (app(m).environment = [{ name: 'LOG_LEVEL', value: 'info' }]))).toEqual([]);
  });
});

describe('mutable images (warning)', () => {
  it.each(['nginx:latest', 'nginx', 'registry.local:5000/team/app'])('warns about %s', (image) => {
    expect(findings((m) => (app(m).image = image))).toEqual(['warning:mutable-image@spec.taskDefinition.containerDefinitions[0].image']);
  });

  it.each(['nginx:1.27', 'registry.local:5000/team/app:2.0', `nginx@sha256:${'a'.repeat(64)}`])('accepts %s', (image) => {
    expect(findings((m) => (app(m).image = image))).toEqual([]);
  });

  it('reads tags after the registry port', () => {
    expect(imageTag('registry.local:5000/app')).toBeUndefined();
    expect(imageTag('registry.local:5000/app:1.2')).toBe('1.2');
  });
});

describe('annotations', () => {
  it('warns about unknown ecs-reconciler annotations, with a hint', () => {
    expect(findings((m) => (m.metadata.annotations = { 'ecs-reconciler/adpot': 'true' }))).toEqual(['warning:unknown-annotation@metadata.annotations["ecs-reconciler/adpot"]']);
    expect(findingMessages((m) => (m.metadata.annotations = { 'ecs-reconciler/adpot': 'true' }))).toEqual([
      'unknown annotation "ecs-reconciler/adpot" (did you mean "ecs-reconciler/adopt"?)',
    ]);
  });

  it('requires "true" or "false" for known ones and ignores foreign ones', () => {
    expect(findings((m) => (m.metadata.annotations = { 'ecs-reconciler/adopt': 'yes', 'example.com/owner': 'x' }))).toEqual([
      'annotation-value@metadata.annotations["ecs-reconciler/adopt"]',
    ]);
  });
});

describe('across documents', () => {
  const yamlOf = (...docs: unknown[]) => docs.map((d) => JSON.stringify(d)).join('\n---\n');
  const check = (files: Record<string, string>) =>
    checkDocuments(Object.entries(files).flatMap(([file, text]) => parseManifestFile(file, text).documents)).map(
      (d) => `${d.file}:${d.line}: ${d.code}@${d.path}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`,
    );

  it('reports a service defined twice at both places, so that neither file is applied', () => {
    const result = check({ 'a.yaml': yamlOf(baseService()), 'b.yaml': `# second\n${yamlOf(baseService())}` });
    const message = 'Service demo/web is defined twice: at a.yaml:1 and at b.yaml:2 (none of them is applied: each file keeps its last good state until one definition is left)';
    expect(result).toEqual([`a.yaml:1: duplicate@metadata.name: ${message}`, `b.yaml:2: duplicate@metadata.name: ${message}`]);
  });

  it('names every place of a service defined three times, whatever the file order', () => {
    const files = { 'c.yaml': yamlOf(baseService()), 'a.yaml': yamlOf(baseService()), 'b.yaml': yamlOf(baseService()) };
    const result = check(files);
    expect(result).toHaveLength(3);
    for (const line of result) expect(line).toContain('Service demo/web is defined 3 times: at c.yaml:1, at a.yaml:1 and at b.yaml:1');
  });

  it('reports duplicates within one file and duplicate AnalysisTemplates', () => {
    const message = 'AnalysisTemplate error-rate is defined twice: at a.yaml:3 and at a.yaml:5 (none of them is applied: each file keeps its last good state until one definition is left)';
    expect(check({ 'a.yaml': yamlOf(baseService(), analysisTemplate(), analysisTemplate()) })).toEqual([
      `a.yaml:3: duplicate@metadata.name: ${message}`,
      `a.yaml:5: duplicate@metadata.name: ${message}`,
    ]);
    const otherCluster = baseService();
    otherCluster.spec.cluster = 'prod';
    expect(check({ 'a.yaml': yamlOf(baseService(), otherCluster) })).toEqual([]);
  });

  it('treats a cluster ARN and its name as the same cluster', () => {
    const arnCluster = baseService();
    arnCluster.spec.cluster = 'arn:aws:ecs:us-east-1:123456789012:cluster/demo';
    expect(check({ 'a.yaml': yamlOf(baseService()), 'b.yaml': yamlOf(arnCluster) })).toHaveLength(2);
  });

  it('reports a reference to an AnalysisTemplate that does not exist, with a hint', () => {
    const service = baseService();
    service.spec.rollout = canaryRollout();
    service.spec.rollout.canary.steps.push({ analysis: { templates: ['error-rates'], args: [{ name: 'target-group', value: 'web-green' }] } });
    expect(check({ 's.yaml': yamlOf(service), 't.yaml': yamlOf(analysisTemplate()) })).toEqual([
      's.yaml:1: analysis-template-ref@spec.rollout.canary.steps[2].analysis.templates[0]: AnalysisTemplate "error-rates" does not exist (did you mean "error-rate"?)',
    ]);
  });

  it('requires the args a template declares without a default', () => {
    const service = baseService();
    service.spec.rollout = blueGreenRollout();
    service.spec.rollout.blueGreen.prePromotionAnalysis = { templates: ['error-rate'] };
    expect(check({ 's.yaml': yamlOf(service), 't.yaml': yamlOf(analysisTemplate()) })).toEqual([
      's.yaml:1: analysis-args@spec.rollout.blueGreen.prePromotionAnalysis.templates[0]: AnalysisTemplate "error-rate" needs args: target-group (pass them in args: [{name, value}])',
    ]);
  });

  it('does not call a template missing when it exists but is invalid', () => {
    const service = baseService();
    service.spec.rollout = canaryRollout();
    service.spec.rollout.canary.steps.push({ analysis: { templates: ['error-rate'] } });
    const broken = analysisTemplate();
    broken.spec.metrics = [];
    expect(check({ 's.yaml': yamlOf(service), 't.yaml': yamlOf(broken) })).toEqual([]);
  });

  it('requires template placeholders to name declared args', () => {
    const template = analysisTemplate();
    template.spec.args = [{ name: 'target' }];
    expect(check({ 't.yaml': yamlOf(template) })).toEqual([
      't.yaml:1: analysis-args@spec.metrics[0].provider: {{args.target-group}} is not declared in spec.args',
    ]);
  });

  it('treats the args the rollout engine provides as passed', () => {
    const service = baseService();
    service.spec.rollout = canaryRollout();
    service.spec.rollout.canary.steps.push({ analysis: { templates: ['error-rate'] } });
    const template = analysisTemplate();
    template.spec.args = [...ROLLOUT_ARG_NAMES.map((name) => ({ name })), { name: 'target-group' }];
    expect(check({ 's.yaml': yamlOf(service), 't.yaml': yamlOf(template) })).toEqual([
      's.yaml:1: analysis-args@spec.rollout.canary.steps[2].analysis.templates[0]: AnalysisTemplate "error-rate" needs args: target-group (pass them in args: [{name, value}])',
    ]);
  });

  it('lists exactly the args rolloutArgs provides', () => {
    const facts = {
      cluster: 'demo',
      service: 'web',
      stableTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09',
      canaryTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/73e2d6bc24d8a067',
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188',
    };
    expect(Object.keys(rolloutArgs(facts)).sort()).toEqual([...ROLLOUT_ARG_NAMES].sort());
  });

  it('requires placeholders in conditions to name declared args too', () => {
    const template = analysisTemplate();
    template.spec.metrics[0]!.failureCondition = 'result == "{{args.state}}"';
    expect(check({ 't.yaml': yamlOf(template) })).toEqual(['t.yaml:1: analysis-args@spec.metrics[0].failureCondition: {{args.state}} is not declared in spec.args']);
  });
});

describe('analysis conditions', () => {
  const templateYaml = (successCondition: string, failureCondition?: string) =>
    [
      'apiVersion: ecs-reconciler/v1',
      'kind: AnalysisTemplate',
      'metadata: {name: error-rate}',
      'spec:',
      '  args: [{name: maxRatio, value: "0.05"}]',
      '  metrics:',
      '    - name: ratio',
      `      successCondition: ${JSON.stringify(successCondition)}`,
      ...(failureCondition === undefined ? [] : [`      failureCondition: ${JSON.stringify(failureCondition)}`]),
      '      provider: {cloudwatchAlarm: {alarmName: web-5xx}}',
    ].join('\n');
  const diagnostics = (text: string) =>
    checkDocuments(parseManifestFile('t.yaml', text).documents).map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}@${d.path}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`);

  it.each([
    ['a comparison on the newest value', 'result[0] <= 0.05'],
    ['a guarded list check', 'len(result) > 0 && all(result, {# < 0.05})'],
    ['an arg placeholder standing for a number', 'default(result[0], 0) < {{args.maxRatio}}'],
    ['an arg placeholder inside a string', 'result == "{{ args.maxRatio }}"'],
  ])('accepts %s', (_case, condition) => {
    expect(diagnostics(templateYaml(condition))).toEqual([]);
  });

  it('reports a syntax error at the condition, with the parser message and its position in the condition', () => {
    expect(diagnostics(templateYaml('result[0] <= ', 'result ==== 1'))).toEqual([
      't.yaml:8:7: analysis-condition@spec.metrics[0].successCondition: successCondition does not parse: unexpected end of expression at 1:14 (see the condition language in docs/analysis.md)',
      't.yaml:9:7: analysis-condition@spec.metrics[0].failureCondition: failureCondition does not parse: unexpected "==" at 1:10 (see the condition language in docs/analysis.md)',
    ]);
  });

  it('keeps positions after a placeholder those of the condition as written', () => {
    expect(diagnostics(templateYaml('result < {{args.maxRatio}} &&'))).toEqual([
      't.yaml:8:7: analysis-condition@spec.metrics[0].successCondition: successCondition does not parse: unexpected end of expression at 1:30 (see the condition language in docs/analysis.md)',
    ]);
  });
});

