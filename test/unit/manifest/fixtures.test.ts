import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { READ_ONLY_TASK_DEFINITION_FIELDS, formatDiagnostic, jsonSchemaText, loadDesiredState, validateSnapshot } from '../../../src/manifest/index.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('test/fixtures/manifests/broken', () => {
  it('yields exactly one precise error per planted problem', async () => {
    const snapshot = await loadDesiredState(path.join(ROOT, 'test/fixtures/manifests/broken'));
    expect(validateSnapshot(snapshot).valid).toBe(false);
    expect(snapshot.diagnostics.map(formatDiagnostic)).toEqual([
      'bad-condition.yaml:9:7: spec.metrics[0].successCondition: successCondition does not parse: unexpected character "=" at 1:11 (see the condition language in docs/analysis.md)',
      'bad-yaml.yaml:7:1: invalid YAML: Tabs are not allowed as indentation',
      'duplicate-a.yaml:4:3: metadata.name: Service demo/shared is defined twice: at duplicate-a.yaml:4 and at duplicate-b.yaml:4 (none of them is applied: each file keeps its last good state until one definition is left)',
      'duplicate-b.yaml:4:3: metadata.name: Service demo/shared is defined twice: at duplicate-a.yaml:4 and at duplicate-b.yaml:4 (none of them is applied: each file keeps its last good state until one definition is left)',
      'fargate-size.yaml:16:5: spec.taskDefinition.memory: memory "512" is not a Fargate size for cpu 512 (with cpu 512, memory (MiB) must be 1024-4096 in steps of 1024)',
      'lb-missing-container.yaml:26:5: spec.loadBalancer.containerName: no container named "web" in the task definition (containers: app)',
      'unknown-field.yaml:25:9: spec.taskDefinition.containerDefinitions[0].healthcheck: unknown field "healthcheck" (did you mean "healthCheck"?)',
      'wrong-type.yaml:7:3: spec.desiredCount: Invalid input: expected number, received string',
    ]);
  });
});

describe('test/fixtures/manifests/pasted', () => {
  it('accepts a task definition pasted from aws ecs describe-task-definition, without its read-only fields', async () => {
    const snapshot = await loadDesiredState(path.join(ROOT, 'test/fixtures/manifests/pasted'));
    expect(snapshot.diagnostics).toEqual([]);
    const td = snapshot.services.get('demo/pasted')?.manifest.spec.taskDefinition;
    expect(td).toMatchObject({ family: 'pasted', cpu: '1024', memory: '3072' });
    const readOnly: readonly string[] = READ_ONLY_TASK_DEFINITION_FIELDS;
    expect(Object.keys(td ?? {}).filter((key) => readOnly.includes(key))).toEqual([]);
  });
});

describe('desired-state/ (the example repository)', () => {
  it('validates cleanly with no warnings', async () => {
    const snapshot = await loadDesiredState(path.join(ROOT, 'desired-state'));
    expect(snapshot.diagnostics).toEqual([]);
    expect(validateSnapshot(snapshot, { strict: true }).valid).toBe(true);
    expect([...snapshot.services.keys()].sort()).toEqual(['demo/checkout', 'demo/payments', 'demo/web']);
    expect([...snapshot.analysisTemplates.keys()]).toEqual(['error-rate']);
    const strategies = Object.fromEntries([...snapshot.services.values()].map((s) => [s.name, s.manifest.spec.rollout?.strategy]));
    expect(strategies).toEqual({ web: 'Rolling', checkout: 'Canary', payments: 'BlueGreen' });
  });
});

describe('schema/ecs-reconciler.schema.json', () => {
  it('is up to date with the zod schema (regenerate: node --import tsx src/cli/main.ts schema > schema/ecs-reconciler.schema.json)', async () => {
    const committed = await readFile(path.join(ROOT, 'schema/ecs-reconciler.schema.json'), 'utf8');
    expect(committed).toBe(jsonSchemaText());
  });
});
