import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateServiceCommand, DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { sandboxClientConfig } from '../../src/sandbox/sandbox.js';
import { hasFailures } from '../../src/reconcile/index.js';
import { API_MANIFEST, mutatingOperations, startHarness } from './apply-harness.js';
import type { Harness } from './apply-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.stop();
});

/** The `api` service created by someone else, straight through the SDK, without our tags. */
async function createUntaggedApi(): Promise<void> {
  const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'api',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      containerDefinitions: [{ name: 'app', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0.0' }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'demo',
      serviceName: 'api',
      taskDefinition: taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60001'], securityGroups: ['sg-0123456789abcdef0'] } },
    }),
  );
  ecs.destroy();
}

async function apiTags(): Promise<Record<string, string>> {
  const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['api'], include: ['TAGS'] }));
  ecs.destroy();
  return Object.fromEntries((out.services?.[0]?.tags ?? []).map((tag) => [tag.key, tag.value]));
}

describe('ownership', () => {
  it('leaves an untagged service of the same name alone and reports a conflict', async () => {
    await h.apply();
    await createUntaggedApi();
    await writeFile(path.join(h.dir, 'services/api.yaml'), API_MANIFEST);
    const since = await h.lastSeq();
    const report = await h.apply();
    const api = report.services.find((s) => s.key === 'demo/api');
    expect(api?.status).toBe('conflict');
    expect(api?.messages.join(' ')).toMatch(/ecs-reconciler\/adopt/);
    expect(api?.actions).toEqual([]);
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);
    expect(await apiTags()).toEqual({});
    expect(hasFailures(report)).toBe(true);
  });

  it('adopts it with the annotation: tags it, with no other call', async () => {
    await h.apply();
    await createUntaggedApi();
    const annotated = API_MANIFEST.replace('  name: api\n', '  name: api\n  annotations:\n    ecs-reconciler/adopt: "true"\n');
    await writeFile(path.join(h.dir, 'services/api.yaml'), annotated);
    const since = await h.lastSeq();
    const report = await h.apply();
    expect(report.services.find((s) => s.key === 'demo/api')?.status).toBe('changed');
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual(['ecs.TagResource']);
    expect(await apiTags()).toMatchObject({ 'ecs-reconciler:managed-by': 'ecs-reconciler', 'ecs-reconciler:revision': report.revision });
  });
});

describe('prune', () => {
  it('with every manifest deleted, deletes nothing and says why', async () => {
    await h.apply();
    await rm(path.join(h.dir, 'services'), { recursive: true });
    const since = await h.lastSeq();
    const report = await h.apply({ prune: true, forcePrune: true });
    expect(report.prune).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/names no service/) });
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);
  });

  it('refuses to delete more than the safe share of managed services', async () => {
    await h.apply();
    await rm(path.join(h.dir, 'services/web.yaml'));
    const since = await h.lastSeq();
    const report = await h.apply({ prune: true });
    expect(report.prune).toMatchObject({ outcome: 'refused', wouldDelete: ['demo/web'], reason: expect.stringMatching(/pruning would delete 1 of 3 managed services in cluster demo/) });
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);
  });

  it('deletes a service whose manifest was removed, when within the share: scale to 0, then delete', async () => {
    await h.apply();
    await rm(path.join(h.dir, 'services/web.yaml'));
    const since = await h.lastSeq();
    const report = await h.apply({ prune: true, pruneBudget: { maxShare: 0.5 } });
    expect(report.prune).toMatchObject({ outcome: 'ok', services: [{ key: 'demo/web', status: 'deleted' }] });
    // The deletion is recorded on the cluster first, so the budget holds across processes and restarts.
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual(['ecs.TagResource', 'autoscaling.DeregisterScalableTarget', 'ecs.UpdateService', 'ecs.DeleteService']);
    const scaleDown = h.sent.find((call) => call.operation === 'UpdateService');
    expect(scaleDown?.input).toMatchObject({ service: 'web', desiredCount: 0 });

    const ecs = new ECSClient(sandboxClientConfig(h.sandbox.endpoint));
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }));
    ecs.destroy();
    expect(out.services?.[0]?.status ?? 'MISSING').not.toBe('ACTIVE');
  });
});
