import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadSeedFile } from '../../sandbox/core/seed.js';
import { sandboxClientConfig, startSandbox } from '../../sandbox/sandbox.js';
import { DEFAULT_INSTANCE } from '../../plan/index.js';
import type { ReconcileReport } from '../../reconcile/index.js';
import { runPass } from '../aws-options.js';
import { renderReport, useColour } from '../render.js';

interface DevFlags {
  port: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0..65535, got ${value}`);
  return port;
}

/** DIR/.sandbox/seed.yaml when it exists: the sandbox this desired state expects (clusters, load balancers...). */
async function seedFor(dir: string) {
  const file = path.join(dir, '.sandbox', 'seed.yaml');
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  return exists ? { file, seed: await loadSeedFile(file) } : undefined;
}

/** Where to look next: the endpoint, and commands for the AWS CLI and for `diff` against it. */
function whereToLook(endpoint: string, dir: string, report: ReconcileReport): string {
  const byCluster = new Map<string, string[]>();
  for (const { key } of report.services) {
    const [cluster = '', name = ''] = key.split('/');
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
  }
  const describe = [...byCluster].map(([cluster, names]) => `  aws --endpoint-url ${endpoint} ecs describe-services --cluster ${cluster} --services ${names.join(' ')}`);
  return [
    `sandbox running at ${endpoint} (admin: ${endpoint}/_sandbox/state, ${endpoint}/_sandbox/calls)`,
    'any credentials work; for example:',
    '  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    ...describe,
    `  npx ecs-reconciler diff ${dir} --endpoint-url ${endpoint}`,
    `  npx ecs-reconciler apply ${dir} --endpoint-url ${endpoint}`,
    'press Ctrl+C to stop',
  ].join('\n');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** The out-of-the-box experience: a sandbox seeded for DIR, one apply pass of DIR, then the sandbox stays up. */
export async function runDev(dir: string, flags: DevFlags): Promise<number> {
  const seeded = await seedFor(dir);
  const sandbox = await startSandbox({ port: flags.port, host: '127.0.0.1', ...(seeded ? { seed: seeded.seed } : {}) });
  const signal = untilSignal();
  try {
    process.stdout.write(`sandbox started at ${sandbox.endpoint}${seeded ? `, seeded from ${seeded.file}` : ' (no seed: DIR/.sandbox/seed.yaml not found)'}\n`);
    const { endpoint, region, credentials } = sandboxClientConfig(sandbox.endpoint);
    // The one apply step; the long-running controller (`run`) takes its place when it lands.
    const report = await runPass(dir, { endpointUrl: endpoint, region, instance: process.env.ECS_RECONCILER_INSTANCE ?? DEFAULT_INSTANCE }, {}, { credentials });
    process.stdout.write(renderReport(report, { color: useColour(process.stdout), showCalls: true }));
    process.stdout.write(`\n${whereToLook(sandbox.endpoint, dir, report)}\n`);
    await signal;
  } finally {
    await sandbox.stop();
  }
  return 0;
}

export function register(program: Command): void {
  program
    .command('dev')
    .description('start the local sandbox seeded from DIR/.sandbox/seed.yaml, apply DIR once, and keep the sandbox running until Ctrl+C')
    .argument('[dir]', 'desired-state folder', 'desired-state')
    .option('--port <port>', 'sandbox port on 127.0.0.1 (0 = any free port)', parsePort, 4566)
    .action(async (dir: string, flags: DevFlags) => {
      try {
        process.exitCode = await runDev(dir, flags);
      } catch (error) {
        process.stderr.write(`ecs-reconciler dev: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
