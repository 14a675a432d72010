import { access } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_LISTEN, startController } from '../../controller/index.js';
import { RecordKey } from '../../integrity/index.js';
import { createLogger } from '../../log/logger.js';
import { loadDesiredState } from '../../manifest/index.js';
import { DEFAULT_INSTANCE } from '../../plan/index.js';
import type { SeedDocument } from '../../sandbox/core/seed.js';
import { awsClientOptions } from '../aws-options.js';
import { parseDurationMs } from '../durations.js';
import { parseListen, parseLogLevel, stopOnSignal } from './run.js';

interface DevFlags {
  port: number;
  listen: { host: string; port: number };
  resync: number;
  logLevel: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`expected an integer 0..65535, got "${value}"`);
  return port;
}

/**
 * The simulated AWS account, imported when `dev` runs: the CLI registers every command at start, and a static import
 * here would load the whole sandbox (about 60 modules) into `ecs-reconciler run` too.
 */
const sandboxModules = () => Promise.all([import('../../sandbox/sandbox.js'), import('../../sandbox/core/seed.js')]);

/** DIR/.sandbox/seed.yaml when it exists: the sandbox this desired state expects (clusters, load balancers...). */
async function seedFor(dir: string, loadSeedFile: (file: string) => Promise<SeedDocument>) {
  const file = path.join(dir, '.sandbox', 'seed.yaml');
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  return exists ? { file, seed: await loadSeedFile(file) } : undefined;
}

/** Where to look: the controller's pages, the sandbox, and ready-to-paste commands against it. */
async function whereToLook(dir: string, controllerUrl: string, endpoint: string): Promise<string> {
  const byCluster = new Map<string, string[]>();
  for (const { cluster, name } of (await loadDesiredState(dir)).services.values()) byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), name]);
  const describe = [...byCluster].map(([cluster, names]) => `  aws --endpoint-url ${endpoint} ecs describe-services --cluster ${cluster} --services ${names.sort().join(' ')}`);
  return [
    `controller watching ${dir}: edit a manifest and it is applied within a second or two`,
    `  status page  ${controllerUrl}/`,
    `  status JSON  ${controllerUrl}/status`,
    `  metrics      ${controllerUrl}/metrics`,
    `sandbox AWS account at ${endpoint} (admin: ${endpoint}/_sandbox/state, ${endpoint}/_sandbox/calls); any credentials work:`,
    '  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
    ...describe,
    `  npx ecs-reconciler diff ${dir} --endpoint-url ${endpoint}`,
    'press Ctrl+C to stop',
  ].join('\n');
}

/** The out-of-the-box experience: a sandbox seeded for DIR and the controller on DIR, in one process. */
export async function runDev(dir: string, flags: DevFlags): Promise<number> {
  const [{ sandboxClientConfig, startSandbox }, { loadSeedFile }] = await sandboxModules();
  const seeded = await seedFor(dir, loadSeedFile);
  const sandbox = await startSandbox({ port: flags.port, host: '127.0.0.1', ...(seeded ? { seed: seeded.seed } : {}) });
  try {
    process.stdout.write(`sandbox started at ${sandbox.endpoint}${seeded ? `, seeded from ${seeded.file}` : ' (no seed: DIR/.sandbox/seed.yaml not found)'}\n`);
    const { endpoint, region, credentials } = sandboxClientConfig(sandbox.endpoint);
    const instance = process.env.ECS_RECONCILER_INSTANCE ?? DEFAULT_INSTANCE;
    const log = createLogger({ level: flags.logLevel });
    const running = await startController({
      dir,
      instance,
      resyncMs: flags.resync,
      log,
      aws: awsClientOptions({ endpointUrl: endpoint, region, instance }, { clientConfig: { credentials } }),
      listen: flags.listen,
      // The sandbox lives as long as this process, and so do the records signed with this key.
      recordKey: RecordKey.generate(),
    });
    process.stdout.write(`${await whereToLook(dir, running.url, sandbox.endpoint)}\n`);
    return await stopOnSignal(running, log);
  } finally {
    await sandbox.stop();
  }
}

export function register(program: Command): void {
  program
    .command('dev')
    .description('start the local sandbox seeded from DIR/.sandbox/seed.yaml and the controller on DIR, until Ctrl+C')
    .argument('[dir]', 'desired-state folder', 'desired-state')
    .option('--port <port>', 'sandbox port on 127.0.0.1 (0 = any free port)', parsePort, 4566)
    .addOption(new Option('--listen <host:port>', "the controller's metrics, health and status server").argParser(parseListen).default(DEFAULT_LISTEN, '127.0.0.1:9400'))
    .addOption(new Option('--resync <duration>', 'drift detection interval (e.g. 30s, 5m)').argParser(parseDurationMs).default(30_000, '30s'))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').argParser(parseLogLevel).default('info'))
    .action(async (dir: string, flags: DevFlags) => {
      try {
        process.exitCode = await runDev(dir, flags);
      } catch (error) {
        process.stderr.write(`ecs-reconciler dev: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
      process.exit();
    });
}
