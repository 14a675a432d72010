import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Runs the real CLI entry point as a user would, from `cwd`, returning its exit code and output. */
function cliIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const cli = (...args: string[]) => cliIn(ROOT, ...args);

/** Each test starts one or two real CLI processes (node + tsx), which take seconds each on a loaded 2-core machine. */
const PROCESS_TIMEOUT = { timeout: 30_000 };

describe('ecs-reconciler validate', PROCESS_TIMEOUT, () => {
  it('exits 0 on the example desired-state (the default DIR)', async () => {
    const result = await cli('validate');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid: 0 errors, 0 warnings \(3 services, 1 analysis template, revision \S+\)\n$/);
  });

  it('exits 1 on the broken fixtures, printing file:line:col: path: message per problem', async () => {
    const result = await cli('validate', 'test/fixtures/manifests/broken');
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines).toContain(
      'test/fixtures/manifests/broken/unknown-field.yaml:25:9: spec.taskDefinition.containerDefinitions[0].healthcheck: unknown field "healthcheck" (did you mean "healthCheck"?)',
    );
    expect(lines).toContain('test/fixtures/manifests/broken/bad-yaml.yaml:7:1: invalid YAML: Tabs are not allowed as indentation');
    expect(lines[0]).toMatch(/^test\/fixtures\/manifests\/broken\/bad-condition\.yaml:9:7: spec\.metrics\[0\]\.successCondition: successCondition does not parse: unexpected character "=" at 1:11/);
    expect(lines[8]).toMatch(/^invalid: 8 errors, 0 warnings/);
  });

  it('prints warnings without failing, and fails on them with --strict', async () => {
    const lenient = await cli('validate', 'test/fixtures/manifests/warnings');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('test/fixtures/manifests/warnings/latest.yaml:22:9: warning: spec.taskDefinition.containerDefinitions[0].image: image "123456789012.dkr.ecr.us-east-1.amazonaws.com/warned:latest" uses the mutable tag :latest');
    const strict = await cli('validate', '--strict', 'test/fixtures/manifests/warnings');
    expect(strict.code).toBe(1);
  });

  it('prints paths relative to the working directory, wherever DIR is', async () => {
    const fromFixtures = await cliIn(path.join(ROOT, 'test/fixtures/manifests'), 'validate', 'broken');
    expect(fromFixtures.stdout).toMatch(/^broken\/bad-yaml\.yaml:7:1: invalid YAML/m);
    const fromInside = await cliIn(path.join(ROOT, 'test/fixtures/manifests/broken'), 'validate', '.');
    expect(fromInside.stdout).toContain('\nunknown-field.yaml:25:9: ');
    const fromBelow = await cliIn(path.join(ROOT, 'test/fixtures/manifests/broken'), 'validate', '..');
    const files = fromBelow.stdout.split('\n').map((line) => line.split(':')[0]);
    expect(files[0]).toBe('bad-condition.yaml');
    expect(files).toContain('../warnings/latest.yaml');
  });

  it('prints diagnostics as JSON with --json, files relative to the validated root', async () => {
    const result = await cli('validate', '--json', 'test/fixtures/manifests/broken');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; errors: number; diagnostics: Array<Record<string, unknown>> };
    expect(report.valid).toBe(false);
    expect(report.errors).toBe(8);
    expect(report.diagnostics.find((d) => d.code === 'yaml-syntax')).toEqual({
      file: 'bad-yaml.yaml',
      line: 7,
      col: 1,
      severity: 'error',
      code: 'yaml-syntax',
      path: '',
      message: 'invalid YAML: Tabs are not allowed as indentation',
    });
  });

  it('exits 1 for a folder that does not exist', async () => {
    const result = await cli('validate', 'no/such/folder');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^no\/such\/folder:1:1: cannot read: ENOENT/);
  });
});

describe('ecs-reconciler schema', PROCESS_TIMEOUT, () => {
  it('prints the JSON Schema', async () => {
    const result = await cli('schema');
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; definitions: Record<string, unknown> };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.definitions)).toEqual(expect.arrayContaining(['Service', 'AnalysisTemplate', 'TaskDefinition', 'CanaryStep']));
  });
});
