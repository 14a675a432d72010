import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/cli/render.js';
import type { ReconcileReport } from '../../../src/reconcile/index.js';

const brokenYaml = { file: 'services/broken.yaml', line: 7, col: 3, severity: 'error' as const, code: 'schema', path: 'spec.desiredCount', message: 'expected number' };

/** A dry run over /repo/desired-state: one service to create, one left untouched by a broken file. */
const report: ReconcileReport = {
  revision: 'abc',
  root: '/repo/desired-state',
  dryRun: true,
  diagnostics: [brokenYaml],
  services: [
    {
      key: 'demo/api',
      status: 'invalid',
      changes: [],
      actions: [],
      deferred: [],
      messages: [],
      diagnostics: [brokenYaml],
    },
    {
      key: 'demo/web',
      status: 'planned',
      source: { file: 'services/web.yaml', line: 3, col: 1 },
      changes: [{ path: ['service'], kind: 'added', desired: { launchType: 'FARGATE', desiredCount: 2 } }],
      actions: [],
      deferred: [],
      messages: [],
    },
  ],
};

describe('renderReport', () => {
  it.each([
    ['the repository root', '/repo', 'desired-state/services/'],
    ['the desired-state folder', '/repo/desired-state', 'services/'],
    ['a sibling folder', '/repo/docs', '../desired-state/services/'],
  ])('prints manifest paths relative to the working directory: from %s', (_case, cwd, prefix) => {
    const text = renderReport(report, { color: false, showCalls: false, cwd });
    expect(text).toContain(`\n${prefix}broken.yaml:7:3: spec.desiredCount: expected number\n`);
    expect(text).toContain(`demo/api: invalid manifest (left untouched)\n  ${prefix}broken.yaml:7:3: expected number`);
    expect(text).toContain(`demo/web: would change (${prefix}web.yaml:3)`);
  });

  it('renders a created service as nested lines, not one JSON line', () => {
    const text = renderReport(report, { color: false, showCalls: false, cwd: '/repo' });
    expect(text).toContain(['@@ demo/web @@', '+ service:', '+   launchType: "FARGATE"', '+   desiredCount: 2'].join('\n'));
    expect(text).not.toContain('\u001b[');
  });
});
