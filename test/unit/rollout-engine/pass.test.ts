import { describe, expect, it, vi } from 'vitest';
import type { ServiceResult } from '../../../src/apply/index.js';
import type { DesiredService } from '../../../src/manifest/index.js';
import { emptyObservedState, TaskDefinitionCache } from '../../../src/observe/index.js';
import type { RolloutReport } from '../../../src/rollout/engine/index.js';
import { canaryReport } from './fixtures.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';

const reports = new Map<string, RolloutReport>();
vi.mock('../../../src/rollout/engine/reconcile-rollout.js', () => ({
  reconcileRollout: (_context: unknown, input: { manifest: { metadata: { name: string } } }) => Promise.resolve(reports.get(input.manifest.metadata.name)),
}));
const { reconcileRollouts } = await import('../../../src/rollout/engine/pass.js');

function desired(name: string, strategy: string): DesiredService {
  return { key: `prod/${name}`, manifest: { metadata: { name }, spec: { cluster: 'prod', rollout: { strategy } } } } as unknown as DesiredService;
}

function result(name: string, status: ServiceResult['status']): ServiceResult {
  return { key: `prod/${name}`, status, changes: [], actions: [], deferred: [], messages: [] };
}

const context = { clients: {} as never, taskDefinitions: new TaskDefinitionCache(), instance: 'ecs-reconciler', revision: 'abc', keyring: TEST_RECORD_KEY };

describe('the rollout step of a reconcile pass', () => {
  it('runs the rollouts whose shell is in place, merges them into the results and keeps the earliest requeue', async () => {
    reports.set('web', canaryReport({ requeueAfterMs: 30_000 }));
    reports.set('cart', canaryReport({ key: 'prod/cart', requeueAfterMs: 10_000 }));
    const { requeueAfterMs: _none, ...failing } = canaryReport({ key: 'prod/pay' });
    reports.set('pay', { ...failing, error: { code: 'AccessDeniedException', message: 'ModifyRule: denied' } });
    const results = [result('web', 'in-sync'), result('pay', 'changed'), result('api', 'in-sync'), result('odd', 'conflict'), result('cart', 'not-converged')];
    const services = [desired('web', 'Canary'), desired('pay', 'BlueGreen'), desired('api', 'Rolling'), desired('odd', 'Canary'), desired('cart', 'Canary')];
    const pass = await reconcileRollouts(context, { analysisTemplates: new Map() }, services, emptyObservedState(), results);

    expect(Object.keys(pass.rollouts)).toEqual(['prod/web', 'prod/pay', 'prod/cart']);
    expect(pass.requeueAfterMs).toBe(10_000);
    expect(results[0]).toMatchObject({ status: 'in-sync', messages: ['rollout Progressing (Analyzing): analysis 9bc0d1e2f3a4-0-s2 running'] });
    expect(results[1]).toMatchObject({ status: 'failed', error: { code: 'AccessDeniedException' }, messages: ['rollout: AccessDeniedException: ModifyRule: denied'] });
    expect(results[3]).toMatchObject({ status: 'conflict', messages: [] });
  });

  it('in a dry run, looks only at services that exist', async () => {
    reports.set('web', canaryReport());
    const pass = await reconcileRollouts({ ...context, dryRun: true }, { analysisTemplates: new Map() }, [desired('web', 'Canary')], emptyObservedState(), [result('web', 'planned')]);
    expect(pass.rollouts).toEqual({});
  });
});
