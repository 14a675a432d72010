/** Replicas of `ecs-reconciler run --leader-elect` as separate processes, on the sandbox and dynalite. */
import type { HaStatus } from '../../src/controller/status.js';
import type { SandboxCall } from './apply-harness.js';
import { pollFor, sandboxCalls, startRun } from './controller-harness.js';
import type { ControllerProcess } from './controller-harness.js';

export interface Replica extends ControllerProcess {
  id: string;
  ha(): Promise<HaStatus>;
}

export interface ReplicaSettings {
  dir: string;
  sandbox: string;
  dynamo: string;
  table: string;
  shards?: number;
  extra?: string[];
}

/** Short timings so a failover takes seconds: lease 3 s, renew 1 s. */
export const LEASE_MS = 3_000;
export const RENEW_MS = 1_000;

export async function startReplica(id: string, settings: ReplicaSettings): Promise<Replica> {
  const process = await startRun(settings.dir, settings.sandbox, [
    '--leader-elect',
    '--replica-id', id,
    '--lease-endpoint-url', settings.dynamo,
    '--lease-table', settings.table,
    '--create-lease-table',
    '--lease-duration', `${LEASE_MS / 1000}s`,
    '--lease-renew', `${RENEW_MS / 1000}s`,
    '--shards', String(settings.shards ?? 1),
    ...(settings.extra ?? []),
  ]);
  return Object.assign(process, { id, ha: async () => (await process.status()).ha as HaStatus });
}

/** The replica id a call's user agent names (each replica appends `ecs-reconciler-replica/<id>`). */
export function replicaOf(call: SandboxCall): string | undefined {
  return /ecs-reconciler-replica\/(\S+)/.exec(call.userAgent ?? '')?.[1];
}

export async function mutatingCalls(endpoint: string): Promise<SandboxCall[]> {
  return (await sandboxCalls(endpoint)).filter((call) => call.mutating);
}

/** Polls until every live replica's view agrees with `check`, or fails the test after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const value = await pollFor(check, timeoutMs, 50);
  if (value === undefined) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return value;
}
