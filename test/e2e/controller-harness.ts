/** The controller as a separate process (`ecs-reconciler run`) against an in-process sandbox, and what tests read from it. */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { Service } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import type { StatusSnapshot } from '../../src/controller/status.js';
import { spawnCli } from './apply-harness.js';
import type { SandboxCall } from './apply-harness.js';

/** A minimal rolling Fargate service in cluster `demo` (no load balancer), one per file. */
export function serviceManifest(name: string, options: { image?: string; desiredCount?: number; family?: string } = {}): string {
  return `apiVersion: ecs-reconciler/v1
kind: Service
metadata:
  name: ${name}
spec:
  cluster: demo
  desiredCount: ${options.desiredCount ?? 1}
  launchType: FARGATE
  networkConfiguration:
    awsvpcConfiguration: {subnets: [subnet-0a1b2c3d4e5f60001], securityGroups: [sg-0123456789abcdef0]}
  taskDefinition:
    family: ${options.family ?? name}
    cpu: "256"
    memory: "512"
    networkMode: awsvpc
    requiresCompatibilities: [FARGATE]
    executionRoleArn: arn:aws:iam::123456789012:role/ecsTaskExecutionRole
    containerDefinitions:
      - name: app
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}:${options.image ?? '1.0.0'}
`;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `ecs-reconciler-${prefix}-`));
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
}

type LogLine = Record<string, unknown> & { msg?: string; event?: string };

export interface ControllerProcess {
  child: ChildProcess;
  /** e.g. http://127.0.0.1:41234, from the `listening` log line. */
  url: string;
  lines: LogLine[];
  /** Resolves with the first log line (already seen or still to come) that matches. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  status(): Promise<StatusSnapshot>;
  readyz(): Promise<{ status: number; body: { status: string; reason?: string; role?: string } }>;
  metrics(): Promise<string>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawns `ecs-reconciler run --dir DIR --endpoint-url ENDPOINT --listen 127.0.0.1:0 ...extra` and waits until it listens. */
export async function startRun(dir: string, endpoint: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ControllerProcess> {
  const child = spawnCli(['run', '--dir', dir, '--endpoint-url', endpoint, '--listen', '127.0.0.1:0', ...extra], env);
  const lines: LogLine[] = [];
  const watchers: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const watcher of watchers.filter((w) => w.match(line))) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitForLine = (match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const watcher = {
        match,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      // A watcher that timed out stops being evaluated on later lines.
      const timer = setTimeout(() => {
        if (watchers.includes(watcher)) watchers.splice(watchers.indexOf(watcher), 1);
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
      watchers.push(watcher);
      void exited.then((code) => reject(new Error(`the controller exited with ${code}; stderr: ${stderr}`)));
    });
  };
  const url = (await waitForLine((line) => line.event === 'listening')).url as string;
  return {
    child,
    url,
    lines,
    waitForLine,
    exited,
    status: async () => (await fetch(`${url}/status`)).json() as Promise<StatusSnapshot>,
    async readyz() {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: (await response.json()) as { status: string; reason?: string; role?: string } };
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns a value (not undefined), or gives up after `timeoutMs` and returns undefined. */
export async function pollFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 50): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function ecsClient(endpoint: string): ECSClient {
  return new ECSClient(sandboxClientConfig(endpoint));
}

/** The ACTIVE service, or undefined. */
export async function activeService(ecs: ECSClient, name: string, cluster = 'demo'): Promise<Service | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
  const service = out.services?.[0];
  return service?.status === 'ACTIVE' ? service : undefined;
}

export async function sandboxCalls(endpoint: string, since = 0): Promise<SandboxCall[]> {
  return (await fetch(`${endpoint}/_sandbox/calls?since=${since}`)).json() as Promise<SandboxCall[]>;
}

/** The value of one sample in a Prometheus exposition, or undefined. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
