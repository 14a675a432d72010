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
  /** Default LEASE_MS and RENEW_MS. */
  lease?: { durationMs: number; renewMs: number };
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
    '--lease-duration', `${(settings.lease?.durationMs ?? LEASE_MS) / 1000}s`,
    '--lease-renew', `${(settings.lease?.renewMs ?? RENEW_MS) / 1000}s`,
    '--shards', String(settings.shards ?? 1),
    ...(settings.extra ?? []),
  ]);
  return Object.assign(process, { id, ha: async () => (await process.status()).ha as HaStatus });
}

/** The replica id a call's user agent names (each replica appends `ecs-reconciler-replica/<id>`). */
export function replicaOf(call: Pick<SandboxCall, 'userAgent'>): string | undefined {
  return /ecs-reconciler-replica\/(\S+)/.exec(call.userAgent ?? '')?.[1];
}

export async function mutatingCalls(endpoint: string): Promise<SandboxCall[]> {
  return (await sandboxCalls(endpoint)).filter((call) => call.mutating);
}

/** The shards a replica holds, as its last `holding shards ...` log line says (it logs every change of its holdings). */
export function heldFromLog(replica: Replica): number[] | undefined {
  for (let i = replica.lines.length - 1; i >= 0; i--) {
    const held = replica.lines[i]?.held;
    if (replica.lines[i]?.event === 'lease' && Array.isArray(held)) return held as number[];
  }
  return undefined;
}

/**
 * Waits, without polling, until `check` gives a value: it is evaluated on every log line any of `replicas` writes.
 * The deadline only bounds a failure; a pass returns as soon as the lines arrive.
 */
export async function untilLogged<T>(what: string, replicas: readonly Replica[], check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  let value = check();
  if (value !== undefined) return value;
  const decided = () => (value = check()) !== undefined;
  try {
    await Promise.race(replicas.map((replica) => replica.waitForLine(decided, timeoutMs)));
  } catch (error) {
    throw new Error(`waiting for ${what}: ${(error as Error).message}`);
  }
  return value as T;
}

/** Polls until every live replica's view agrees with `check`, or fails the test after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const value = await pollFor(check, timeoutMs, 50);
  if (value === undefined) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return value;
}
