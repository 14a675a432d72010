import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/cli/commands/status.js';
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
