/**
 * The client-side fence. Each reconcile or deletion runs with the service keys it acts for; every mutating AWS call
 * made inside it is checked against the lease of those keys' shards just before it is sent. AWS checks no fencing
 * token, so this check, bounded by the renew deadline, is the whole guarantee (docs/ha.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ControllerIo } from '../controller/io.js';
import { LeaseNotHeldError } from './elector.js';

const actingFor = new AsyncLocalStorage<readonly string[]>();

/** Runs `work` as acting for `keys`: its mutating AWS calls need their leases. */
export function actFor<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
  return actingFor.run(keys, work);
}

export interface WriteGuard {
  assertWritable(key: string, operation: string): void;
}

/** The hook the AWS clients call before every mutating attempt; a call outside any reconcile is refused too. */
export function mutatingCallFence(guard: WriteGuard): (call: { operation: string }) => void {
  return ({ operation }) => {
    const keys = actingFor.getStore();
    if (keys === undefined) throw new LeaseNotHeldError(`refusing ${operation}: a mutating call outside any reconcile cannot be checked against a lease`);
    for (const key of keys) guard.assertWritable(key, operation);
  };
}

/** The controller's I/O with each reconcile and deletion running as acting for its service keys. */
export function fencedIo(io: ControllerIo): ControllerIo {
  return {
    ...io,
    reconcile: (key, snapshot) => actFor([key], () => io.reconcile(key, snapshot)),
    prune: (plan) => actFor(plan.deleteKeys, () => io.prune(plan)),
  };
}
