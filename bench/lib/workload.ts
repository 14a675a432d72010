/**
 * The generated desired state: N rolling Fargate services spread over K clusters. Every 5th is autoscaled (one
 * target-tracking policy), every 10th sits behind its own target group, so a resync reads every kind of batch.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface WorkloadShape {
  services: number;
  clusters: number;
}

export interface GeneratedService {
  name: string;
  cluster: string;
  autoscaled: boolean;
  targetGroup: string | undefined;
}

export function clusterNames(clusters: number): string[] {
  return Array.from({ length: clusters }, (_, i) => `bench-${i + 1}`);
}

export function workloadServices(shape: WorkloadShape): GeneratedService[] {
  const clusters = clusterNames(shape.clusters);
  return Array.from({ length: shape.services }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(5, '0')}`;
    return { name, cluster: clusters[i % clusters.length]!, autoscaled: i % 5 === 4, targetGroup: i % 10 === 9 ? `tg-${name}` : undefined };
  });
}

/** The manifest file of one service; `image` is the tag that a commit-to-action trial changes. */
export function serviceManifestYaml(service: GeneratedService, image = '1.0.0'): string {
  const lines = [
    'apiVersion: ecs-reconciler/v1',
    'kind: Service',
    'metadata:',
    `  name: ${service.name}`,
    'spec:',
    `  cluster: ${service.cluster}`,
    '  desiredCount: 1',
    '  launchType: FARGATE',
    '  networkConfiguration:',
    '    awsvpcConfiguration: {subnets: [subnet-0a1b2c3d4e5f60001], securityGroups: [sg-0123456789abcdef0]}',
    '  taskDefinition:',
    `    family: ${service.name}`,
    '    cpu: "256"',
    '    memory: "512"',
    '    networkMode: awsvpc',
    '    requiresCompatibilities: [FARGATE]',
    '    executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
    '    containerDefinitions:',
    '      - name: app',
    `        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/${service.name}:${image}`,
    '        portMappings: [{containerPort: 8080}]',
    '        environment: [{name: LOG_LEVEL, value: info}]',
  ];
  if (service.targetGroup) lines.push('  loadBalancer:', '    containerName: app', '    containerPort: 8080', `    targetGroup: ${service.targetGroup}`);
  if (service.autoscaled) {
    lines.push(
      '  autoscaling:',
      '    minCapacity: 1',
      '    maxCapacity: 4',
      '    policies:',
      '      - name: cpu70',
      '        targetTracking: {predefinedMetric: ECSServiceAverageCPUUtilization, targetValue: 70}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** AWS's default quota of rules per Application Load Balancer. */
const RULES_PER_LOAD_BALANCER = 100;

/**
 * The sandbox seed: the clusters and target groups exist, every image is healthy, nothing else. Each target group is
 * in use by a listener rule (an ALB per 100 groups, AWS's default rule quota), as ECS requires of a service's target
 * group: otherwise its targets stay `unused`, never healthy, and those services never finish deploying.
 */
export function sandboxSeed(shape: WorkloadShape, faults: Record<string, unknown>): Record<string, unknown> {
  const groups = workloadServices(shape).flatMap((s) => (s.targetGroup ? [s.targetGroup] : []));
  const loadBalancers = [];
  for (let first = 0; first < groups.length; first += RULES_PER_LOAD_BALANCER) {
    const rules = groups.slice(first, first + RULES_PER_LOAD_BALANCER).map((name, i) => ({
      priority: i + 1,
      conditions: [{ field: 'path-pattern', values: [`/${name}/*`] }],
      forward: [{ targetGroup: name }],
    }));
    // No simulated traffic: the bench measures the controller, not the sandbox's request model.
    const listener = { port: 80, requestsPerSecond: 0, fixedResponse: { statusCode: 404 }, rules };
    loadBalancers.push({ name: `bench-alb-${loadBalancers.length + 1}`, subnets: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'], listeners: [listener] });
  }
  return {
    faults,
    behaviours: [{ image: '*', healthy: true }],
    ecs: { clusters: clusterNames(shape.clusters).map((clusterName) => ({ clusterName, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] })) },
    elbv2: {
      targetGroups: groups.map((name) => ({ name, protocol: 'HTTP', port: 8080, targetType: 'ip', healthCheck: { path: '/health' } })),
      loadBalancers,
    },
  };
}

export function manifestPath(dir: string, service: GeneratedService): string {
  return path.join(dir, 'services', `${service.name}.yaml`);
}

export async function writeWorkload(dir: string, services: readonly GeneratedService[]): Promise<void> {
  await mkdir(path.join(dir, 'services'), { recursive: true });
  for (const service of services) await writeFile(manifestPath(dir, service), serviceManifestYaml(service));
}

/** As git-sync does: write a temporary file next to the target, then rename it over (atomic on one filesystem). */
export async function replaceAtomically(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  await writeFile(temp, content);
  await rename(temp, file);
}
