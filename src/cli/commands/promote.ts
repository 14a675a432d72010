import type { Command } from 'commander';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import { parseServiceArgument, sendOperatorRequest } from '../../rollout/engine/index.js';
import type { RequestVerb } from '../../rollout/index.js';
import { loadDesiredState } from '../../manifest/index.js';
import { addAwsOptions, awsClientOptions } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';

export interface RequestFlags extends AwsFlags {
  cluster?: string;
  dir: string;
}

/** The services the manifests in `dir` name, to find a bare name's cluster; none when the folder cannot be read. */
async function knownServices(dir: string) {
  try {
    return [...(await loadDesiredState(dir)).services.values()];
  } catch {
    return [];
  }
}

/**
 * Writes an operator request for the controller (promote, abort and retry all work this way). The caller's own AWS
 * credentials make the TagResource call: IAM on ecs:TagResource for the service is the authorisation.
 */
export async function runOperatorRequest(verb: RequestVerb, argument: string, flags: RequestFlags, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const bare = !argument.includes('/') && flags.cluster === undefined;
  const ref = parseServiceArgument(argument, flags.cluster, bare ? await knownServices(flags.dir) : []);
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    const { request } = await sendOperatorRequest(clients.ecs, ref, verb);
    out.write(`${verb} requested for ${ref.cluster}/${ref.service} (tag ecs-reconciler:request=${request}); the controller applies it on its next pass\n`);
    return 0;
  } finally {
    destroyAwsClients(clients);
  }
}

/** The shared shape of the promote, abort and retry commands. */
export function operatorCommand(program: Command, name: string, description: string): Command {
  return addAwsOptions(
    program
      .command(name)
      .description(description)
      .argument('<service>', 'cluster/name, or a name (unique among the manifests in --dir, else with --cluster)')
      .option('--cluster <cluster>', 'the cluster, when SERVICE is a bare name')
      .option('--dir <dir>', 'desired-state folder, to find the cluster of a bare SERVICE name', 'desired-state'),
  );
}

export function reportFailure(name: string, error: unknown): void {
  process.stderr.write(`ecs-reconciler ${name}: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

export function register(program: Command): void {
  operatorCommand(program, 'promote', 'release the step a Canary/BlueGreen rollout waits on (pause, analysis); --full skips the remaining steps')
    .option('--full', 'skip every remaining step (the gates still apply)')
    .action(async (service: string, flags: RequestFlags & { full?: boolean }) => {
      try {
        process.exitCode = await runOperatorRequest(flags.full ? 'promote-full' : 'promote', service, flags);
      } catch (error) {
        reportFailure('promote', error);
      }
    });
}
