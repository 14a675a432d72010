/**
 * The controller container of deploy/cloudformation.yaml, run the way ECS would run it (the template's command,
 * environment and git-sync volume layout; the Dockerfile's NODE_ENV and HEALTHCHECK) against the sandbox. No docker
 * engine here: the CLI runs from source, with /git replaced by a temporary folder laid out as git-sync lays it out.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DEMO_SEED } from './apply-harness.js';
import { ecsClient, pollFor, sampleValue } from './controller-harness.js';
import { container, loadTemplate, parameterDefaults, resolveValue } from '../unit/deploy/cloudformation.js';
import { parseDockerfile, parseHealthcheck } from '../unit/deploy/dockerfile.js';
import { TEST_RECORD_SECRET } from '../support/record-key.js';

const template = loadTemplate();
const controllerDefinition = container(template, 'controller');
const runtimeStage = parseDockerfile(readFileSync('Dockerfile', 'utf8')).stages.at(-1);
const healthcheck = parseHealthcheck(runtimeStage?.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK')?.args ?? '');
const imageEnv = Object.fromEntries(
  (runtimeStage?.instructions ?? []).filter((instruction) => instruction.keyword === 'ENV').flatMap((instruction) => instruction.args.split(/\s+/).map((pair) => pair.split('=') as [string, string])),
);

const FIRST_COMMIT = 'a'.repeat(40);
const SECOND_COMMIT = 'b'.repeat(40);

let sandbox: RunningSandbox;
let root: string;
let child: ChildProcess;
let exited: Promise<number | null>;
let url: string;

/** What git-sync does on a sync: a worktree named after the commit, then the `current` link swapped by rename. */
async function publish(commit: string, edit: (dir: string) => Promise<void>): Promise<void> {
  const worktree = path.join(root, 'git', '.worktrees', commit);
  await cp('desired-state', worktree, { recursive: true, filter: (source) => !source.includes(`${path.sep}.sandbox`) });
  await edit(worktree);
  const tmpLink = path.join(root, 'git', 'tmp-link');
  await symlink(path.join('.worktrees', commit), tmpLink);
  await rename(tmpLink, path.join(root, 'git', 'current'));
}

/** The controller container's environment as CloudFormation renders it with the default parameters. */
function containerEnvironment(listen: string): NodeJS.ProcessEnv {
  // Ref of a resource renders its physical name: the lease table's, for the one resource the environment names.
  const values = { ...parameterDefaults(template), 'AWS::Region': 'us-east-1', LeaseTable: 'ecs-reconciler-stack-LeaseTable' };
  const rendered = Object.fromEntries(
    (controllerDefinition.Environment ?? []).map((entry) => [String(entry.Name), resolveValue(entry.Value, values)]),
  );
  // ECS resolves each container secret to the secret's value: the stack's generated record key, here the tests' key.
  const secretValues: Record<string, string> = { RecordKeySecret: TEST_RECORD_SECRET };
  const secrets = Object.fromEntries(
    ((controllerDefinition as { Secrets?: { Name: string; ValueFrom: { Ref: string } }[] }).Secrets ?? []).map((secret) => [secret.Name, secretValues[secret.ValueFrom.Ref]]),
  );
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('ECS_RECONCILER_')));
  return {
    ...inherited,
    NODE_ENV: imageEnv.NODE_ENV,
    ...rendered,
    ...secrets,
    // The volume is mounted at /git in the task; here it is a temporary folder. Tests listen on loopback, port 0.
    ECS_RECONCILER_DIR: String(rendered.ECS_RECONCILER_DIR).replace(/^\/git\//, `${path.join(root, 'git')}/`),
    ECS_RECONCILER_LISTEN: listen,
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}

/** Runs the image's HEALTHCHECK command as Docker would, with the container's listen address. */
function runHealthcheck(listen: string): number | null {
  const [command, ...args] = healthcheck.command;
  return spawnSync(command as string, args, { env: { ...process.env, ECS_RECONCILER_LISTEN: listen }, timeout: 10_000 }).status;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: DEMO_SEED });
  root = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-deploy-'));
  await mkdir(path.join(root, 'git', '.worktrees'), { recursive: true });
  await publish(FIRST_COMMIT, () => Promise.resolve());

  child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...(controllerDefinition.Command as string[])], {
    env: containerEnvironment('127.0.0.1:0'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.on('close', resolve));
  url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const listening = buffered
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event?: string; url?: string })
        .find((line) => line.event === 'listening');
      if (listening?.url) resolve(listening.url);
    });
    void exited.then((code) => reject(new Error(`the controller exited with ${code}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited;
  await sandbox.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the controller container of the CloudFormation template', () => {
  it('passes the image HEALTHCHECK, also when it listens on every interface', () => {
    const port = new URL(url).port;
    expect(runHealthcheck(`127.0.0.1:${port}`)).toBe(0);
    expect(runHealthcheck(`0.0.0.0:${port}`)).toBe(0);
    expect(runHealthcheck(`:${port}`)).toBe(0);
  });

  it('becomes ready on the git-sync link and reports the worktree commit as the revision', async () => {
    const ready = await pollFor(async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 30_000);
    expect(ready).toBe(true);
    const status = (await (await fetch(`${url}/status`)).json()) as { revision?: string; services: unknown[] };
    expect(status.revision).toBe(FIRST_COMMIT);
    expect(status.services.length).toBeGreaterThan(0);
    expect(sampleValue(await (await fetch(`${url}/metrics`)).text(), 'ecs_reconciler_desired_state_info', { revision: FIRST_COMMIT })).toBe(1);
  });

  it('tags what it creates with the instance name the template passes and the commit', async () => {
    const ecs = ecsClient(sandbox.endpoint);
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'], include: ['TAGS'] }));
    ecs.destroy();
    const tags = Object.fromEntries((out.services?.[0]?.tags ?? []).map((tag) => [tag.key, tag.value]));
    expect(tags['ecs-reconciler:managed-by']).toBe(parameterDefaults(template).InstanceName);
    expect(tags['ecs-reconciler:revision']).toBe(FIRST_COMMIT);
  });

  it('follows git-sync swapping the link to a new commit', async () => {
    await publish(SECOND_COMMIT, async (worktree) => {
      const file = path.join(worktree, 'services', 'web.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace(/desiredCount: \d+/, 'desiredCount: 3'));
    });
    const revision = await pollFor(async () => {
      const status = (await (await fetch(`${url}/status`)).json()) as { revision?: string };
      return status.revision === SECOND_COMMIT ? status.revision : undefined;
    }, 30_000);
    expect(revision).toBe(SECOND_COMMIT);
  });

  it('stops with exit code 0 on SIGTERM, after which the health check fails', async () => {
    const port = new URL(url).port;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(runHealthcheck(`127.0.0.1:${port}`)).toBe(1);
  });
});
