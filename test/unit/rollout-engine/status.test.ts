import { describe, expect, it } from 'vitest';
import { fetchDecisions, renderStatus } from '../../../src/cli/commands/status.js';
import { renderRolloutDetail, renderStatusTable } from '../../../src/rollout/engine/index.js';
import { canaryReport } from './fixtures.js';

describe('ecs-reconciler status', () => {
  it('shows one rollout with its steps, the current one marked, task sets and analysis', () => {
    expect(renderRolloutDetail({ key: 'prod/web', strategy: 'Canary', rollout: canaryReport() })).toBe(
      [
        'Name:      prod/web',
        'Strategy:  Canary',
        'Status:    Progressing (Analyzing)',
        'Message:   analysis 9bc0d1e2f3a4-0-s2 running',
        'Step:      3/5',
        'Weights:   stable 90%  new 10%',
        'Desired:   9bc0d1e2f3a4  (attempt 0, stage progressing)',
        '',
        'Steps:',
        '  ✔ 1. setWeight 10',
        '  ✔ 2. pause 60s',
        '  ▶ 3. analysis error-rate',
        '    4. setWeight 50',
        '    5. setWeight 100',
        '',
        'Task sets:',
        '  ROLE    HASH          SCALE  RUNNING/DESIRED  HEALTHY  TARGET GROUP',
        '  stable  3f2a9c0d1e4b  100%   4/4              4        targetgroup/web-blue/1',
        '  new     9bc0d1e2f3a4  10%    1/1              1        targetgroup/web-green/2',
        '',
        'Analysis:',
        '  9bc0d1e2f3a4-0-s2 (error-rate): Running',
        '    error-rate: Running (1 ok, 0 failed, 0 inconclusive, 0 errors, last [0.01])',
        '',
      ].join('\n'),
    );
  });

  it('lists every service in a table, rolling ones with their ECS deployment', () => {
    const failed = { ...canaryReport(), error: { code: 'AccessDenied', message: 'not allowed' } };
    delete (failed as { status?: unknown }).status;
    expect(
      renderStatusTable([
        { key: 'prod/web', strategy: 'Canary', rollout: canaryReport() },
        { key: 'prod/api', strategy: 'Rolling', deployment: 'COMPLETED 2/2 running' },
        { key: 'prod/pay', strategy: 'BlueGreen', rollout: failed },
      ]),
    ).toBe(
      [
        'SERVICE   STRATEGY   PHASE                  STEP  WEIGHT  MESSAGE',
        'prod/web  Canary     Progressing/Analyzing  3/5   10%     analysis 9bc0d1e2f3a4-0-s2 running',
        'prod/api  Rolling    -                      -     -       COMPLETED 2/2 running',
        'prod/pay  BlueGreen  Error                  -     -       not allowed',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with the /status summary of each rollout', () => {
    const json = JSON.parse(renderStatus([{ key: 'prod/web', strategy: 'Canary', rollout: canaryReport() }], { json: true, single: true })) as { summary: unknown }[];
    expect(json[0]?.summary).toMatchObject({ phase: 'Progressing', step: 2, canaryWeight: 10 });
  });
});

describe('ecs-reconciler status SERVICE: decisions from a running controller', () => {
  const view = { key: 'prod/web', strategy: 'Canary', rollout: canaryReport() };
  const entry = {
    time: '2026-01-01T10:00:00.000Z',
    key: 'prod/web',
    cluster: 'prod',
    service: 'web',
    action: 'set-weight',
    outcome: 'applied' as const,
    reason: 'canary step 3/5: weight 10 -> 25',
    from: 10,
    to: 25,
    requestedBy: 'controller',
  };

  it('without a controller URL, says how to get them', async () => {
    const decisions = await fetchDecisions(undefined, 'prod/web');
    expect(renderStatus([view], { json: false, single: true, decisions })).toMatch(
      /\nDecisions: not shown: pass --controller URL \(or set ECS_RECONCILER_CONTROLLER\) to read them from a running controller\n$/,
    );
  });

  it("reads the controller's /status/CLUSTER/SERVICE and prints one line per decision", async () => {
    const asked: string[] = [];
    const fake = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ key: 'prod/web', decisions: [entry] }), { status: 200 });
    }) as unknown as typeof fetch;
    const decisions = await fetchDecisions('http://127.0.0.1:9400/', 'prod/web', fake);
    expect(asked).toEqual(['http://127.0.0.1:9400/status/prod/web']);
    const text = renderStatus([view], { json: false, single: true, decisions });
    expect(text).toContain('\nDecisions (from http://127.0.0.1:9400/):\n  2026-01-01T10:00:00.000Z  set-weight           applied  canary step 3/5: weight 10 -> 25  [controller]\n');
    const json = JSON.parse(renderStatus([view], { json: true, single: true, decisions })) as { decisions: unknown }[];
    expect(json[0]?.decisions).toEqual([entry]);
  });

  it('says why when the controller does not know the service or cannot be reached, and never throws', async () => {
    const notFound = (async () => new Response('{}', { status: 404 })) as unknown as typeof fetch;
    expect(await fetchDecisions('http://127.0.0.1:9400', 'prod/web', notFound)).toEqual({ problem: 'the controller at http://127.0.0.1:9400 does not reconcile prod/web (it may be another shard\'s)' });
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await fetchDecisions('http://127.0.0.1:9400', 'prod/web', down)).toEqual({ problem: 'the controller at http://127.0.0.1:9400 could not be read: fetch failed' });
  });
});
