import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDesiredState, validateSnapshot } from '../../../src/manifest/index.js';
import { stringify } from 'yaml';
import { analysisTemplate, baseService } from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-loader-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string): Promise<void> {
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
