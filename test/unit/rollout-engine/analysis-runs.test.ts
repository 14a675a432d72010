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
import { signRecord } from '../../../src/integrity/index.js';
import { TEST_RECORD_KEY } from '../../support/record-key.js';

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

const SERVICE_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';
const service = (tags: Record<string, string>) => ({ serviceArn: SERVICE_ARN, tags });
const signed = (runId: string, payload: string) => signRecord(TEST_RECORD_KEY, { resource: SERVICE_ARN, tag: runTagKey(runId) }, payload);

describe('runs kept in tags', () => {
  it('starts a run, measures what is due, and restores it from its tag exactly', async () => {
    const started = startStoredRun({ runId: 'abc-0-s1', templates: ['smoke'], args: [], background: false }, sources, T0);
    expect(runView(started, T0)).toEqual({ phase: 'Running' });
    const measured = await measureRun(started, { web: provider(true) }, clock(T0));
    expect(measured.tag).not.toBe(started.tag);
    expect(measurementDelayMs(measured, T0)).toBe(30_000);

    const restored = readRuns(service({ [runTagKey('abc-0-s1')]: signed('abc-0-s1', measured.tag), other: 'x' }), sources, TEST_RECORD_KEY);
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
    const runs = readRuns(service({ [runTagKey('abc-0-s0')]: signed('abc-0-s0', 'a1:x:-'), [runTagKey('abc-0-s1')]: signed('abc-0-s1', 'garbage') }), sources, TEST_RECORD_KEY);
    expect(runView(runs.get('abc-0-s0')!, T0)).toEqual({ phase: 'Error', message: 'no analysis of the manifest matches run abc-0-s0' });
    expect(runView(runs.get('abc-0-s1')!, T0).phase).toBe('Error');
    expect(runView(runs.get('abc-0-s1')!, T0).message).toContain('analysis run tag "garbage"');
  });

  it('never restores a run whose tag fails verification: it is rejected, with the reason, and never measured again', async () => {
    const started = startStoredRun({ runId: 'abc-0-s1', templates: ['smoke'], args: [], background: false }, sources, T0);
    const forgedSuccess = (await measureRun(started, { web: provider(true) }, clock(T0))).tag;
    const elsewhere = signRecord(TEST_RECORD_KEY, { resource: `${SERVICE_ARN}-2`, tag: runTagKey('abc-0-s1') }, forgedSuccess);
    for (const [value, reason] of [[forgedSuccess, 'unsigned'], [elsewhere, 'forged'], [signed('abc-0-s2', forgedSuccess), 'forged']] as const) {
      const run = readRuns(service({ [runTagKey('abc-0-s1')]: value }), sources, TEST_RECORD_KEY).get('abc-0-s1')!;
      expect(run).toMatchObject({ rejected: reason });
      expect(runView(run, T0)).toMatchObject({ phase: 'Error', rejected: expect.stringMatching(reason === 'unsigned' ? /no signature/ : /does not match/) });
      expect(await measureRun(run, { web: provider(true) }, clock(T0 + 60_000))).toBe(run);
      expect(stopStoredRun(run, T0 + 60_000)).toBe(run);
    }
  });
});
