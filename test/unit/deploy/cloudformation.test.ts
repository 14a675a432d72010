import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { container, containers, loadTemplate, parseTemplate, references, unresolvedReferences } from './cloudformation.js';
import { parseDockerfile, parseHealthcheck } from './dockerfile.js';

const root = path.resolve(import.meta.dirname, '../../..');
const template = loadTemplate();
const resourcesOfType = (type: string) => Object.values(template.Resources).filter((resource) => resource.Type === type);
const controller = container(template, 'controller');
const gitSync = container(template, 'git-sync');

/** `--flag=value` arguments as a map; bare `--flag` is refused (git-sync reads `--flag value` ambiguously). */
function flags(args: unknown[]): Map<string, unknown> {
  return new Map(
    args.map((arg) => {
      const text = typeof arg === 'string' ? arg : String((arg as { 'Fn::Sub': string })['Fn::Sub']);
      const match = /^--([\w-]+)=(.*)$/.exec(text);
      if (!match) throw new Error(`expected --flag=value, got ${text}`);
      return [match[1] as string, match[2]];
    }),
  );
}

function environment(definition: typeof controller): Map<string, unknown> {
  return new Map((definition.Environment ?? []).filter((entry) => 'Name' in entry).map((entry) => [entry.Name as string, entry.Value]));
}

describe('the template reader', () => {
  it('refuses short-form tags and YAML warnings', () => {
    expect(() => parseTemplate('Resources:\n  A:\n    Value: !Ref B\n')).toThrow();
    expect(() => parseTemplate('a: 1\na: 2\n')).toThrow(/not clean YAML/);
  });

  it('finds Ref, GetAtt, Sub variables and If conditions', () => {
    const found = references({ a: { Ref: 'P' }, b: { 'Fn::GetAtt': ['R', 'Arn'] }, c: { 'Fn::Sub': ['${X}/${Y.Arn}/${!Literal}', { X: 1 }] }, d: { 'Fn::If': ['C', 1, 2] } });
    expect(found.map((reference) => `${reference.kind}:${reference.name}`)).toEqual(['value:P', 'value:R', 'value:Y', 'condition:C']);
  });
});

describe('deploy/cloudformation.yaml', () => {
  it('refers only to parameters, resources, pseudo parameters and conditions it defines', () => {
    expect(unresolvedReferences(template)).toEqual([]);
  });

  it('uses every parameter and condition it declares', () => {
    const used = new Set(references({ Resources: template.Resources, Outputs: template.Outputs, Conditions: template.Conditions }).map((reference) => reference.name));
    expect(Object.keys(template.Parameters).filter((name) => !used.has(name))).toEqual([]);
    expect(Object.keys(template.Conditions ?? {}).filter((name) => !used.has(name))).toEqual([]);
  });

  it('takes the inputs the issue asks for as parameters', () => {
    for (const name of ['ClusterName', 'Subnets', 'SecurityGroups', 'RepositoryUrl', 'RepositoryRef', 'GitSyncImage', 'ControllerImage', 'InstanceName', 'PassRoleArns', 'ResyncPeriod', 'LogRetentionDays']) {
      expect(template.Parameters, name).toHaveProperty(name);
    }
    expect(String(template.Parameters.GitSyncImage?.Default)).toMatch(/^registry\.k8s\.io\/git-sync\/git-sync:v4\.\d+\.\d+$/);
  });

  it('refuses a mutable :latest controller image', () => {
    const pattern = new RegExp(String(template.Parameters.ControllerImage?.AllowedPattern));
    expect(pattern.test('123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-reconciler:0.1.0')).toBe(true);
    expect(pattern.test(`123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-reconciler@sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(pattern.test('123456789012.dkr.ecr.us-east-1.amazonaws.com/ecs-reconciler:latest')).toBe(false);
  });

  it('runs git-sync v4 publishing the repository as the /git/current symlink the controller reads', () => {
    const gitSyncFlags = flags(gitSync.Command ?? []);
    expect([...gitSyncFlags.keys()].sort()).toEqual(['depth', 'link', 'max-failures', 'period', 'ref', 'repo', 'root', 'stale-worktree-timeout']);
    expect(gitSyncFlags.get('repo')).toBe('${RepositoryUrl}');
    expect(gitSyncFlags.get('ref')).toBe('${RepositoryRef}');
    const link = path.posix.join(gitSyncFlags.get('root') as string, gitSyncFlags.get('link') as string);
    expect(link).toBe('/git/current');
    expect(environment(controller).get('ECS_RECONCILER_DIR')).toEqual({ 'Fn::Sub': `${link}/\${DesiredStatePath}` });
  });

  it('shares one volume: git-sync writes it, the controller mounts it read-only at the same path', () => {
    const gitMount = (definition: typeof controller) => definition.MountPoints?.find((mount) => mount.ContainerPath === '/git');
    expect(gitMount(gitSync)).toEqual({ SourceVolume: 'git', ContainerPath: '/git' });
    expect(gitMount(controller)).toEqual({ SourceVolume: 'git', ContainerPath: '/git', ReadOnly: true });
    expect(controller.MountPoints).toHaveLength(1);
  });

  it('starts the controller after git-sync has published a clone, and git-sync after the volumes are handed to it', () => {
    expect(controller.DependsOn).toEqual([{ ContainerName: 'git-sync', Condition: 'HEALTHY' }]);
    expect(gitSync.HealthCheck?.Command).toEqual(['CMD', '/usr/bin/test', '-L', '/git/current']);
    expect(gitSync.DependsOn).toEqual([{ ContainerName: 'volume-init', Condition: 'SUCCESS' }]);
    const init = container(template, 'volume-init');
    expect(init.Essential).toBe(false);
    // The init container gives every volume git-sync writes (the clone, and /tmp: its HOME on a read-only root)
    // to the user git-sync runs as.
    const script = String(init.Command?.[0]);
    expect(script).toContain('65533,65533');
    expect(gitSync.User).toBe('65533:65533');
    expect(gitSync.MountPoints?.map((mount) => mount.ContainerPath).sort()).toEqual(['/git', '/tmp']);
    expect(init.MountPoints?.map((mount) => mount.SourceVolume).sort()).toEqual(gitSync.MountPoints?.map((mount) => mount.SourceVolume).sort());
    for (const mount of init.MountPoints ?? []) expect(script).toContain(`'${mount.ContainerPath}'`);
  });

  it('runs every container on a read-only root filesystem, non-root except the init step, with awslogs to the stack log group', () => {
    for (const definition of containers(template)) {
      expect(definition.ReadonlyRootFilesystem, definition.Name).toBe(true);
      if (definition.Name !== 'volume-init') expect(definition.User, definition.Name).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(definition.LogConfiguration?.LogDriver).toBe('awslogs');
      expect(definition.LogConfiguration?.Options['awslogs-group']).toEqual({ Ref: 'LogGroup' });
      expect(definition.LogConfiguration?.Options['awslogs-stream-prefix']).toBe(definition.Name);
    }
    const volumes = resourcesOfType('AWS::ECS::TaskDefinition')[0]?.Properties.Volumes as { Name: string }[];
    // Fargate has no tmpfs: writable space is a bind-mount volume, never a host path or docker volume.
    expect(volumes.every((volume) => Object.keys(volume).join() === 'Name')).toBe(true);
    expect(resourcesOfType('AWS::Logs::LogGroup')[0]?.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
  });

  it('checks the controller with the same /healthz command as the image HEALTHCHECK', () => {
    const dockerfile = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
    const imageCheck = parseHealthcheck(dockerfile.stages.at(-1)?.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.args ?? '');
    expect(controller.HealthCheck?.Command).toEqual(['CMD', ...imageCheck.command]);
  });

  it('configures the controller only through environment variables that `run` reads', () => {
    // The `.env('ECS_RECONCILER_...')` declarations of the run command and the shared AWS options.
    const declared = new Set(
      ['src/cli/commands/run.ts', 'src/cli/aws-options.ts'].flatMap((file) => [...readFileSync(path.join(root, file), 'utf8').matchAll(/\.env\('(ECS_RECONCILER_\w+)'\)/g)].map((match) => match[1])),
    );
    const names = [...environment(controller).keys()].filter((name) => name.startsWith('ECS_RECONCILER_')).sort();
    expect(names.filter((name) => !declared.has(name))).toEqual([]);
    for (const name of ['ECS_RECONCILER_DIR', 'ECS_RECONCILER_LISTEN', 'ECS_RECONCILER_RESYNC', 'ECS_RECONCILER_WORKERS', 'ECS_RECONCILER_PRUNE', 'ECS_RECONCILER_INSTANCE', 'ECS_RECONCILER_LOG_LEVEL']) {
      expect(names).toContain(name);
    }
    expect(controller.Command).toEqual(['run']);
    expect(environment(controller).get('ECS_RECONCILER_INSTANCE')).toEqual({ Ref: 'InstanceName' });
  });

  it('injects the record key from a secret the stack generates, readable by the execution role only, never as plain environment', () => {
    const secret = template.Resources.RecordKeySecret;
    expect(secret?.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret?.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect((controller as { Secrets?: unknown }).Secrets).toEqual([{ Name: 'ECS_RECONCILER_RECORD_KEY', ValueFrom: { Ref: 'RecordKeySecret' } }]);
    expect(environment(controller).has('ECS_RECONCILER_RECORD_KEY')).toBe(false);
    const readers = Object.entries(template.Resources).filter(([, resource]) => JSON.stringify(resource.Properties).includes('"Resource":{"Ref":"RecordKeySecret"}'));
    expect(readers.map(([id]) => id)).toEqual(['ExecutionRole']);
  });

  it('lets ECS wait longer than the controller shutdown bound before it kills the container', () => {
    const shutdown = /^(\d+)s$/.exec(String(environment(controller).get('ECS_RECONCILER_SHUTDOWN_TIMEOUT')))?.[1];
    expect(controller.StopTimeout).toBeGreaterThan(Number(shutdown));
  });

  it('runs Replicas tasks; without leader election one at a time (the old task stops before the new one), with it overlapping', () => {
    const [service, ...others] = resourcesOfType('AWS::ECS::Service');
    expect(others).toEqual([]);
    expect(service?.Properties.DesiredCount).toEqual({ Ref: 'Replicas' });
    expect(template.Parameters.Replicas?.Default).toBe(1);
    expect(template.Conditions?.LeaderElected).toEqual({ 'Fn::Equals': [{ Ref: 'LeaderElection' }, 'true'] });
    expect(service?.Properties.DeploymentConfiguration).toEqual({
      MinimumHealthyPercent: { 'Fn::If': ['LeaderElected', 100, 0] },
      MaximumPercent: { 'Fn::If': ['LeaderElected', 200, 100] },
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    });
    // More than one replica without leader election is refused before anything is created.
    expect(template.Rules?.ReplicasNeedLeaderElection).toEqual({
      RuleCondition: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Replicas' }, '1'] }] },
      Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'LeaderElection' }, 'true'] }, AssertDescription: expect.stringContaining('LeaderElection=true') }],
    });
    expect(service?.Properties.TaskDefinition).toEqual({ Ref: 'TaskDefinition' });
    // The controller's own service is not one it manages (it would otherwise reconcile, and maybe prune, itself).
    expect(JSON.stringify(service?.Properties.Tags)).not.toContain('ecs-reconciler:managed-by');
  });

  it('gives the task its own task role and execution role, both trusting only ECS tasks of this account', () => {
    const taskDefinition = resourcesOfType('AWS::ECS::TaskDefinition')[0]?.Properties;
    expect(taskDefinition?.TaskRoleArn).toEqual({ 'Fn::GetAtt': ['TaskRole', 'Arn'] });
    expect(taskDefinition?.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': ['ExecutionRole', 'Arn'] });
    for (const role of ['TaskRole', 'ExecutionRole']) {
      const trust = template.Resources[role]?.Properties.AssumeRolePolicyDocument as { Statement: { Principal: unknown; Condition: Record<string, Record<string, unknown>> }[] };
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]?.Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
      expect(trust.Statement[0]?.Condition.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    }
  });
});
