import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './apply-harness.js';

export interface DevProcess {
  child: ChildProcess;
  /** Everything `dev` printed so far: the where-to-look block, then the controller's log. */
  stdout(): string;
  /** The sandbox's and the controller's URLs, as `dev` printed them. */
  endpoint: string;
  controller: string;
  /** Sends SIGTERM (unless it has exited) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `ecs-reconciler dev DIR` on free ports and waits until it says where to look. */
export async function startDev(dir: string): Promise<DevProcess> {
  const child = spawnCli(['dev', dir, '--port', '0', '--listen', '127.0.0.1:0']);
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('press Ctrl+C to stop')) resolve();
    });
    void exited.then((code) => reject(new Error(`dev exited early with ${code}: ${stdout}`)));
  });
  const endpoint = /sandbox AWS account at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  const controller = /status page {2}(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)?.[1];
  if (endpoint === undefined || controller === undefined) throw new Error(`dev did not print its endpoints: ${stdout}`);
  return {
    child,
    stdout: () => stdout,
    endpoint,
    controller,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
