import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, findTools } from '../support/tools.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox, type RunningSandbox } from '../../src/sandbox/sandbox.js';

const run = promisify(execFile);

// Debian's awscli v2 in CI, else whatever `aws` is on PATH.
const awsCli = findTool('aws');
// ECS service deployments (2025) are missing from older CLIs' models, such as Debian 12's awscli 2.9: the first CLI
// that knows them reads the native deployments.
const nativeCli = findTools('aws').find(
  (cli) => spawnSync(cli, ['ecs', 'list-service-deployments', 'help'], { env: { PATH: process.env.PATH, PAGER: 'cat', AWS_PAGER: '' }, stdio: 'ignore' }).status === 0,
);
let sandbox: RunningSandbox;
let home: string;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock();
  sandbox = await startSandbox({ port: 0, clock });
  home = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
});

afterAll(async () => {
  await sandbox.stop();
  await rm(home, { recursive: true, force: true });
});

function aws(...args: string[]): Promise<unknown> {
  return awsWith(awsCli!, ...args);
}

async function awsWith(cli: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(cli, [...args, '--endpoint-url', sandbox.endpoint, '--region', 'us-east-1', '--output', 'json'], {
    env: { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '', AWS_MAX_ATTEMPTS: '1' },
  });
  return stdout.trim() === '' ? {} : JSON.parse(stdout);
}

describe.skipIf(!awsCli)(`the AWS CLI against the sandbox (${awsCli ?? 'skipped: no aws binary found at /usr/bin/aws or on PATH'})`, () => {
  it('creates a cluster, task definition and service, and reads them back', async () => {
    await aws('ecs', 'create-cluster', '--cluster-name', 'cli');
    const definition = join(home, 'td.json');
    await writeFile(
      definition,
      JSON.stringify({
        family: 'cli-web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '512',
        memory: '1024',
        containerDefinitions: [{ name: 'app', image: 'nginx:1.27', portMappings: [{ containerPort: 80 }] }],
      }),
    );
    const registered = (await aws('ecs', 'register-task-definition', '--cli-input-json', `file://${definition}`)) as { taskDefinition: { revision: number; containerDefinitions: Array<{ essential: boolean }> } };
    expect(registered.taskDefinition.revision).toBe(1);
    expect(registered.taskDefinition.containerDefinitions[0]?.essential).toBe(true);
    await aws(
      'ecs', 'create-service', '--cluster', 'cli', '--service-name', 'web', '--task-definition', 'cli-web', '--desired-count', '2',
      '--launch-type', 'FARGATE', '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1]}',
    );
    clock.advance(10_000);
    const described = (await aws('ecs', 'describe-services', '--cluster', 'cli', '--services', 'web')) as { services: Array<{ runningCount: number; deployments: Array<{ rolloutState: string }> }> };
    expect(described.services[0]?.runningCount).toBe(2);
    expect(described.services[0]?.deployments[0]?.rolloutState).toBe('COMPLETED');
    const tasks = (await aws('ecs', 'list-tasks', '--cluster', 'cli', '--service-name', 'web')) as { taskArns: string[] };
    expect(tasks.taskArns).toHaveLength(2);
  });

  it.skipIf(!nativeCli)(
    `reads native service deployments and revisions with its own models (${nativeCli ?? 'skipped: no AWS CLI here knows ECS service deployments; install a current awscli'})`,
    async () => {
    await awsWith(nativeCli!, 
      'ecs', 'create-service', '--cluster', 'cli', '--service-name', 'native', '--task-definition', 'cli-web', '--desired-count', '1',
      '--launch-type', 'FARGATE', '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-1]}',
      '--deployment-configuration', JSON.stringify({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }),
    );
    clock.advance(10_000);
    const listed = (await awsWith(nativeCli!, 'ecs', 'list-service-deployments', '--cluster', 'cli', '--service', 'native')) as { serviceDeployments: Array<{ serviceDeploymentArn: string; status: string; targetServiceRevisionArn: string }> };
    expect(listed.serviceDeployments).toHaveLength(1);
    const [brief] = listed.serviceDeployments;
    expect(brief?.status).toBe('IN_PROGRESS');
    expect(brief?.serviceDeploymentArn).toMatch(/^arn:aws:ecs:us-east-1:\d+:service-deployment\/cli\/native\/[\w-]{22}$/);
    const described = (await awsWith(nativeCli!, 'ecs', 'describe-service-deployments', '--service-deployment-arns', brief!.serviceDeploymentArn)) as {
      serviceDeployments: Array<{ lifecycleStage: string; deploymentConfiguration: { strategy: string }; targetServiceRevision: { arn: string; runningTaskCount: number; requestedProductionTrafficWeight: number } }>;
      failures: unknown[];
    };
    expect(described.failures).toEqual([]);
    expect(described.serviceDeployments[0]).toMatchObject({
      lifecycleStage: 'BAKE_TIME',
      deploymentConfiguration: { strategy: 'BLUE_GREEN' },
      targetServiceRevision: { arn: brief!.targetServiceRevisionArn, runningTaskCount: 1, requestedProductionTrafficWeight: 100 },
    });
    const revisions = (await awsWith(nativeCli!, 'ecs', 'describe-service-revisions', '--service-revision-arns', brief!.targetServiceRevisionArn)) as { serviceRevisions: Array<{ taskDefinition: string; containerImages: unknown[] }> };
    expect(revisions.serviceRevisions[0]).toMatchObject({ taskDefinition: expect.stringContaining('cli-web:1'), containerImages: [{ containerName: 'app', image: 'nginx:1.27' }] });
    clock.advance(5 * 60_000);
    const done = (await awsWith(nativeCli!, 'ecs', 'list-service-deployments', '--cluster', 'cli', '--service', 'native', '--status', 'SUCCESSFUL')) as { serviceDeployments: Array<{ status: string }> };
    expect(done.serviceDeployments.map((d) => d.status)).toEqual(['SUCCESSFUL']);
    },
  );

  it('surfaces AWS-shaped errors', async () => {
    const failure = await aws('ecs', 'update-service', '--cluster', 'cli', '--service', 'ghost', '--desired-count', '1').catch((error: { stderr: string }) => error);
    expect((failure as { stderr: string }).stderr).toMatch(/\(ServiceNotFoundException\) when calling the UpdateService operation.*: Service not found\./);
  });
});

describe('ecs-reconciler sandbox', () => {
  it('starts on the requested port with a seed and stops on SIGTERM', async () => {
    const seed = join(home, 'seed.json');
    await writeFile(seed, JSON.stringify({ ecs: { clusters: ['seeded'] } }));
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'sandbox', '--port', '0', '--seed', seed, '--time-scale', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}: ${output}`)));
    });
    const ecs = new ECSClient(sandboxClientConfig(endpoint));
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    ecs.destroy();
    expect(clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/seeded']);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
