import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/manifest/index.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';

const lines = (file: string, text: string) => parseManifestFile(file, text).diagnostics.map(formatDiagnostic);

const SERVICE = `apiVersion: ecs-reconciler/v1
kind: Service
metadata:
  name: web
spec:
  cluster: demo
  launchType: EC2
  taskDefinition:
    family: web
    containerDefinitions:
      - name: app
        image: nginx:1.27
`;

describe('parseManifestFile', () => {
  it('parses many YAML documents per file and records where each starts', () => {
    const parsed = parseManifestFile('two.yaml', `${SERVICE}---\n${SERVICE.replace('name: web', 'name: api')}`);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.documents.map((d) => [d.manifest?.metadata.name, d.source.line])).toEqual([
      ['web', 1],
      ['api', 14],
    ]);
  });

  it('skips empty documents', () => {
    const parsed = parseManifestFile('empty.yaml', `---\n# nothing here\n---\n${SERVICE}---\n`);
    expect(parsed.documents).toHaveLength(1);
  });

  it('places an unknown field at its key, with a did-you-mean hint', () => {
    expect(lines('f.yaml', SERVICE.replace('        image:', '        imag:'))).toEqual([
      'f.yaml:12:9: spec.taskDefinition.containerDefinitions[0].imag: unknown field "imag" (did you mean "image"?)',
    ]);
  });

  it('points pasted CreateService fields to their manifest equivalents', () => {
    expect(lines('f.yaml', SERVICE.replace('  cluster: demo\n', '  cluster: demo\n  deploymentConfiguration: {maximumPercent: 200}\n'))).toEqual([
      'f.yaml:7:3: spec.deploymentConfiguration: unknown field "deploymentConfiguration" (use rollout: strategy Rolling with rolling: {...}, or strategy Native)',
    ]);
  });

  it('reports every problem at once', () => {
    const text = SERVICE.replace('launchType: EC2', 'launchType: FARGAT').replace('family: web', 'famly: web');
    expect(lines('f.yaml', text)).toEqual([
      'f.yaml:7:3: spec.launchType: Invalid option: expected one of "EC2"|"FARGATE"|"EXTERNAL"|"MANAGED_INSTANCES" (did you mean "FARGATE"?)',
      'f.yaml:9:5: spec.taskDefinition.famly: unknown field "famly" (did you mean "family"?)',
    ]);
  });

  it('reports a misspelt required field once, not also as missing', () => {
    expect(lines('f.yaml', SERVICE.replace('family: web', 'famly: web'))).toEqual([
      'f.yaml:9:5: spec.taskDefinition.famly: unknown field "famly" (did you mean "family"?)',
    ]);
    expect(lines('f.yaml', SERVICE.replace('family: web', 'familyName: web'))).toEqual([
      'f.yaml:8:3: spec.taskDefinition.family: missing required field "family"',
      'f.yaml:9:5: spec.taskDefinition.familyName: unknown field "familyName"',
    ]);
  });

  it('falls back to the nearest written ancestor for a missing field', () => {
    expect(lines('f.yaml', SERVICE.replace('        image: nginx:1.27\n', ''))).toEqual([
      'f.yaml:11:9: spec.taskDefinition.containerDefinitions[0].image: missing required field "image"',
    ]);
  });

  it('reads JSON, including a top-level list of manifests', () => {
    const json = JSON.stringify([{ apiVersion: 'ecs-reconciler/v1', kind: 'Service', metadata: { name: 'a' }, spec: { cluster: 'demo', taskDefinition: { family: 'a', containerDefinitions: [{ name: 'app', image: 'x:1', cpu: 'lots' }] } } }], null, 2);
    expect(lines('list.json', json)).toEqual([
      'list.json:16:13: spec.taskDefinition.containerDefinitions[0].cpu: Invalid input: expected number, received string',
    ]);
  });

  it('reports a YAML syntax error at its position, once per document', () => {
    expect(lines('bad.yaml', `${SERVICE}---\nkind: Service\n\tmetadata: {}\n`)).toEqual(['bad.yaml:15:1: invalid YAML: Tabs are not allowed as indentation']);
  });

  it('reports unresolved aliases and alias bombs instead of throwing', () => {
    expect(lines('alias.yaml', 'kind: *nope\n')).toEqual([
      'alias.yaml:1:1: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope',
    ]);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    expect(lines('bomb.yaml', bomb.join('\n'))).toEqual(['bomb.yaml:1:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack']);
  });

  it('rejects duplicate keys', () => {
    expect(lines('dup.yaml', SERVICE.replace('  cluster: demo\n', '  cluster: demo\n  cluster: prod\n'))).toEqual([
      'dup.yaml:7:3: invalid YAML: Map keys must be unique',
    ]);
  });

  it('explains a missing or unknown kind', () => {
    expect(lines('k.yaml', 'apiVersion: ecs-reconciler/v1\nmetadata: {name: x}\n')).toEqual(['k.yaml:1:1: kind: missing required field "kind" (Service or AnalysisTemplate)']);
    expect(lines('k.yaml', 'kind: Servce\n')).toEqual(['k.yaml:1:1: kind: unknown kind "Servce": expected Service or AnalysisTemplate (did you mean "Service"?)']);
    expect(lines('k.yaml', '- 1\n')).toEqual(['k.yaml:1:3: expected a manifest: a mapping with apiVersion, kind, metadata and spec']);
  });

  it('asks for quotes around unquoted annotation values', () => {
    expect(lines('f.yaml', SERVICE.replace('  name: web\n', '  name: web\n  annotations:\n    ecs-reconciler/adopt: true\n'))).toEqual([
      'f.yaml:6:5: metadata.annotations["ecs-reconciler/adopt"]: values are strings: quote them, e.g. "true"',
    ]);
  });

  it('locates keys that contain dots', () => {
    const text = `${SERVICE}  loadBalancer:
    containerName: app
    containerPort: 80
    targetGroup: web
    targetGroupSettings:
      attributes:
        deregistration_delay.timeout_seconds: "30"
`;
    expect(lines('f.yaml', text.replace('image: nginx:1.27', 'image: nginx:1.27\n        portMappings: [{containerPort: 80}]'))).toEqual([
      'f.yaml:20:9: spec.loadBalancer.targetGroupSettings.attributes["deregistration_delay.timeout_seconds"]: Invalid input: expected number, received string',
    ]);
  });
});
