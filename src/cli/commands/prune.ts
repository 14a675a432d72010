import type { Command } from 'commander';
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { createAwsClients, destroyAwsClients } from '../../aws/index.js';
import { describeClusters } from '../../observe/ecs.js';
import { formatWindow, PRUNE_APPROVAL_TAG } from '../../plan/index.js';
import { addAwsOptions, awsClientOptions } from '../aws-options.js';
import type { AwsFlags } from '../aws-options.js';
import { parseDurationMs } from '../durations.js';

const DEFAULT_APPROVAL_MS = 15 * 60_000;

/**
 * Approves prune past its deletion budget in one cluster, for a while: a tag on the cluster, written with the
 * caller's own credentials (IAM on ecs:TagResource for the cluster is the authorisation, as for promote and abort).
 */
export async function approvePrune(cluster: string, flags: AwsFlags & { for: number }, now = Date.now(), out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const clients = createAwsClients(awsClientOptions(flags));
  try {
    const [described] = await describeClusters(clients.ecs, [cluster]);
    if (!described) throw new Error(`cluster ${cluster} does not exist (or is INACTIVE)`);
    const until = new Date(now + flags.for).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await clients.ecs.send(new TagResourceCommand({ resourceArn: described.arn, tags: [{ key: PRUNE_APPROVAL_TAG, value: until }] }));
    out.write(`prune approved in cluster ${described.name} until ${until} (tag ${PRUNE_APPROVAL_TAG}): the deletion budget does not hold back its deletions for ${formatWindow(flags.for)}\n`);
    return 0;
  } finally {
    destroyAwsClients(clients);
  }
}

export function register(program: Command): void {
  const prune = program.command('prune').description('operate prune\'s deletion budget (docs/operations.md#ecsreconcilerprunebudgetexceeded)');
  addAwsOptions(
    prune
      .command('approve')
      .description('let prune delete past its deletion budget in CLUSTER for a while (the deletions are still recorded)')
      .argument('<cluster>', 'the cluster whose held deletions to approve')
      .option('--for <duration>', 'how long the approval lasts', parseDurationMs, DEFAULT_APPROVAL_MS),
  ).action(async (cluster: string, flags: AwsFlags & { for: number }) => {
    try {
      process.exitCode = await approvePrune(cluster, flags);
    } catch (error) {
      process.stderr.write(`ecs-reconciler prune approve: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  });
}
