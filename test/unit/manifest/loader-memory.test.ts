import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestLoader } from '../../../src/manifest/index.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';
import { baseService } from './helpers.js';

// A full collection on demand: whether something is still reachable is a fact of the heap, not of timing.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-loader-memory-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A loader that records a weak reference to every parsed document (each holds its file's YAML tree). */
function trackingLoader(): { loader: ManifestLoader; parsedDocuments: WeakRef<object>[] } {
  const parsedDocuments: WeakRef<object>[] = [];
  const loader = new ManifestLoader({
    parse: (file, text) => {
      const parsed = parseManifestFile(file, text);
      for (const doc of parsed.documents) parsedDocuments.push(new WeakRef(doc));
      return parsed;
    },
  });
  return { loader, parsedDocuments };
}

/** WeakRef targets stay alive until the current job ends, so collect after yielding to the event loop. */
async function collectedAfterThisJob(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  collectGarbage();
}

describe('ManifestLoader memory', () => {
  it('keeps no parsed document (and so no YAML tree) of the files it caches', async () => {
    for (const name of ['web', 'api', 'worker']) {
      const manifest = baseService();
      manifest.metadata.name = name;
      await writeFile(path.join(dir, `${name}.yaml`), stringify(manifest));
    }
    const { loader, parsedDocuments } = trackingLoader();

    const snapshot = await loader.load(dir);
    await collectedAfterThisJob();

    expect(snapshot.services.size).toBe(3);
    expect(parsedDocuments).toHaveLength(3);
    expect(parsedDocuments.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });

  it('still reports cross-file findings at their positions without the parse tree', async () => {
    const manifest = baseService();
    await writeFile(path.join(dir, 'a.yaml'), stringify(manifest));
    const second = `# a comment line\n${stringify(manifest)}`;
    await writeFile(path.join(dir, 'b.yaml'), second);
    const nameLine = second.split('\n').findIndex((line) => line.trim() === 'name: web') + 1;
    const { loader } = trackingLoader();

    await loader.load(dir);
    await collectedAfterThisJob();
    const again = await loader.load(dir);

    const duplicates = again.diagnostics.filter((d) => d.code === 'duplicate');
    expect(duplicates).toMatchObject([{ file: 'a.yaml', line: nameLine - 1, path: 'metadata.name' }, { file: 'b.yaml', line: nameLine, path: 'metadata.name' }]);
  });
});
