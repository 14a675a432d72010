import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteServiceCommand, DescribeClustersCommand, ECSClient, TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Tag } from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { executePrune, PruneLedgerWriter } from '../../../src/apply/index.js';
import { emptyObservedState } from '../../../src/observe/index.js';
import type { ObservedService } from '../../../src/observe/index.js';
import { planPrune, PRUNE_LEDGER_TAG } from '../../../src/plan/index.js';

const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:123456789012:cluster/demo';
const START = Date.parse('2026-12-06T05:00:00Z');

/** One ECS cluster whose tags persist across "processes" (writers), as they do in AWS. */
function fakeAccount() {
  const ecs = new ECSClient({ region: 'us-east-1' });
  const mock = mockClient(ecs);
  const tags = new Map<string, string>();
  const order: string[] = [];
  mock.on(DescribeClustersCommand).callsFake(() => ({
    clusters: [{ clusterName: 'demo', clusterArn: CLUSTER_ARN, status: 'ACTIVE', tags: [...tags].map(([key, value]) => ({ key, value })) }],
  }));
  mock.on(TagResourceCommand).callsFake((input: { tags: Tag[] }) => {
    order.push('TagResource');
    for (const tag of input.tags) tags.set(tag.key ?? '', tag.value ?? '');
    return {};
  });
  mock.on(UpdateServiceCommand).callsFake(() => (order.push('UpdateService'), {}));
  mock.on(DeleteServiceCommand).callsFake(() => (order.push('DeleteService'), {}));
  const clients = { ecs, elbv2: new ElasticLoadBalancingV2Client({ region: 'us-east-1' }), autoscaling: new ApplicationAutoScalingClient({ region: 'us-east-1' }) };
  return { ecs, mock, tags, order, clients };
}

function service(name: string): ObservedService {
  return {
    key: `demo/${name}`,
    clusterName: 'demo',
    clusterArn: CLUSTER_ARN,
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/demo/${name}`,
    status: 'ACTIVE',
    taskDefinition: '',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    deploymentControllerType: 'ECS',
    settings: {},
    tags: { 'ecs-reconciler:managed-by': 'ecs-reconciler' },
    deployments: [],
    taskSets: [],
  };
}

describe('the prune ledger in AWS', () => {
  it('records the deletion on the cluster before the service is scaled down and deleted', async () => {
    const account = fakeAccount();
    const state = { ...emptyObservedState(), clusterTags: { demo: {} } };
    for (const name of ['a', 'b', 'c', 'd']) state.services[`demo/${name}`] = service(name);
    const plan = planPrune({ desiredKeys: ['demo/a', 'demo/b', 'demo/c'], state, instance: 'ecs-reconciler', now: START });
    const result = await executePrune(account.clients, plan, { dryRun: false, ledger: new PruneLedgerWriter(account.ecs, () => START) });
    expect(result).toMatchObject({ outcome: 'ok', services: [{ key: 'demo/d', status: 'deleted' }] });
    expect(account.order).toEqual(['TagResource', 'UpdateService', 'DeleteService']);
    expect(account.tags.get(PRUNE_LEDGER_TAG)).toBe(`${START / 1000}:1`);
  });

  it('removing one manifest every 12 s: two of nine go, the third is held, and a restart in the window does not reset it', async () => {
    const account = fakeAccount();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const live = new Set(names);
    let now = START;
    let writer = new PruneLedgerWriter(account.ecs, () => now);
    /** One pass as `apply --prune` or a resync makes it: observe (the cluster's tags too), plan, execute. */
    const pass = async (desired: string[]) => {
      const state = { ...emptyObservedState(), clusterTags: { demo: Object.fromEntries(account.tags) } };
      for (const name of live) state.services[`demo/${name}`] = service(name);
      const plan = planPrune({ desiredKeys: desired.map((name) => `demo/${name}`), state, instance: 'ecs-reconciler', now });
      const result = await executePrune(account.clients, plan, { dryRun: false, ledger: writer });
      if (result.outcome === 'ok') for (const deleted of result.services.filter((s) => s.status === 'deleted')) live.delete(deleted.key.split('/')[1] ?? '');
      return result;
    };
    const outcomes: string[] = [];
    for (let removed = 1; removed <= 3; removed++, now += 12_000) outcomes.push((await pass(names.slice(removed))).outcome);
    expect(outcomes).toEqual(['ok', 'ok', 'refused']);
    expect([...live].sort()).toEqual(['c', 'd', 'e', 'f', 'g', 'h', 'i']);

    // The process restarts 30 minutes later: nothing in its memory, the ledger is still on the cluster.
    now = START + 30 * 60_000;
    writer = new PruneLedgerWriter(account.ecs, () => now);
    const afterRestart = await pass(names.slice(3));
    expect(afterRestart).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/3 of 9 within 1h with the 2 deleted there before/) });
    expect(live.size).toBe(7);

    // Once the first deletions leave the window, the budget allows the next one.
    now = START + 60 * 60_000 + 1000;
    expect(await pass(names.slice(3))).toMatchObject({ outcome: 'ok', services: [{ key: 'demo/c', status: 'deleted' }] });
  });

  it('re-checks the budget when recording: a deletion another process already spent it on does not happen', async () => {
    const account = fakeAccount();
    account.tags.set(PRUNE_LEDGER_TAG, `${START / 1000 - 60}:2`);
    const writer = new PruneLedgerWriter(account.ecs, () => START);
    await expect(writer.record('demo', 2, 3_600_000)).rejects.toThrow(/already had 2 deletions within 1h \(at most 2\)/);
    await writer.record('demo', null, 3_600_000);
    expect(account.tags.get(PRUNE_LEDGER_TAG)).toBe(`${START / 1000 - 60}:2 ${START / 1000}:1`);
  });

  it('serializes the writes of one cluster, so concurrent deletions do not overwrite each other\'s record', async () => {
    const account = fakeAccount();
    const writer = new PruneLedgerWriter(account.ecs, () => START);
    await Promise.all([writer.record('demo', 5, 3_600_000), writer.record('demo', 5, 3_600_000), writer.record('demo', 5, 3_600_000)]);
    expect(account.tags.get(PRUNE_LEDGER_TAG)).toBe(`${START / 1000}:3`);
  });
});
