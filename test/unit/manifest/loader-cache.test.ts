import { mkdir, mkdtemp, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestLoader, formatDiagnostic } from '../../../src/manifest/index.js';
import type { DesiredStateSnapshot } from '../../../src/manifest/index.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';
import { analysisTemplate, baseService, canaryRollout } from './helpers.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-loader-cache-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), text);
}

function service(name: string, change: (m: ReturnType<typeof baseService>) => void = () => undefined): string {
  const manifest = baseService();
  manifest.metadata.name = name;
  change(manifest);
  return stringify(manifest);
}

/** A loader whose parses are recorded, file by file, and reset on every read of `parsed`. */
function countingLoader(now?: () => number): { loader: ManifestLoader; takeParsed: () => string[] } {
  let parsed: string[] = [];
  const loader = new ManifestLoader({
    ...(now && { now }),
    parse: (file, text) => {
      parsed.push(file);
      return parseManifestFile(file, text);
    },
  });
  const takeParsed = () => {
    const files = parsed.sort();
    parsed = [];
    return files;
  };
  return { loader, takeParsed };
}

const diagnosticLines = (snapshot: DesiredStateSnapshot) => snapshot.diagnostics.map((d) => `${formatDiagnostic(d)} [${d.code}]`);

describe('ManifestLoader', () => {
  it('parses nothing when the folder is unchanged, and returns the same snapshot content', async () => {
    await write('web.yaml', service('web'));
    await write('more/api.yaml', service('api'));
    const { loader, takeParsed } = countingLoader();

    const first = await loader.load(dir);
    expect(takeParsed()).toEqual(['more/api.yaml', 'web.yaml']);
    const second = await loader.load(dir);
    expect(takeParsed()).toEqual([]);
    expect(second.services).toEqual(first.services);
    expect(second.files).toEqual(first.files);
    expect(second.revision).toBe(first.revision);
  });

  it('re-parses only the file whose content changed', async () => {
    await write('web.yaml', service('web'));
    await write('api.yaml', service('api'));
    const { loader, takeParsed } = countingLoader();
    const first = await loader.load(dir);
    takeParsed();

    await write('api.yaml', service('api', (m) => (m.spec.desiredCount = 5)));
    const second = await loader.load(dir);
    expect(takeParsed()).toEqual(['api.yaml']);
    expect(second.services.get('demo/api')?.manifest.spec.desiredCount).toBe(5);
    expect(second.services.get('demo/api')?.hash).not.toBe(first.services.get('demo/api')?.hash);
    expect(second.services.get('demo/web')).toEqual(first.services.get('demo/web'));
    expect(second.revision).not.toBe(first.revision);
  });

  it('reuses files with identical bytes when git-sync swaps to a new worktree', async () => {
    const [before, after] = ['a'.repeat(40), 'b'.repeat(40)];
    for (const commit of [before, after]) await write(`.worktrees/${commit}/services/web.yaml`, service('web'));
    await write(`.worktrees/${before}/services/api.yaml`, service('api'));
    await write(`.worktrees/${after}/services/api.yaml`, service('api', (m) => (m.spec.desiredCount = 4)));
    await symlink(`.worktrees/${before}`, path.join(dir, 'current'));
    const { loader, takeParsed } = countingLoader();
    expect((await loader.load(path.join(dir, 'current'))).revision).toBe(before);
    takeParsed();

    // git-sync's swap: a new link renamed over the old one.
    await symlink(`.worktrees/${after}`, path.join(dir, 'next'));
    await rename(path.join(dir, 'next'), path.join(dir, 'current'));
    const swapped = await loader.load(path.join(dir, 'current'));
    expect(takeParsed()).toEqual(['services/api.yaml']);
    expect(swapped.revision).toBe(after);
    expect(swapped.root).toBe(path.join(dir, '.worktrees', after));
    expect(swapped.services.get('demo/api')?.manifest.spec.desiredCount).toBe(4);
    expect(swapped.services.get('demo/web')?.source.file).toBe('services/web.yaml');
  });

  it('drops a deleted file from the snapshot and from the cache', async () => {
    await write('web.yaml', service('web'));
    await write('api.yaml', service('api'));
    const { loader, takeParsed } = countingLoader();
    await loader.load(dir);
    takeParsed();

    await unlink(path.join(dir, 'api.yaml'));
    const without = await loader.load(dir);
    expect([...without.services.keys()]).toEqual(['demo/web']);
    expect([...without.files.keys()]).toEqual(['web.yaml']);
    expect(takeParsed()).toEqual([]);

    // Restoring the same bytes parses again: the entry was not kept for a file that no longer existed.
    await write('api.yaml', service('api'));
    expect([...(await loader.load(dir)).services.keys()].sort()).toEqual(['demo/api', 'demo/web']);
    expect(takeParsed()).toEqual(['api.yaml']);
  });

  it('detects a duplicate service across files when one of the two files is cached', async () => {
    await write('a.yaml', service('web'));
    const { loader, takeParsed } = countingLoader();
    await loader.load(dir);
    takeParsed();

    await write('b.yaml', service('web'));
    const snapshot = await loader.load(dir);
    expect(takeParsed()).toEqual(['b.yaml']);
    const message = 'metadata.name: Service demo/web is defined twice: at a.yaml:4 and at b.yaml:4 (none of them is applied: each file keeps its last good state until one definition is left) [duplicate]';
    expect(diagnosticLines(snapshot)).toEqual([`a.yaml:4:3: ${message}`, `b.yaml:4:3: ${message}`]);
    expect(snapshot.files.get('a.yaml')?.ok).toBe(false);
    expect(snapshot.files.get('b.yaml')?.ok).toBe(false);
    expect(snapshot.services.size).toBe(0);

    await unlink(path.join(dir, 'b.yaml'));
    expect((await loader.load(dir)).diagnostics).toEqual([]);
    expect(takeParsed()).toEqual([]);
  });

  it('re-checks AnalysisTemplate references of a cached service against the templates of each load', async () => {
    const canary = (m: ReturnType<typeof baseService>) => {
      const rollout = canaryRollout();
      rollout.canary.steps.push({ analysis: { templates: ['error-rate'], args: [{ name: 'target-group', value: 'web-green' }] } });
      m.spec.rollout = rollout;
    };
    await write('web.yaml', service('web', canary));
    await write('analysis.yaml', stringify(analysisTemplate()));
    const { loader, takeParsed } = countingLoader();
    expect((await loader.load(dir)).diagnostics).toEqual([]);
    takeParsed();

    await unlink(path.join(dir, 'analysis.yaml'));
    const snapshot = await loader.load(dir);
    expect(takeParsed()).toEqual([]);
    expect(snapshot.diagnostics).toEqual([
      expect.objectContaining({ file: 'web.yaml', code: 'analysis-template-ref', path: 'spec.rollout.canary.steps[2].analysis.templates[0]' }),
    ]);
    const reference = snapshot.diagnostics[0];
    expect(reference?.line).toBeGreaterThan(1);
    expect(snapshot.services.size).toBe(0);
  });

  it('reports the diagnostics of a cached broken file on every load', async () => {
    await write('web.yaml', service('web'));
    const latest = service('api', (m) => (m.spec.taskDefinition.containerDefinitions[0]!.image = 'web:latest'));
    await write('bad.yaml', `${latest}---\n${service('worker').replace('desiredCount: 2', 'desiredCount: two')}`);
    const { loader, takeParsed } = countingLoader();
    const first = await loader.load(dir);
    takeParsed();
    expect(first.diagnostics.map((d) => `${d.file} ${d.code}`)).toEqual(['bad.yaml mutable-image', 'bad.yaml schema']);
    expect(first.files.get('bad.yaml')?.ok).toBe(false);

    const second = await loader.load(dir);
    expect(takeParsed()).toEqual([]);
    expect(diagnosticLines(second)).toEqual(diagnosticLines(first));
    expect(second.files.get('bad.yaml')).toEqual(first.files.get('bad.yaml'));
  });

  describe('trusting an unchanged size and mtime', () => {
    const mtime = new Date('2026-01-01T00:00:00Z');
    /** Rewrites web.yaml with bytes of the same length and puts its mtime back: only its content tells. */
    const sameSizeEdit = async () => {
      await write('web.yaml', service('web', (m) => (m.spec.desiredCount = 3)));
      await utimes(path.join(dir, 'web.yaml'), mtime, mtime);
    };

    beforeEach(async () => {
      await write('web.yaml', service('web'));
      await utimes(path.join(dir, 'web.yaml'), mtime, mtime);
    });

    it('skips reading a file whose stat is unchanged and was taken well after its mtime', async () => {
      const { loader, takeParsed } = countingLoader(() => mtime.getTime() + 60_000);
      await loader.load(dir);
      takeParsed();
      await sameSizeEdit();
      expect((await loader.load(dir)).services.get('demo/web')?.manifest.spec.desiredCount).toBe(2);
      expect(takeParsed()).toEqual([]);
    });

    it('reads and hashes the bytes when the mtime was too close to the stat to prove anything', async () => {
      const { loader, takeParsed } = countingLoader(() => mtime.getTime() + 500);
      await loader.load(dir);
      takeParsed();
      await sameSizeEdit();
      expect((await loader.load(dir)).services.get('demo/web')?.manifest.spec.desiredCount).toBe(3);
      expect(takeParsed()).toEqual(['web.yaml']);
    });
  });
});
