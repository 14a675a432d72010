import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/manifest/index.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';

const lines = (file: string, text: string, limits?: { maxDocuments: number; maxDepth: number }) => parseManifestFile(file, text, limits).diagnostics.map(formatDiagnostic);

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
    expect(lines('k.yaml', 'apiVersion: ecs-reconciler/v1\nmetadata: {name: x}\n')).toEqual(['k.yaml:1:1: kind: missing required field "kind" (Service, AnalysisTemplate or Notification)']);
    expect(lines('k.yaml', 'kind: Servce\n')).toEqual(['k.yaml:1:1: kind: unknown kind "Servce": expected Service, AnalysisTemplate or Notification (did you mean "Service"?)']);
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

describe('parseManifestFile: control characters', () => {
  it('rejects a NUL in an image, at the field, so nothing of the document is used', () => {
    const parsed = parseManifestFile('f.yaml', SERVICE.replace('nginx:1.27', 'nginx:1.27\0'));
    expect(parsed.documents.map((d) => d.manifest)).toEqual([undefined]);
    expect(parsed.diagnostics.map(formatDiagnostic)).toEqual([
      'f.yaml:12:9: spec.taskDefinition.containerDefinitions[0].image: the string holds the control character U+0000 at position 11',
    ]);
  });

  it('finds control characters written as escapes, and in keys', () => {
    expect(lines('f.yaml', SERVICE.replace('nginx:1.27', '"nginx:\\e1.27"'))).toEqual([
      'f.yaml:12:9: spec.taskDefinition.containerDefinitions[0].image: the string holds the control character U+001B at position 7',
    ]);
    expect(lines('f.yaml', SERVICE.replace('  cluster: demo', '  "clu\\u0085ster": demo'))).toEqual(['f.yaml:6:3: spec["clu\\u0085ster"]: the key holds the control character U+0085 at position 4']);
  });

  it('allows tabs and line breaks in free text only: commands, environment values, labels, annotations, analysis metrics', () => {
    const freeText = SERVICE.replace(
      '        image: nginx:1.27\n',
      '        image: nginx:1.27\n        command: ["sh", "-c", "set -e\\n\\techo ok"]\n        environment: [{name: MOTD, value: "line 1\\nline 2"}]\n        dockerLabels: {note: "a\\tb"}\n',
    );
    expect(lines('f.yaml', freeText)).toEqual([]);
    expect(lines('f.yaml', SERVICE.replace('nginx:1.27', '"nginx\\n:1.27"'))).toEqual([
      'f.yaml:12:9: spec.taskDefinition.containerDefinitions[0].image: the string holds the control character U+000A at position 6 (tabs and line breaks are only allowed in command, entryPoint, environment values, dockerLabels, annotations and analysis metrics)',
    ]);
    expect(lines('f.yaml', SERVICE.replace('        image: nginx:1.27\n', '        image: nginx:1.27\n        environment: [{name: "A\\tB", value: x}]\n'))).toEqual([
      'f.yaml:13:24: spec.taskDefinition.containerDefinitions[0].environment[0].name: the string holds the control character U+0009 at position 2 (tabs and line breaks are only allowed in command, entryPoint, environment values, dockerLabels, annotations and analysis metrics)',
    ]);
  });
});

describe('parseManifestFile: limits checked before the YAML parser runs', () => {
  const limits = { maxDocuments: 3, maxDepth: 8 };

  it('rejects a file with more documents than the limit, at the first one too many', () => {
    const text = `${SERVICE}---\n${SERVICE}---\n${SERVICE}---\n${SERVICE}`;
    expect(parseManifestFile('f.yaml', text, limits)).toEqual({
      file: 'f.yaml',
      documents: [],
      diagnostics: [
        {
          file: 'f.yaml',
          line: 39,
          col: 1,
          severity: 'error',
          code: 'too-many-documents',
          path: '',
          message: 'more than 3 documents in one file: split the file, or raise the limit with --max-documents / ECS_RECONCILER_MAX_DOCUMENTS',
        },
      ],
    });
  });

  it('counts the manifests of a top-level list against the same limit', () => {
    const list = `- ${JSON.stringify({ a: 1 })}\n`.repeat(4);
    expect(lines('f.yaml', list, limits)).toEqual(['f.yaml:1:1: more than 3 manifests in one file: split the file, or raise the limit with --max-documents / ECS_RECONCILER_MAX_DOCUMENTS']);
  });

  it('rejects nesting past the limit where it happens', () => {
    const deep = SERVICE.replace('nginx:1.27', `nginx:1.27\n        dockerLabels: {a: {b: {c: {d: 1}}}}`);
    expect(lines('f.yaml', deep, limits)).toEqual(['f.yaml:13:39: nested more than 8 levels deep: the file is not read (raise with --max-depth / ECS_RECONCILER_MAX_DEPTH)']);
    expect(parseManifestFile('f.yaml', SERVICE, limits).diagnostics).toEqual([]);
  });

  it('checks the exact depth on the parsed value too: "key: value" in a flow sequence is a mapping in it', () => {
    const pairs = SERVICE.replace('nginx:1.27', `nginx:1.27\n        dockerLabels: {a: [b: [c: 1]]}`);
    expect(lines('f.yaml', pairs, limits)).toEqual([
      'f.yaml:13:28: spec.taskDefinition.containerDefinitions[0].dockerLabels.a[0].b: nested more than 8 levels deep: the file is not read (raise with --max-depth / ECS_RECONCILER_MAX_DEPTH)',
    ]);
  });

  it('rejects aliases that expand past what the file holds', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c]'];
    expect(lines('f.yaml', bomb.join('\n'))[0]).toMatch(/^f\.yaml:1:1: invalid YAML: Excessive alias count|YAML aliases expand/);
    const wide = `a: &a [${Array(5000).fill('x').join(', ')}]\nb: [${Array(90).fill('*a').join(', ')}]\n`;
    expect(lines('f.yaml', wide)).toEqual(['f.yaml:1:1: YAML aliases expand to more values than the file holds characters: write the repeated values out, or repeat fewer of them']);
  });
});
