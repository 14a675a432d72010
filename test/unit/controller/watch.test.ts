import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemTime } from '../../../src/controller/time.js';
import { createDebouncer, isIgnoredPath, watchFolder } from '../../../src/controller/watch.js';
import type { FolderWatcher } from '../../../src/controller/watch.js';
import { FakeTime } from './fake-time.js';

describe('createDebouncer', () => {
  it('runs once after a quiet period, however many triggers came before', () => {
    const time = new FakeTime();
    let runs = 0;
    const debouncer = createDebouncer(() => runs++, 200, time);
    debouncer.trigger();
    time.advance(150);
    debouncer.trigger();
    time.advance(150);
    debouncer.trigger();
    expect(runs).toBe(0);
    time.advance(200);
    expect(runs).toBe(1);
    expect(time.pendingTimers()).toBe(0);
  });

  it('runs again for triggers after a run', () => {
    const time = new FakeTime();
    let runs = 0;
    const debouncer = createDebouncer(() => runs++, 200, time);
    debouncer.trigger();
    time.advance(200);
    debouncer.trigger();
    time.advance(200);
    expect(runs).toBe(2);
  });

  it('cancel drops a pending run', () => {
    const time = new FakeTime();
    let runs = 0;
    const debouncer = createDebouncer(() => runs++, 200, time);
    debouncer.trigger();
    debouncer.cancel();
    time.advance(1_000);
    expect(runs).toBe(0);
  });
});

describe('isIgnoredPath', () => {
  it.each([
    ['/repo/current/.git/HEAD', true],
    ['/repo/current/.sandbox/seed.yaml', true],
    ['/repo/current/services/.draft.yaml', true],
    ['/repo/current/services/web.yaml', false],
    ['/repo/current', false],
    ['/repo/.worktrees/abc/web.yaml', false],
  ])('%s -> %s', (candidate, ignored) => {
    expect(isIgnoredPath('/repo/current', candidate)).toBe(ignored);
  });
});

describe('watchFolder', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function watched(dir: string): Promise<{ watcher: FolderWatcher; nextChange: () => Promise<void>; errors: unknown[] }> {
    let notify: () => void = () => {};
    const errors: unknown[] = [];
    const watcher = watchFolder(dir, () => notify(), { debounceMs: 20, scheduler: systemTime, onError: (error) => errors.push(error) });
    cleanup.push(() => watcher.close());
    await watcher.ready();
    return { watcher, errors, nextChange: () => new Promise<void>((resolve) => (notify = resolve)) };
  }

  it('reports an edit in a plain folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'watch-plain-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { nextChange, errors } = await watched(dir);
    const changed = nextChange();
    await writeFile(path.join(dir, 'web.yaml'), 'kind: Service\n');
    await changed;
    expect(errors).toEqual([]);
  });

  it('reports a git-sync link swap, then edits behind the new target', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'watch-gitsync-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    await mkdir(path.join(root, '.worktrees', 'aaaaaaa'), { recursive: true });
    await mkdir(path.join(root, '.worktrees', 'bbbbbbb'), { recursive: true });
    const link = path.join(root, 'current');
    await symlink(path.join('.worktrees', 'aaaaaaa'), link);
    const { watcher, nextChange, errors } = await watched(link);

    const swapped = nextChange();
    await symlink(path.join('.worktrees', 'bbbbbbb'), path.join(root, 'current.tmp'));
    await rename(path.join(root, 'current.tmp'), link);
    await rm(path.join(root, '.worktrees', 'aaaaaaa'), { recursive: true });
    await swapped;

    await watcher.ready();
    const edited = nextChange();
    await writeFile(path.join(root, '.worktrees', 'bbbbbbb', 'web.yaml'), 'kind: Service\n');
    await edited;
    expect(errors).toEqual([]);
  });
});
