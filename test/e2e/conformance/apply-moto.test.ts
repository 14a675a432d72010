/**
 * `apply` of the demo's desired-state/ against moto, an AWS simulator nobody here wrote: the demo's account is built
 * in moto through the public APIs, and one pass must converge (every service created and read back equal to its
 * manifest), and a second pass must make zero writes. This proves the normalization against AWS-shaped answers
 * that the sandbox did not produce.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { CallRecorder } from '../../../src/apply/index.js';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/index.js';
import type { AwsClients } from '../../../src/aws/index.js';
import { reconcileAll } from '../../../src/reconcile/index.js';
import { createMotoNetwork, motoAvailability, startMoto } from '../../support/moto.js';
import type { RunningMoto } from '../../support/moto.js';
import { buildDemoAccount, rewriteManifests } from './demo-on-moto.js';
import { scriptClients } from './script.js';

/**
 * Service fields moto 5.2 accepts on CreateService/UpdateService but never describes back: kept, every pass would
 * "correct" them forever. They are taken out of the copy (the sandbox's own e2e tests cover them).
 */
const FIELDS_MOTO_DROPS = [['healthCheckGracePeriodSeconds'], ['enableECSManagedTags'], ['rollout', 'rolling', 'deploymentCircuitBreaker']];

async function dropFieldsMotoCannotStore(file: string): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  for (const field of FIELDS_MOTO_DROPS) if (doc.hasIn(['spec', ...field.slice(0, -1)])) doc.deleteIn(['spec', ...field]);
  await writeFile(file, doc.toString());
}

const moto = motoAvailability();
const required = process.env.CI === 'true';

describe('apply of desired-state/ against moto', () => {
  if (!moto.available) {
    it.runIf(required)(`needs moto under CI: ${moto.why}`, () => {
      throw new Error(moto.why);
    });
    it.skipIf(required)(`SKIPPED: ${moto.why}`, () => {});
    return;
  }

  let motoServer: RunningMoto;
  let dir: string;
  let clients: AwsClients;
  const calls = new CallRecorder();

  beforeAll(async () => {
    motoServer = await startMoto();
    const network = await createMotoNetwork(motoServer.endpoint);
    const replacements = await buildDemoAccount('desired-state/.sandbox/seed.yaml', scriptClients(motoServer.endpoint), network);
    dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-moto-'));
    await cp('desired-state', dir, { recursive: true });
    await rewriteManifests(dir, replacements);
    for (const service of ['web', 'checkout', 'payments']) await dropFieldsMotoCannotStore(path.join(dir, 'services', `${service}.yaml`));
    clients = createAwsClients({ endpoint: motoServer.endpoint, region: 'us-east-1', observer: calls.observer, clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } } });
  }, 60_000);

  afterAll(async () => {
    if (clients) destroyAwsClients(clients);
    await motoServer?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pass = async () => {
    const mark = calls.mark();
    const report = await reconcileAll({ dir, clients, calls, options: { readBack: { attempts: 2, delayMs: 0 } } });
    return { report, summary: calls.since(mark) };
  };

  it('converges in one pass, then a second pass makes zero writes and finds every service in sync', async () => {
    const first = await pass();
    expect(first.report.error).toBeUndefined();
    expect(first.report.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
    expect(first.report.services.map(({ key, status }) => [key, status])).toEqual([
      ['demo/checkout', 'changed'],
      ['demo/payments', 'changed'],
      ['demo/web', 'changed'],
    ]);
    expect(first.summary.operations.filter((op) => op.mutating).map((op) => `${op.api}.${op.operation}`)).toContain('ecs.CreateService');

    const second = await pass();
    expect(second.report.services.map(({ key, status, changes }) => ({ key, status, changes }))).toEqual([
      { key: 'demo/checkout', status: 'in-sync', changes: [] },
      { key: 'demo/payments', status: 'in-sync', changes: [] },
      { key: 'demo/web', status: 'in-sync', changes: [] },
    ]);
    expect(second.summary.mutating).toBe(0);
  });
});
