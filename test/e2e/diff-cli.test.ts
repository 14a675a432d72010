import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, mutatingOperations, runCli, startHarness } from './apply-harness.js';
import type { Harness } from './apply-harness.js';
import type { ReconcileReport } from '../../src/reconcile/index.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.stop();
});

const endpoint = () => ['--endpoint-url', h.sandbox.endpoint];

describe('ecs-reconciler diff and apply, as a user runs them', () => {
  it('diff exits 1 before the first apply; apply exits 0; then diff exits 0 and a second apply makes no mutating call', async () => {
    const before = await runCli(['diff', h.dir, ...endpoint()]);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('demo/web: would change');

    const applied = await runCli(['apply', h.dir, ...endpoint()]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/API calls: \d+ \(\d+ reads, \d+ mutating, 0 throttled and retried\)/);
    expect(applied.stdout).toMatch(/write ecs CreateService 3/);
    expect(applied.stdout).toContain('deferred to the rollout engine');

    const clean = await runCli(['diff', h.dir, ...endpoint()]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('3 services: 3 in sync');

    const since = await h.lastSeq();
    const again = await runCli(['apply', h.dir, '--json', ...endpoint()]);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as ReconcileReport;
    expect(report.calls?.mutating).toBe(0);
    expect(report.services.map((s) => s.status)).toEqual(['in-sync', 'in-sync', 'in-sync']);
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);
  });

  it('diff shows a changed image as a unified diff and exits 1; apply --dry-run changes nothing', async () => {
    await h.edit('services/web.yaml', (doc) => doc.setIn(['spec', 'taskDefinition', 'containerDefinitions', 0, 'image'], '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.1.0'));
    const diff = await runCli(['diff', h.dir, ...endpoint()]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('@@ demo/web @@');
    expect(diff.stdout).toContain('- taskDefinition.containerDefinitions[0].image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0.0"');
    expect(diff.stdout).toContain('+ taskDefinition.containerDefinitions[0].image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.1.0"');
    expect(diff.stdout).not.toContain('\u001b[');

    const json = await runCli(['diff', h.dir, '--json', ...endpoint()]);
    expect(json.code).toBe(1);
    const web = (JSON.parse(json.stdout) as ReconcileReport).services.find((s) => s.key === 'demo/web');
    expect(web?.actions.map((a) => a.kind)).toEqual(['RegisterTaskDefinition', 'UpdateService']);

    const since = await h.lastSeq();
    const dryRun = await runCli(['apply', h.dir, '--dry-run', ...endpoint()]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('dry run');
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);

    const applied = await runCli(['apply', h.dir, ...endpoint()]);
    expect(applied.code).toBe(0);
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual(['ecs.RegisterTaskDefinition', 'ecs.UpdateService']);
  });

  it('diff exits 2 when the endpoint is unreachable', async () => {
    const port = await closedPort();
    const result = await runCli(['diff', h.dir, '--endpoint-url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/error: \S+: .*ECONNREFUSED|error: .*connect/i);
  });

  it('diff exits 2 with a clear message on an endpoint that is not an http(s) URL', async () => {
    const result = await runCli(['diff', h.dir, '--endpoint-url', 'ftp://127.0.0.1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--endpoint-url must use http or https, got "ftp://127.0.0.1"');
  });

  it('diff exits 2 on a broken manifest; apply exits 1 and leaves it untouched', async () => {
    const broken = path.join(h.dir, 'services/broken.yaml');
    await writeFile(broken, 'apiVersion: ecs-reconciler/v1\nkind: Service\nmetadata: {name: broken}\nspec: {cluster: demo, desiredCount: two}\n');
    const diff = await runCli(['diff', h.dir, ...endpoint()]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toMatch(/services\/broken\.yaml:\d+:\d+: spec\.desiredCount/);
    const since = await h.lastSeq();
    const apply = await runCli(['apply', h.dir, ...endpoint()]);
    expect(apply.code).toBe(1);
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);
    await rm(broken);
  });

  it('apply --prune says why it refuses a mass deletion, and deletes with --force-prune', async () => {
    await rm(path.join(h.dir, 'services/payments.yaml'));
    const since = await h.lastSeq();
    const refused = await runCli(['apply', h.dir, '--prune', ...endpoint()]);
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/prune refused: pruning would delete 1 of 3 managed services in cluster demo.*--force-prune.*nothing was deleted/);
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual([]);

    const forced = await runCli(['apply', h.dir, '--prune', '--force-prune', ...endpoint()]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('prune demo/payments: deleted (UpdateService [ok], DeleteService [ok])');
    expect(mutatingOperations(await h.sandboxCalls(since))).toEqual(['ecs.TagResource', 'ecs.UpdateService', 'ecs.DeleteService']);
  });

  it('apply refuses --force-prune without --prune', async () => {
    const result = await runCli(['apply', h.dir, '--force-prune', ...endpoint()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--force-prune only makes sense with --prune');
  });
});
