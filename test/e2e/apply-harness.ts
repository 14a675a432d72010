/** Shared set-up for the apply/diff/dev end-to-end tests: the demo sandbox, a copy of desired-state/, call logs. */
import type { CallRecord } from '../../src/sandbox/core/calls.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { createAwsClients, destroyAwsClients } from '../../src/aws/index.js';
import type { AwsClients } from '../../src/aws/index.js';
import { CallRecorder } from '../../src/apply/index.js';
import { ManualClock } from '../../src/sandbox/core/clock.js';
import { sandboxClientConfig, startSandbox } from '../../src/sandbox/sandbox.js';
import type { RunningSandbox } from '../../src/sandbox/sandbox.js';
import { reconcileAll } from '../../src/reconcile/index.js';
import type { ReconcileOptions, ReconcileReport } from '../../src/reconcile/index.js';
import { serviceManifest } from './controller-harness.js';
import { RECORD_KEY_ENV } from '../../src/integrity/index.js';
import { TEST_RECORD_SECRET } from '../support/record-key.js';

export const DEMO_SEED = 'desired-state/.sandbox/seed.yaml';

/** A rolling service without load balancer or autoscaling, in the minimal form (AWS fills in the rest). */
export const API_MANIFEST = serviceManifest('api', { desiredCount: 2 });

/** One entry of the sandbox's call log (GET /_sandbox/calls), as JSON: a write's input is an object. */
export type SandboxCall = Omit<CallRecord, 'input'> & { input?: Record<string, unknown> };

/** What a test sees: the demo sandbox (time moves only when told), SDK clients with a call recorder, a desired-state copy. */
export interface Harness {
  sandbox: RunningSandbox;
  clients: AwsClients;
  calls: CallRecorder;
  /** The ECS/ELBv2/AAS command inputs the controller's clients sent, in order. */
  sent: { operation: string; input: Record<string, unknown> }[];
  dir: string;
  apply(options?: ReconcileOptions): Promise<ReconcileReport>;
  diff(): Promise<ReconcileReport>;
  /** Sandbox call log entries after `since` (a seq), optionally only mutating ones. */
  sandboxCalls(since?: number, mutatingOnly?: boolean): Promise<SandboxCall[]>;
  lastSeq(): Promise<number>;
  /** Edits one manifest file in the copy, keeping comments and layout. */
  edit(file: string, change: (doc: ReturnType<typeof parseDocument>) => void): Promise<void>;
  stop(): Promise<void>;
}

type Handler = (args: { input: unknown }) => Promise<unknown>;
interface StackLike {
  add(middleware: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'initialize'; name: string }): void;
}

/** Records every command's input at the start of the middleware stack (before any retry). */
function recordInputs(clients: AwsClients, sent: Harness['sent']): void {
  for (const client of [clients.ecs, clients.elbv2, clients.autoscaling]) {
    (client.middlewareStack as unknown as StackLike).add(
      (next, context) => async (args) => {
        sent.push({ operation: (context.commandName ?? '').replace(/Command$/, ''), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'testRecordInputs' },
    );
  }
}

export async function startHarness(extraFiles: Record<string, string> = {}): Promise<Harness> {
  const sandbox = await startSandbox({ port: 0, seed: DEMO_SEED, clock: new ManualClock() });
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-e2e-'));
  await cp('desired-state', dir, { recursive: true });
  for (const [file, text] of Object.entries(extraFiles)) await writeFile(path.join(dir, file), text);
  const calls = new CallRecorder();
  const config = sandboxClientConfig(sandbox.endpoint);
  const clients = createAwsClients({ endpoint: config.endpoint, region: config.region, observer: calls.observer, clientConfig: { credentials: config.credentials } });
  const sent: Harness['sent'] = [];
  recordInputs(clients, sent);
  const readBack = { attempts: 3, delayMs: 0 };
  const harness: Harness = {
    sandbox,
    clients,
    calls,
    sent,
    dir,
    apply: (options = {}) => reconcileAll({ dir, clients, calls, options: { readBack, ...options } }),
    diff: () => reconcileAll({ dir, clients, calls, options: { dryRun: true } }),
    async sandboxCalls(since = 0, mutatingOnly = false) {
      const response = await fetch(`${sandbox.endpoint}/_sandbox/calls?since=${since}`);
      const all = (await response.json()) as SandboxCall[];
      return mutatingOnly ? all.filter((call) => call.mutating) : all;
    },
    async lastSeq() {
      const all = await harness.sandboxCalls();
      return all.at(-1)?.seq ?? 0;
    },
    async edit(file, change) {
      const target = path.join(dir, file);
      const doc = parseDocument(await readFile(target, 'utf8'));
      change(doc);
      await writeFile(target, doc.toString());
    },
    async stop() {
      destroyAwsClients(clients);
      await sandbox.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Mutating operations, as `service.Operation`, from a sandbox call log. */
export function mutatingOperations(calls: readonly SandboxCall[]): string[] {
  return calls.filter((call) => call.mutating).map((call) => `${call.service}.${call.operation}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a user would have against the sandbox: any credentials, no endpoint variables of the host's own. */
export function cliEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && key !== 'ECS_RECONCILER_INSTANCE'));
  return { ...env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NO_COLOR: '1', [RECORD_KEY_ENV]: TEST_RECORD_SECRET };
}

/** Runs `ecs-reconciler <args>` from source, as `node --import tsx src/cli/main.ts <args>`; `env` adds variables. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...cliEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
