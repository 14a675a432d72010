import { describe, expect, it } from 'vitest';
import type { AnalysisTemplateManifest, DesiredAnalysisTemplate } from '../../../src/manifest/index.js';
import type { MetricProvider } from '../../../src/rollout/analysis/index.js';
import {
  finishedBetween,
  measurementDelayMs,
  measureRun,
  readRuns,
  refForRun,
  runTagKey,
  runView,
  startStoredRun,
  stopStoredRun,
} from '../../../src/rollout/engine/analysis-runs.js';
import type { RunSources } from '../../../src/rollout/engine/analysis-runs.js';
import type { RolloutStrategySpec } from '../../../src/rollout/types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function template(name: string, count = 2): DesiredAnalysisTemplate {
  const manifest: AnalysisTemplateManifest = {
    apiVersion: 'ecs-reconciler/v1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: { args: [{ name: 'service' }], metrics: [{ name: `${name}-ok`, interval: '30s', count, successCondition: 'result == true', provider: { web: { url: 'http://127.0.0.1:1/{{args.service}}' } } }] },
  };
  return { name, manifest, source: { file: `${name}.yaml`, line: 1, col: 1 }, hash: name };
}

const strategy: RolloutStrategySpec = {
  kind: 'Canary',
  traffic: { targetGroups: ['tg-a', 'tg-b'], listenerRuleArn: 'rule' },
  steps: [{ type: 'setWeight', weight: 10 }, { type: 'analysis', analysis: { templates: ['smoke'] } }],
  backgroundAnalysis: { templates: ['bg'], startingStep: 0 },
  postPromotionAnalysis: { templates: ['post'] },
  progressDeadlineSeconds: 600,
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
};

const sources: RunSources = {
  strategy,
  templates: new Map(['smoke', 'bg', 'post'].map((name) => [name, template(name)])),
  contextArgs: { service: 'web', cluster: 'prod' },
};

const provider = (value: unknown): MetricProvider => ({ measure: () => Promise.resolve({ value }) });
const clock = (now: number) => ({ now: () => now });

describe('run ids to analysis references', () => {
  it.each([
    ['0123456789ab-0-s1', ['smoke'], false],
    ['0123456789ab-2-bg3', ['bg'], true],
    ['0123456789ab-0-post', ['post'], false],
  ])('%s', (runId, templates, background) => {
    expect(refForRun(strategy, runId)).toEqual({ ref: expect.objectContaining({ templates }), background });
  });

  it('knows no reference for a step that is not an analysis, or a malformed id', () => {
    expect(refForRun(strategy, '0123456789ab-0-s0')).toBeUndefined();
    expect(refForRun(strategy, 'nonsense')).toBeUndefined();
    expect(refForRun({ ...strategy, postPromotionAnalysis: undefined } as RolloutStrategySpec, 'abc-0-post')).toBeUndefined();
  });
});

describe('runs kept in tags', () => {
  it('starts a run, measures what is due, and restores it from its tag exactly', async () => {
    const started = startStoredRun({ runId: 'abc-0-s1', templates: ['smoke'], args: [], background: false }, sources, T0);
    expect(runView(started, T0)).toEqual({ phase: 'Running' });
    const measured = await measureRun(started, { web: provider(true) }, clock(T0));
    expect(measured.tag).not.toBe(started.tag);
    expect(measurementDelayMs(measured, T0)).toBe(30_000);

    const restored = readRuns({ [runTagKey('abc-0-s1')]: measured.tag, other: 'x' }, sources);
    expect([...restored.keys()]).toEqual(['abc-0-s1']);
    const again = await measureRun(restored.get('abc-0-s1')!, { web: provider(true) }, clock(T0 + 30_000));
    expect(runView(again, T0 + 30_000)).toEqual({ phase: 'Successful' });
    expect(measurementDelayMs(again, T0 + 30_000)).toBeUndefined();
    expect(finishedBetween(restored.get('abc-0-s1'), again)).toBe(true);
    expect(finishedBetween(again, again)).toBe(false);
  });

  it('reports a failed run with the metric that failed it', async () => {
    const started = startStoredRun({ runId: 'abc-0-s1', templates: ['smoke'], args: [], background: false }, sources, T0);
    const failed = await measureRun(started, { web: provider(false) }, clock(T0));
    expect(runView(failed, T0)).toEqual({ phase: 'Failed', message: 'smoke-ok: 1 failed measurement(s), more than failureLimit 0' });
  });

  it('terminates a running run once (a running metric then counts as successful)', () => {
    const started = startStoredRun({ runId: 'abc-0-bg0', templates: ['bg'], args: [], background: true }, sources, T0);
    const stopped = stopStoredRun(started, T0 + 5000);
    expect(runView(stopped, T0 + 5000).phase).toBe('Successful');
    expect(stopStoredRun(stopped, T0 + 9000)).toBe(stopped);
  });

  it('turns a run it cannot restore or start into an Error, with the reason', () => {
    const missing = startStoredRun({ runId: 'abc-0-s1', templates: ['nope'], args: [], background: false }, sources, T0);
    expect(runView(missing, T0)).toEqual({ phase: 'Error', message: 'AnalysisTemplate "nope" does not exist' });
    const runs = readRuns({ [runTagKey('abc-0-s0')]: 'a1:x:-', [runTagKey('abc-0-s1')]: 'garbage' }, sources);
    expect(runView(runs.get('abc-0-s0')!, T0)).toEqual({ phase: 'Error', message: 'no analysis of the manifest matches run abc-0-s0' });
    expect(runView(runs.get('abc-0-s1')!, T0).phase).toBe('Error');
    expect(runView(runs.get('abc-0-s1')!, T0).message).toContain('analysis run tag "garbage"');
  });
});
