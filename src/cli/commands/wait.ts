import type { Command } from 'commander';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import { loadDesiredState, parseDuration } from '../../manifest/index.js';
import { parseServiceArgument } from '../../rollout/engine/index.js';
import { awsOutcomes } from '../../wait/poll.js';
import { WAIT_EXIT, waitForOutcomes } from '../../wait/wait.js';
import { addAwsOptions, awsClientOptions } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';

interface WaitFlags extends AwsFlags {
  dir: string;
  cluster?: string;
  revision?: string;
  timeout: string;
  interval: string;
}

/**
 * Waits for the running controller's outcome of each service, reading only AWS (like `argocd app wait`): healthy on
 * `--revision` (0), failed, rolled back, aborted or held (1, with the reason), timeout or error (2).
 */
export async function runWait(serviceArguments: readonly string[], flags: WaitFlags): Promise<number> {
  const timeoutMs = parseDuration(flags.timeout) * 1000;
  const intervalMs = parseDuration(flags.interval) * 1000;
  const keys =
    serviceArguments.length > 0
      ? serviceArguments.map((argument) => {
          const ref = parseServiceArgument(argument, flags.cluster);
          return `${ref.cluster}/${ref.service}`;
        })
      : [...(await loadDesiredState(flags.dir)).services.keys()];
  if (keys.length === 0) throw new Error(`no service to wait for: name them, or point --dir at manifests`);
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    return await waitForOutcomes(keys, awsOutcomes(clients, keys, flags.revision === undefined ? {} : { revision: flags.revision }), {
      timeoutMs,
      intervalMs,
      out: process.stdout,
    });
  } finally {
    destroyAwsClients(clients);
  }
}

export function register(program: Command): void {
  addAwsOptions(
    program
      .command('wait')
      .description('wait until services are healthy on a revision, or failed (reads AWS only; exit 0 healthy, 1 failed or Degraded, 2 timeout or error)')
      .argument('[services...]', 'cluster/name, or name with --cluster; default every service of the manifests in --dir')
      .option('--dir <dir>', 'desired-state folder, for the services to wait for when none is named', 'desired-state')
      .option('--cluster <cluster>', 'the cluster, for bare service names')
      .option('--revision <sha>', 'the desired-state revision (git commit, or a prefix) that must be serving')
      .option('--timeout <duration>', 'give up after this long (exit 2)', '10m')
      .option('--interval <duration>', 'how often to look', '2s'),
  ).action(async (services: string[], flags: WaitFlags) => {
    try {
      process.exitCode = await runWait(services, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler wait: ${(error as Error).message}\n`);
      process.exitCode = WAIT_EXIT.timeoutOrError;
    }
  });
}
