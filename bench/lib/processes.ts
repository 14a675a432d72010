/** The sandbox and the controller as child processes (tsx, IPC), and the sandbox's admin API. */
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ControllerReply, ControllerRequest, ControllerSettings } from './controller-protocol.js';
import { controllerNodeFlags } from './options.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function forkScript(script: string, args: string[], options: { execArgv: string[]; env?: Record<string, string> }): ChildProcess {
  return fork(script, args, {
    execArgv: options.execArgv,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

let compiledController: Promise<{ outDir: string; script: string }> | undefined;

/**
 * The controller process runs compiled JavaScript, as in production (`dist/`): under tsx its RSS would include the
 * loader's ~40 MB. Compiled once per bench run into a temporary folder, with package.json (the runtime reads its
 * version from ../../package.json) and a link to node_modules beside it.
 */
async function controllerScript(): Promise<string> {
  compiledController ??= (async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-bench-build-'));
    const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--strict', '--verbatimModuleSyntax', '--target', 'ES2023', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--skipLibCheck', '--resolveJsonModule', '--types', 'node'];
    await promisify(execFile)(process.execPath, [tsc, ...flags, '--rootDir', repoRoot, '--outDir', outDir, path.join(here, 'controller-child.ts')], { cwd: repoRoot }).catch(
      // Type errors in files being edited elsewhere do not stop tsc from emitting; only a missing output does.
      () => undefined,
    );
    await copyFile(path.join(repoRoot, 'package.json'), path.join(outDir, 'package.json'));
    await symlink(path.join(repoRoot, 'node_modules'), path.join(outDir, 'node_modules'));
    return { outDir, script: path.join(outDir, 'bench', 'lib', 'controller-child.js') };
  })();
  return (await compiledController).script;
}

/** Removes the compiled controller, once the bench is done with it. */
export async function removeCompiledController(): Promise<void> {
  if (compiledController) await rm((await compiledController).outDir, { recursive: true, force: true });
}

function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`${what} exited with code ${code} before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

export interface SandboxCall {
  seq: number;
  time: number;
  service: string;
  operation: string;
  mutating: boolean;
  outcome: 'ok' | 'throttled' | 'error' | 'fault';
  errorCode?: string;
}

export class SandboxProcess {
  /** The last call seen by `callsSince`-based readers: everything up to it belongs to earlier measurements. */
  private cursor = 0;

  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
  ) {}

  static async start(seedFile: string, seed: unknown): Promise<SandboxProcess> {
    await writeFile(seedFile, JSON.stringify(seed));
    const child = forkScript(path.join(here, 'sandbox-child.ts'), [seedFile], { execArgv: ['--import', 'tsx'] });
    const ready = await firstMessage<{ endpoint: string }>(child, 'the sandbox');
    return new SandboxProcess(child, ready.endpoint);
  }

  async setFaults(faults: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.endpoint}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    if (!response.ok) throw new Error(`setting sandbox faults failed: ${response.status} ${await response.text()}`);
  }

  /** Calls after `seq` (default: after the last one already taken), without moving the cursor. */
  async peek(seq = this.cursor): Promise<SandboxCall[]> {
    const response = await fetch(`${this.endpoint}/_sandbox/calls?since=${seq}`);
    if (!response.ok) throw new Error(`reading the sandbox call log failed: ${response.status}`);
    return ((await response.json()) as SandboxCall[]).map(({ seq, time, service, operation, mutating, outcome, errorCode }) => ({
      seq,
      time,
      service,
      operation,
      mutating,
      outcome,
      ...(errorCode !== undefined ? { errorCode } : {}),
    }));
  }

  /** The calls since the previous `take`, then moves the cursor past them. */
  async take(): Promise<SandboxCall[]> {
    const calls = await this.peek();
    if (calls.length > 0) this.cursor = calls[calls.length - 1]!.seq;
    return calls;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

export class ControllerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ControllerReply) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id?: number; reply?: ControllerReply; error?: string }) => {
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.reply!);
    });
  }

  static async start(settings: ControllerSettings): Promise<ControllerProcess> {
    const child = forkScript(await controllerScript(), [], {
      execArgv: controllerNodeFlags(settings.heapMb),
      env: { BENCH_CONTROLLER: JSON.stringify(settings) },
    });
    await firstMessage(child, 'the controller');
    return new ControllerProcess(child);
  }

  request<T extends ControllerReply['type']>(type: T): Promise<Extract<ControllerReply, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (reply: ControllerReply) => void, reject });
      this.child.send({ id, request: { type } satisfies ControllerRequest });
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
