import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Runs the real CLI entry point as a user would, returning its exit code and output. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('ecs-reconciler validate', () => {
  it('exits 0 on the example desired-state (the default DIR)', async () => {
    const result = await cli('validate');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid: 0 errors, 0 warnings \(3 services, 1 analysis template, revision \S+\)\n$/);
  });

  it('exits 1 on the broken fixtures, printing file:line:col: path: message per problem', async () => {
    const result = await cli('validate', 'test/fixtures/manifests/broken');
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines).toContain('unknown-field.yaml:25:9: spec.taskDefinition.containerDefinitions[0].healthcheck: unknown field "healthcheck" (did you mean "healthCheck"?)');
    expect(lines[6]).toMatch(/^invalid: 6 errors, 0 warnings/);
  });

  it('prints warnings without failing, and fails on them with --strict', async () => {
    const lenient = await cli('validate', 'test/fixtures/manifests/warnings');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('latest.yaml:22:9: warning: spec.taskDefinition.containerDefinitions[0].image: image "123456789012.dkr.ecr.us-east-1.amazonaws.com/warned:latest" uses the mutable tag :latest');
    const strict = await cli('validate', '--strict', 'test/fixtures/manifests/warnings');
    expect(strict.code).toBe(1);
  });

  it('prints diagnostics as JSON with --json', async () => {
    const result = await cli('validate', '--json', 'test/fixtures/manifests/broken');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; errors: number; diagnostics: Array<Record<string, unknown>> };
    expect(report.valid).toBe(false);
    expect(report.errors).toBe(6);
    expect(report.diagnostics[0]).toEqual({
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

describe('ecs-reconciler schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await cli('schema');
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; definitions: Record<string, unknown> };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(Object.keys(schema.definitions)).toEqual(expect.arrayContaining(['Service', 'AnalysisTemplate', 'TaskDefinition', 'CanaryStep']));
  });
});
