import { Option } from 'commander';
import type { Command } from 'commander';
import { createAwsClients, destroyAwsClients, isLoopbackHost } from '../aws/index.js';
import type { AwsClientOptions } from '../aws/index.js';
import type { InputLimits } from '../manifest/index.js';
import { CallRecorder } from '../apply/index.js';
import { reconcileAll } from '../reconcile/index.js';
import type { ReconcileOptions, ReconcileReport } from '../reconcile/index.js';
import { DEFAULT_INSTANCE } from '../plan/index.js';
import { loadRecordKey, RECORD_KEY_ENV } from '../integrity/index.js';
import type { RecordKey } from '../integrity/index.js';

/** The AWS options shared by every command that talks to AWS. */
export interface AwsFlags {
  endpointUrl?: string;
  region?: string;
  instance: string;
}

export function addAwsOptions(command: Command): Command {
  return command
    .option('--endpoint-url <url>', 'AWS endpoint for every service, e.g. the sandbox (default: the SDK\'s AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS...)')
    .option('--region <region>', 'AWS region (default: AWS_REGION; us-east-1 when --endpoint-url is given without one)')
    .addOption(new Option('--instance <name>', 'controller instance: the value of the ecs-reconciler:managed-by tag').env('ECS_RECONCILER_INSTANCE').default(DEFAULT_INSTANCE));
}

function parseEndpoint(value: string, source = '--endpoint-url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${source} must be a URL such as http://127.0.0.1:4566, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${source} must use http or https, got "${value}"`);
  return value;
}

/** A loopback endpoint is the sandbox. */
export function isSandboxEndpoint(endpoint: string | undefined): boolean {
  return endpoint !== undefined && isLoopbackHost(new URL(parseEndpoint(endpoint)).hostname);
}

/** The sandbox checks no signature: it needs no real credentials. */
function sandboxCredentials(endpoint: string | undefined): Record<string, unknown> {
  if (!isSandboxEndpoint(endpoint)) return {};
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE) return {};
  return { credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } };
}

/**
 * Client options from the flags. An explicit endpoint without any region configured is almost always the sandbox,
 * so the region then defaults to us-east-1 rather than failing. AWS_ENDPOINT_URL counts as explicit here (the SDK
 * itself reads it, and the per-service AWS_ENDPOINT_URL_<SERVICE> still win over it).
 */
export function awsClientOptions(flags: AwsFlags, extra: Pick<AwsClientOptions, 'observer' | 'clientConfig'> = {}): AwsClientOptions {
  const endpoint = flags.endpointUrl === undefined ? undefined : parseEndpoint(flags.endpointUrl);
  const fromEnvironment = process.env.AWS_ENDPOINT_URL ? parseEndpoint(process.env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL') : undefined;
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (endpoint ?? fromEnvironment ? 'us-east-1' : undefined);
  const clientConfig = { ...sandboxCredentials(endpoint ?? fromEnvironment), ...extra.clientConfig };
  return { ...extra, clientConfig, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
}

/**
 * The controller's record key when ECS_RECONCILER_RECORD_KEY is set (src/integrity): failure records are then signed,
 * and one that does not verify is not obeyed. Without it they are written and read unsigned.
 */
export function optionalRecordKey(env: Readonly<Record<string, string | undefined>> = process.env): RecordKey | undefined {
  return env[RECORD_KEY_ENV] ? loadRecordKey(env) : undefined;
}

/** `{ recordKey }` when a key is configured, for spreading into plan or reconcile options. */
export function recordKeyOption(): { recordKey?: RecordKey } {
  const recordKey = optionalRecordKey();
  return recordKey ? { recordKey } : {};
}

/** One reconcile pass of `dir` (a folder or one file) with fresh clients, counting the calls it makes. */
export async function runPass(source: { dir: string; limits: InputLimits }, flags: AwsFlags, options: Omit<ReconcileOptions, 'instance'>, clientConfig?: Record<string, unknown>): Promise<ReconcileReport> {
  const calls = new CallRecorder();
  const clients = createAwsClients(awsClientOptions(flags, { observer: calls.observer, ...(clientConfig ? { clientConfig } : {}) }));
  try {
    return await reconcileAll({ ...source, clients, calls, options: { ...options, instance: flags.instance, ...recordKeyOption() } });
  } finally {
    destroyAwsClients(clients);
  }
}
