import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_AWS_UNREACHABLE_AFTER_MS, DEFAULT_LISTEN, DEFAULT_RESYNC_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, DEFAULT_WORKERS, startController } from '../../controller/index.js';
import type { RunningController } from '../../controller/index.js';
import { scaledRateLimits } from '../../aws/index.js';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_LEASE_TABLE, DEFAULT_RENEW_INTERVAL_MS, DEFAULT_SHARDS, defaultReplicaId } from '../../ha/index.js';
import type { HaSettings } from '../../ha/index.js';
import { createLogger, parseLevel } from '../../log/logger.js';
import type { Logger } from '../../log/logger.js';
import { stat } from 'node:fs/promises';
import { parseDurationMs } from '../durations.js';
import { loadRecordKey, RECORD_KEY_ENV, RecordKey } from '../../integrity/index.js';
import { addAwsOptions, awsClientOptions, isSandboxEndpoint } from '../aws-options.js';
import { addLimitOptions, inputLimits } from '../limit-options.js';
import type { AwsFlags } from '../aws-options.js';
import { addPruneBudgetOptions, pruneBudgetOf } from '../prune-options.js';
import type { PruneBudgetFlags } from '../prune-options.js';

export interface RunFlags extends AwsFlags, PruneBudgetFlags {
  dir: string;
  listen: { host: string; port: number };
  resync: number;
  workers: number;
  prune: boolean;
  logLevel: string;
  shutdownTimeout: number;
  leaderElect: boolean;
  leaseTable: string;
  leaseDuration: number;
  leaseRenew: number;
  replicaId: string;
  createLeaseTable: boolean;
  shards: number;
  leaseEndpointUrl?: string;
  awsRateScale: number;
  awsUnreachableAfter: number;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces). Port 0 picks a free one. */
export function parseListen(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = colon <= 0 ? '0.0.0.0' : value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(colon + 1));
  if (colon === -1 || !Number.isInteger(port) || port < 0 || port > 65535 || value.slice(colon + 1) === '') {
    throw new InvalidArgumentError(`expected HOST:PORT such as 127.0.0.1:9400 (port 0..65535), got "${value}"`);
  }
  return { host, port };
}

function parseWorkers(value: string): number {
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new InvalidArgumentError(`expected an integer 1..64, got "${value}"`);
  return workers;
}

function parseRateScale(value: string): number {
  const factor = Number(value);
  if (!(factor > 0) || !Number.isFinite(factor)) throw new InvalidArgumentError(`expected a positive number such as 2 or 0.5, got "${value}"`);
  return factor;
}

function parseShards(value: string): number {
  const shards = Number(value);
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new InvalidArgumentError(`expected an integer 1..1024, got "${value}"`);
  return shards;
}

/** Leader election's settings, or undefined when it is off (this process then reconciles every service). */
export function haSettings(flags: RunFlags): HaSettings | undefined {
  if (!flags.leaderElect) return undefined;
  return {
    tableName: flags.leaseTable,
    leaseDurationMs: flags.leaseDuration,
    renewIntervalMs: flags.leaseRenew,
    replicaId: flags.replicaId,
    createTable: flags.createLeaseTable,
    shards: flags.shards,
    ...(flags.leaseEndpointUrl !== undefined ? { endpoint: flags.leaseEndpointUrl } : {}),
  };
}

export function parseLogLevel(value: string): string {
  try {
    return parseLevel(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'off']);

/** Commander turns a boolean option on whenever its variable is set; ECS_RECONCILER_PRUNE=false must mean off. */
function envFlag(command: Command, name: string, envVar: string): boolean {
  const value = command.getOptionValue(name) === true;
  if (command.getOptionValueSource(name) !== 'env') return value;
  return !FALSE_WORDS.has((process.env[envVar] ?? '').trim().toLowerCase());
}

/** Resolves once SIGTERM or SIGINT arrives. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Stops on the first signal; exit code 0 whether in-flight reconciles finished or were abandoned at the bound. */
export async function stopOnSignal(running: RunningController, log: Logger): Promise<number> {
  const signal = await untilSignal();
  log.info({ signal }, `${signal}: shutting down`);
  await running.stop();
  return 0;
}

/**
 * ECS_RECONCILER_RECORD_KEY; against the sandbox (a loopback endpoint) without it, a key generated for this process,
 * so that `run` on the sandbox needs no setup. Errors name the variable, never a value.
 */
export function controllerRecordKey(flags: Pick<AwsFlags, 'endpointUrl'>, log: Pick<Logger, 'warn'>, env: Readonly<Record<string, string | undefined>> = process.env): RecordKey {
  if (env[RECORD_KEY_ENV] === undefined && isSandboxEndpoint(flags.endpointUrl ?? env.AWS_ENDPOINT_URL)) {
    log.warn({ event: 'record-key' }, `${RECORD_KEY_ENV} is not set: signing rollout records with a key generated for this process (sandbox endpoint); after a restart, rollouts in flight hold until retried`);
    return RecordKey.generate();
  }
  return loadRecordKey(env);
}

export async function runController(flags: RunFlags): Promise<number> {
  // The folder may not exist yet (the controller waits for it), but a file is never the whole desired state.
  if ((await stat(flags.dir).catch(() => undefined))?.isFile()) throw new Error(`--dir must be the desired-state folder, and ${flags.dir} is a file`);
  const log = createLogger({ level: flags.logLevel });
  const recordKey = controllerRecordKey(flags, log);
  const ha = haSettings(flags);
  const running = await startController({
    dir: flags.dir,
    instance: flags.instance,
    workers: flags.workers,
    resyncMs: flags.resync,
    prune: flags.prune,
    pruneBudget: pruneBudgetOf(flags),
    awsUnreachableAfterMs: flags.awsUnreachableAfter,
    shutdownTimeoutMs: flags.shutdownTimeout,
    log,
    aws: { ...awsClientOptions(flags), ...(flags.awsRateScale !== 1 ? { rateLimits: scaledRateLimits(flags.awsRateScale) } : {}) },
    listen: flags.listen,
    limits: inputLimits(flags),
    recordKey,
    ...(ha ? { ha } : {}),
  });
  return stopOnSignal(running, log);
}

export function register(program: Command): void {
  const command = addPruneBudgetOptions(addLimitOptions(addAwsOptions(
    program
      .command('run')
      .description('the controller: watch DIR, keep AWS in sync with it, serve /metrics, /healthz, /readyz, /status and a status page')
      .addOption(new Option('--dir <dir>', 'desired-state folder (or git-sync link)').env('ECS_RECONCILER_DIR').makeOptionMandatory())
      .addOption(
        new Option('--listen <host:port>', 'address of the metrics, health and status server').env('ECS_RECONCILER_LISTEN').argParser(parseListen).default(DEFAULT_LISTEN, '127.0.0.1:9400'),
      )
      .addOption(
        new Option('--resync <duration>', 'drift detection interval, jittered by 10% (e.g. 30s, 5m)').env('ECS_RECONCILER_RESYNC').argParser(parseDurationMs).default(DEFAULT_RESYNC_MS, '5m'),
      )
      .addOption(new Option('--workers <n>', 'services reconciled in parallel').env('ECS_RECONCILER_WORKERS').argParser(parseWorkers).default(DEFAULT_WORKERS))
      .addOption(new Option('--prune', 'delete managed services no manifest names (within the deletion budget; never from an empty or broken desired state)').env('ECS_RECONCILER_PRUNE'))
      .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').env('ECS_RECONCILER_LOG_LEVEL').argParser(parseLogLevel).default('info'))
      .addOption(
        new Option('--shutdown-timeout <duration>', 'on SIGTERM, how long in-flight reconciles may finish before they are abandoned')
          .env('ECS_RECONCILER_SHUTDOWN_TIMEOUT')
          .argParser(parseDurationMs)
          .default(DEFAULT_SHUTDOWN_TIMEOUT_MS, '20s'),
      )
      .addOption(
        new Option('--aws-unreachable-after <duration>', '/readyz reports not ready once AWS reads have failed, with no success, for this long')
          .env('ECS_RECONCILER_AWS_UNREACHABLE_AFTER')
          .argParser(parseDurationMs)
          .default(DEFAULT_AWS_UNREACHABLE_AFTER_MS, '2m'),
      )
      .addOption(
        new Option('--aws-rate-scale <factor>', 'multiply the client-side AWS rate limits (for raised API quotas, or the sandbox)').env('ECS_RECONCILER_AWS_RATE_SCALE').argParser(parseRateScale).default(1),
      )
      .addOption(new Option('--leader-elect', 'run as one of several replicas: only lease holders write (docs/ha.md)').env('ECS_RECONCILER_LEADER_ELECT'))
      .addOption(new Option('--lease-table <name>', 'DynamoDB lease table').env('ECS_RECONCILER_LEASE_TABLE').default(DEFAULT_LEASE_TABLE))
      .addOption(
        new Option('--lease-duration <duration>', 'how long a silent leader keeps its lease').env('ECS_RECONCILER_LEASE_DURATION').argParser(parseDurationMs).default(DEFAULT_LEASE_DURATION_MS, '15s'),
      )
      .addOption(
        new Option('--lease-renew <duration>', 'how often leases are renewed and the table read (at most half the lease duration)')
          .env('ECS_RECONCILER_LEASE_RENEW')
          .argParser(parseDurationMs)
          .default(DEFAULT_RENEW_INTERVAL_MS, '5s'),
      )
      .addOption(new Option('--replica-id <id>', 'this replica\'s name in the lease table and its AWS user agent').env('ECS_RECONCILER_REPLICA_ID').default(defaultReplicaId(), 'hostname-pid'))
      .addOption(new Option('--create-lease-table', 'create the lease table (on-demand) if it does not exist').env('ECS_RECONCILER_CREATE_LEASE_TABLE'))
      .addOption(new Option('--lease-endpoint-url <url>', 'DynamoDB endpoint of the lease table (default: the SDK\'s AWS_ENDPOINT_URL_DYNAMODB...; never --endpoint-url)').env('ECS_RECONCILER_LEASE_ENDPOINT_URL'))
      .addOption(new Option('--shards <n>', 'services are split into N shards, each with its own lease').env('ECS_RECONCILER_SHARDS').argParser(parseShards).default(DEFAULT_SHARDS)),
  )));
  command.action(async (flags: RunFlags) => {
    try {
      process.exitCode = await runController({
        ...flags,
        prune: envFlag(command, 'prune', 'ECS_RECONCILER_PRUNE'),
        leaderElect: envFlag(command, 'leaderElect', 'ECS_RECONCILER_LEADER_ELECT'),
        createLeaseTable: envFlag(command, 'createLeaseTable', 'ECS_RECONCILER_CREATE_LEASE_TABLE'),
      });
    } catch (error) {
      process.stderr.write(`ecs-reconciler run: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
    // Nothing may keep a stopped controller alive (a slow AWS call abandoned at the shutdown bound).
    process.exit();
  });
}
