import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/index.js';
import type { ControllerIo } from '../../../src/controller/io.js';
import { actFor, fencedIo, LeaseNotHeldError, mutatingCallFence } from '../../../src/ha/index.js';
import type { WriteGuard } from '../../../src/ha/index.js';
import { closedPort } from '../../e2e/apply-harness.js';

/** A guard that lets through only the keys it is given, and records what it was asked. */
function guardOf(owned: readonly string[]): WriteGuard & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    assertWritable(key, operation) {
      asked.push(`${operation} ${key}`);
      if (!owned.includes(key)) throw new LeaseNotHeldError(`not ours: ${key}`);
    },
  };
}

describe('the mutating-call fence', () => {
  it('checks every key the current reconcile acts for, and refuses calls outside any reconcile', async () => {
    const guard = guardOf(['demo/a']);
    const fence = mutatingCallFence(guard);
    await actFor(['demo/a'], async () => fence({ operation: 'UpdateService' }));
    await expect(actFor(['demo/b'], async () => fence({ operation: 'DeleteService' }))).rejects.toThrow('not ours: demo/b');
    expect(() => fence({ operation: 'CreateService' })).toThrow(/refusing CreateService: a mutating call outside any reconcile/);
    expect(guard.asked).toEqual(['UpdateService demo/a', 'DeleteService demo/b']);
  });

  it('runs each reconcile and deletion of the controller as acting for its keys', async () => {
    const guard = guardOf(['demo/a']);
    const fence = mutatingCallFence(guard);
    const io = fencedIo({
      reconcile: async () => {
        fence({ operation: 'UpdateService' });
        return { revision: 'r', root: '', dryRun: false, services: [], diagnostics: [] };
      },
      prune: async () => {
        fence({ operation: 'DeleteService' });
        return { outcome: 'ok', services: [] };
      },
    } as unknown as ControllerIo);
    await io.reconcile('demo/a', {} as never);
    await expect(io.prune({ outcome: 'ok', deleteKeys: ['demo/gone'], actions: [], limits: {}, windowMs: 3_600_000 })).rejects.toThrow(LeaseNotHeldError);
    expect(guard.asked).toEqual(['UpdateService demo/a', 'DeleteService demo/gone']);
  });

  it('is called by the AWS clients before each mutating call is sent (and counted), never for reads', async () => {
    const checked: string[] = [];
    const observed: string[] = [];
    const clients = createAwsClients({
      observer: (event) => observed.push(`${event.operation}:${event.outcome}`),
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'us-east-1',
      maxAttempts: 1,
      rateLimits: false,
      clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      beforeMutatingCall: ({ api, operation }) => {
        checked.push(`${api}:${operation}`);
        throw new LeaseNotHeldError(`refusing ${operation}`);
      },
    });
    try {
      await expect(clients.ecs.send(new CreateServiceCommand({ serviceName: 'x' }))).rejects.toThrow(LeaseNotHeldError);
      // A read goes out (and fails to connect): the fence was not asked.
      await expect(clients.ecs.send(new DescribeServicesCommand({ services: ['x'] }))).rejects.not.toThrow(LeaseNotHeldError);
      expect(checked).toEqual(['ecs:CreateService']);
      // The refusal happens inside the attempt, after the rate limiter: it is counted as that attempt's error.
      expect(observed).toEqual(['CreateService:error', 'DescribeServices:error']);
    } finally {
      destroyAwsClients(clients);
    }
  });
});
