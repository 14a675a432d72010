/**
 * Watches the desired-state folder and says "something changed" at most once per quiet period. It works for plain
 * edits and for git-sync, whose `--link` is a symlink to `.worktrees/<commit>` replaced by an atomic rename: the
 * rename is seen in the link's parent folder, and the folder behind the link is watched again when it moved.
 * What changed is not reported: the controller reloads the whole folder (level-triggered), so a missed or
 * duplicated event only costs a reload.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import type { CancelTimer, Scheduler } from './time.js';

export const DEFAULT_DEBOUNCE_MS = 200;

export interface Debouncer {
  /** (Re)starts the quiet period; the callback runs once it passes without another trigger. */
  trigger(): void;
  cancel(): void;
}

export function createDebouncer(callback: () => void, delayMs: number, scheduler: Scheduler): Debouncer {
  let pending: CancelTimer | undefined;
  return {
    trigger() {
      pending?.();
      pending = scheduler.schedule(() => {
        pending = undefined;
        callback();
      }, delayMs);
    },
    cancel() {
      pending?.();
      pending = undefined;
    },
  };
}

export interface FolderWatcher {
  /** Resolves once the watches are in place (the link's parent, and the folder behind the link as it is now). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  debounceMs: number;
  scheduler: Scheduler;
  onError: (error: unknown) => void;
}

/** Dotfiles and dot-folders under the root are not manifests (`.git`, `.sandbox`, git-sync's `.worktrees`). */
export function isIgnoredPath(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  return relative.split(path.sep).some((segment) => segment.startsWith('.'));
}

async function resolved(dir: string): Promise<string | undefined> {
  return realpath(dir).catch(() => undefined);
}

/** Watches `dir` (recursively) and the entry `dir` in its parent (for link swaps), debounced. */
export function watchFolder(dir: string, onChange: () => void, options: WatchOptions): FolderWatcher {
  const link = path.resolve(dir);
  const debouncer = createDebouncer(onChange, options.debounceMs, options.scheduler);
  let target: string | undefined;
  let content: { watcher: FSWatcher; ready: Promise<void> } | undefined;
  let closed = false;

  const listen = (watcher: FSWatcher): { watcher: FSWatcher; ready: Promise<void> } => {
    const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    watcher.on('all', () => debouncer.trigger()).on('error', (error) => options.onError(error));
    return { watcher, ready };
  };

  const watchContent = () => listen(watch(link, { ignoreInitial: true, followSymlinks: true, ignored: (candidate) => isIgnoredPath(link, candidate) }));

  // The folder behind the link moved (a git-sync swap, or the folder was created): watch where it is now.
  const followLink = async (): Promise<void> => {
    const now = await resolved(link);
    if (closed || now === target) return;
    target = now;
    const previous = content;
    content = watchContent();
    await previous?.watcher.close();
  };

  const parentDir = path.dirname(link);
  const parent = listen(watch(parentDir, { ignoreInitial: true, depth: 0, followSymlinks: false, ignored: (candidate) => candidate !== link && candidate !== parentDir }));
  let following = followLink();
  following.catch(options.onError);
  parent.watcher.on('all', () => {
    following = followLink();
    following.catch(options.onError);
  });

  return {
    async ready() {
      await parent.ready;
      await following.catch(() => undefined);
      await content?.ready;
    },
    async close() {
      closed = true;
      debouncer.cancel();
      await Promise.all([parent.watcher.close(), content?.watcher.close()]);
    },
  };
}
