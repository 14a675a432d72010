import { describe, expect, it } from 'vitest';
import { CallLog } from '../../../src/sandbox/core/calls.js';

const call = (operation: string) => ({ time: 0, service: 'ecs', operation, mutating: true, outcome: 'ok' as const, requestId: operation });

describe('CallLog', () => {
  it('tells subscribers of each call as it is logged, in order, until they unsubscribe', () => {
    const log = new CallLog();
    log.add(call('Before'));
    const seen: string[] = [];
    const unsubscribe = log.subscribe((record) => seen.push(`${record.seq} ${record.operation}`));
    log.add(call('CreateService'));
    log.add(call('UpdateService'));
    unsubscribe();
    log.add(call('After'));
    expect(seen).toEqual(['2 CreateService', '3 UpdateService']);
    expect(log.since(0).map((record) => record.operation)).toEqual(['Before', 'CreateService', 'UpdateService', 'After']);
  });
});
