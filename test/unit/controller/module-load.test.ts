import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every module URL a fresh Node process loads while importing `entries` (a module-load hook records them). */
async function modulesLoadedBy(entries: readonly string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-module-load-'));
  try {
    const log = path.join(dir, 'loaded.txt');
    const hooks = path.join(dir, 'hooks.mjs');
    await writeFile(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(log)}, url + '\\n');\n  return next(url, context);\n}\n`);
    await writeFile(log, '');
    const script = [
      `import { register } from 'node:module';`,
      `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
      ...entries.map((entry) => `await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, entry)).href)});`),
    ].join('\n');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: repoRoot });
    return (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('what `ecs-reconciler run` loads', () => {
  it('loads neither the sandbox nor the DynamoDB client: the sandbox, dev and leader election import them when used', async () => {
    // Every command module, as the CLI registers them all before it parses the arguments.
    const commands = (await readdir(path.join(repoRoot, 'src/cli/commands'))).filter((file) => file.endsWith('.ts')).map((file) => `src/cli/commands/${file}`);
    expect(commands).toContain('src/cli/commands/sandbox.ts');
    const loaded = await modulesLoadedBy([...commands, 'src/controller/runtime.ts']);

    expect(loaded.some((url) => url.endsWith('/src/controller/runtime.ts'))).toBe(true);
    expect(loaded.some((url) => url.includes('@aws-sdk/client-ecs'))).toBe(true);
    expect(loaded.filter((url) => url.includes('/src/sandbox/'))).toEqual([]);
    expect(loaded.filter((url) => url.includes('@aws-sdk/client-dynamodb'))).toEqual([]);
  });
});
