import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_LIMITS, ManifestLoader, formatBytes, loadDesiredState, parseByteSize, validateSnapshot } from '../../../src/manifest/index.js';
import { stringify } from 'yaml';
import { analysisTemplate, baseService } from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-loader-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string | Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), text);
}

function service(name: string): string {
  const manifest = baseService();
  manifest.metadata.name = name;
  return stringify(manifest);
}

describe('loadDesiredState', () => {
  it('reads yaml, yml and json files in a folder tree, skipping dotfiles, dot-folders and other files', async () => {
    await write('services/web.yaml', service('web'));
    await write('services/more/api.yml', `# comment\n${service('api')}`);
    await write('analysis.json', JSON.stringify(analysisTemplate()));
    await write('.hidden.yaml', service('hidden'));
    await write('.git/config.yaml', service('git'));
    await write('.drafts/draft.yaml', service('draft'));
    await write('README.md', '# not a manifest');

    const snapshot = await loadDesiredState(dir);
    expect(snapshot.diagnostics).toEqual([]);
    expect(snapshot.complete).toBe(true);
    expect([...snapshot.services.keys()].sort()).toEqual(['demo/api', 'demo/web']);
    expect([...snapshot.analysisTemplates.keys()]).toEqual(['error-rate']);
    expect([...snapshot.files.keys()]).toEqual(['analysis.json', 'services/more/api.yml', 'services/web.yaml']);
    const api = snapshot.services.get('demo/api');
    expect(api).toMatchObject({ key: 'demo/api', cluster: 'demo', name: 'api', source: { file: 'services/more/api.yml', line: 2, col: 1 } });
    expect(api?.manifest.spec.taskDefinition.family).toBe('web');
  });

  it('hashes each service by content, not by formatting or key order', async () => {
    await write('a.yaml', service('web'));
    const first = (await loadDesiredState(dir)).services.get('demo/web')?.hash;
    await write('a.yaml', `# reformatted\n${stringify(baseService(), { sortMapEntries: true })}`);
    const reordered = (await loadDesiredState(dir)).services.get('demo/web')?.hash;
    await write('a.yaml', service('web').replace('desiredCount: 2', 'desiredCount: 3'));
    const changed = (await loadDesiredState(dir)).services.get('demo/web')?.hash;
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(reordered).toBe(first);
    expect(changed).not.toBe(first);
  });

  it('leaves a file with any error out of the services, but reports what it declares', async () => {
    await write('good.yaml', service('web'));
    const bad = `${service('api')}---\n${service('worker').replace('desiredCount: 2', 'desiredCount: two')}`;
    await write('bad.yaml', bad);
    const snapshot = await loadDesiredState(dir);
    expect([...snapshot.services.keys()]).toEqual(['demo/web']);
    expect(snapshot.files.get('bad.yaml')).toMatchObject({ ok: false, serviceKeys: ['demo/api', 'demo/worker'] });
    expect(snapshot.files.get('good.yaml')).toMatchObject({ ok: true, serviceKeys: ['demo/web'], diagnostics: [] });
    const line = bad.split('\n').findIndex((l) => l.includes('desiredCount: two')) + 1;
    expect(snapshot.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.path}`)).toEqual([`bad.yaml:${line}:3: spec.desiredCount`]);
  });

  it('names the services and templates of documents the schema rejected, when their identity is readable', async () => {
    const arnCluster = service('api').replace('cluster: demo', 'cluster: arn:aws:ecs:us-east-1:123456789012:cluster/prod');
    const noCluster = service('orphan').replace('cluster: demo', 'cluster: [demo]');
    const numericName = service('x').replace('name: x', 'name: 42');
    const template = stringify({ ...analysisTemplate('error-rate'), spec: { metrics: [] } });
    await write('broken.yaml', [arnCluster.replace('desiredCount: 2', 'desiredCount: two'), noCluster, numericName, template].join('---\n'));
    const snapshot = await loadDesiredState(dir);
    expect(snapshot.services.size).toBe(0);
    expect(snapshot.analysisTemplates.size).toBe(0);
    expect(snapshot.files.get('broken.yaml')).toMatchObject({ ok: false, serviceKeys: ['prod/api'], analysisTemplates: ['error-rate'] });
  });

  it('reports a file that vanishes during the load as an error for that file', async () => {
    await write('web.yaml', service('web'));
    await symlink(path.join(dir, 'deleted-worktree', 'api.yaml'), path.join(dir, 'api.yaml'));
    const snapshot = await loadDesiredState(dir);
    expect(snapshot.complete).toBe(false);
    expect([...snapshot.services.keys()]).toEqual(['demo/web']);
    expect(snapshot.files.get('api.yaml')).toMatchObject({ ok: false });
    expect(snapshot.diagnostics).toEqual([expect.objectContaining({ file: 'api.yaml', code: 'unreadable', message: expect.stringMatching(/^cannot read: ENOENT/) })]);
  });

  it('reports a missing folder without throwing', async () => {
    const snapshot = await loadDesiredState(path.join(dir, 'absent'));
    expect(snapshot.complete).toBe(false);
    expect(snapshot.services.size).toBe(0);
    expect(snapshot.diagnostics).toEqual([expect.objectContaining({ file: '.', code: 'unreadable' })]);
    expect(validateSnapshot(snapshot).valid).toBe(false);
  });

  it('fails validation on errors, and on warnings only when strict', async () => {
    await write('web.yaml', service('web').replace('web:1.0.0', 'web:latest'));
    const snapshot = await loadDesiredState(dir);
    expect(validateSnapshot(snapshot)).toMatchObject({ valid: true, errors: 0, warnings: 1 });
    expect(validateSnapshot(snapshot, { strict: true })).toMatchObject({ valid: false, errors: 0, warnings: 1 });
  });
});

describe('revision', () => {
  const commit = 'a'.repeat(40);
  const other = 'b'.repeat(40);

  it('is the git-sync worktree commit when the folder is a symlink to .worktrees/<commit>', async () => {
    await write(`.worktrees/${commit}/services/web.yaml`, service('web'));
    await symlink(`.worktrees/${commit}`, path.join(dir, 'current'));
    const snapshot = await loadDesiredState(path.join(dir, 'current'));
    expect(snapshot.revision).toBe(commit);
    expect(snapshot.root).toBe(path.join(dir, '.worktrees', commit));
    expect(snapshot.services.get('demo/web')?.source.file).toBe('services/web.yaml');
  });

  it('is HEAD from a loose ref in .git', async () => {
    await write('web.yaml', service('web'));
    await write('.git/HEAD', 'ref: refs/heads/main\n');
    await write('.git/refs/heads/main', `${commit}\n`);
    expect((await loadDesiredState(dir)).revision).toBe(commit);
  });

  it('is HEAD from packed-refs, or a detached HEAD', async () => {
    await write('web.yaml', service('web'));
    await write('.git/HEAD', 'ref: refs/heads/main\n');
    await write('.git/packed-refs', `# pack-refs with: peeled fully-peeled sorted\n${other} refs/heads/dev\n${commit} refs/heads/main\n`);
    expect((await loadDesiredState(dir)).revision).toBe(commit);
    await write('.git/HEAD', `${other}\n`);
    expect((await loadDesiredState(dir)).revision).toBe(other);
  });

  it('is HEAD of the repository containing the folder', async () => {
    await write('repo/desired/web.yaml', service('web'));
    await write('repo/.git/HEAD', `${commit}\n`);
    expect((await loadDesiredState(path.join(dir, 'repo', 'desired'))).revision).toBe(commit);
  });

  it('is a content hash without git', async () => {
    await write('web.yaml', service('web'));
    const first = (await loadDesiredState(dir)).revision;
    await write('web.yaml', service('web').replace('desiredCount: 2', 'desiredCount: 3'));
    const second = (await loadDesiredState(dir)).revision;
    expect(first).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(second).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });
});

describe('loadDesiredState of one file', () => {
  it('loads just that file, with paths relative to its folder, whatever its name', async () => {
    await write('services/web.yaml', service('web'));
    await write('services/api.yaml', service('api'));
    await write('draft.txt', service('draft'));
    const snapshot = await loadDesiredState(path.join(dir, 'services/web.yaml'));
    expect(snapshot.diagnostics).toEqual([]);
    expect(snapshot.root).toBe(path.join(dir, 'services'));
    expect([...snapshot.files.keys()]).toEqual(['web.yaml']);
    expect([...snapshot.services.keys()]).toEqual(['demo/web']);
    expect([...(await loadDesiredState(path.join(dir, 'draft.txt'))).services.keys()]).toEqual(['demo/draft']);
  });
});

describe('input limits', () => {
  const limits = { ...DEFAULT_INPUT_LIMITS, maxFileBytes: 8 * 1024, maxTotalBytes: 20 * 1024 };

  it('rejects a file over the size limit from its stat, without reading it', async () => {
    await write('web.yaml', service('web'));
    await write('huge.yaml', '');
    await truncate(path.join(dir, 'huge.yaml'), 10 * 1024 ** 3);
    let parsed = 0;
    const loader = new ManifestLoader({ limits, parse: () => ((parsed += 1), { file: '', documents: [], diagnostics: [] }) });
    const snapshot = await loader.load(dir);
    expect(parsed).toBe(1);
    expect(snapshot.diagnostics).toEqual([
      {
        file: 'huge.yaml',
        line: 1,
        col: 1,
        severity: 'error',
        code: 'file-too-large',
        path: '',
        message: 'the file is 10 GiB, over the limit of 8 KiB per file: not read (raise with --max-file-size / ECS_RECONCILER_MAX_FILE_SIZE)',
      },
    ]);
    expect(snapshot.files.get('huge.yaml')).toMatchObject({ ok: false, serviceKeys: [] });
  });

  it('reads nothing of a folder over the total limit', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await write(`${name}.yaml`, `${service(name)}# ${'x'.repeat(4000)}\n`);
    let parsed = 0;
    const loader = new ManifestLoader({ limits, parse: () => ((parsed += 1), { file: '', documents: [], diagnostics: [] }) });
    const snapshot = await loader.load(dir);
    expect(parsed).toBe(0);
    expect(snapshot.complete).toBe(false);
    expect(snapshot.diagnostics).toEqual([expect.objectContaining({ file: '.', code: 'folder-too-large', message: expect.stringMatching(/^the manifest files add up to 2\d\.\d+ KiB, over the limit of 20 KiB: nothing was read/) })]);
  });

  it('reads nothing of a folder with more files than the limit', async () => {
    for (const name of ['a', 'b', 'c']) await write(`${name}.yaml`, service(name));
    const snapshot = await new ManifestLoader({ limits: { ...limits, maxFiles: 2 } }).load(dir);
    expect(snapshot.services.size).toBe(0);
    expect(snapshot.diagnostics).toEqual([
      expect.objectContaining({ file: '.', code: 'folder-too-large', message: 'the folder holds 3 manifest files, over the limit of 2: nothing was read (raise with --max-files / ECS_RECONCILER_MAX_FILES)' }),
    ]);
  });

  it('rejects a file that is not UTF-8 at its first bad byte', async () => {
    await write('latin1.yaml', Buffer.concat([Buffer.from(`${service('web')}# caf`), Buffer.from([0xe9]), Buffer.from('\n')]));
    const lines = service('web').split('\n').length;
    expect((await loadDesiredState(dir)).diagnostics).toEqual([
      { file: 'latin1.yaml', line: lines, col: 6, severity: 'error', code: 'invalid-utf8', path: '', message: 'not UTF-8 text (a binary file, or another encoding): manifests are UTF-8' },
    ]);
  });

  it('parses sizes with binary units and prints them back', () => {
    expect([parseByteSize('1048576'), parseByteSize('512KiB'), parseByteSize('2 MiB'), parseByteSize('1.5mb'), parseByteSize('1G')]).toEqual([1048576, 524288, 2097152, 1572864, 1073741824]);
    expect([parseByteSize(''), parseByteSize('-1'), parseByteSize('0'), parseByteSize('12 parsecs')]).toEqual([undefined, undefined, undefined, undefined]);
    expect([formatBytes(1000), formatBytes(1024 ** 2), formatBytes(40_000_000)]).toEqual(['1000 bytes', '1 MiB', '38.15 MiB']);
  });
});
