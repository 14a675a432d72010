/**
 * Which revision of the desired state a load saw. Three sources, best first:
 *  - git-sync: the folder is a symlink swapped atomically to `.worktrees/<commit>`; the commit is the link target;
 *  - a git checkout: HEAD read from `.git` (loose ref or packed-refs), without a git binary;
 *  - otherwise a hash of the content itself.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The commit a git-sync worktree path names (`.../.worktrees/<commit>`), if it is one. */
export function worktreeCommit(realRoot: string): string | undefined {
  const name = path.basename(realRoot);
  return path.basename(path.dirname(realRoot)) === '.worktrees' && /^[0-9a-f]{7,64}$/.test(name) ? name : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git directory for a working tree: `.git` itself, or where a `.git` file (worktree, submodule) points. */
async function gitDirOf(dir: string): Promise<string | undefined> {
  const dotGit = path.join(dir, '.git');
  const info = await stat(dotGit).catch(() => undefined);
  if (info?.isDirectory()) return dotGit;
  if (info?.isFile()) {
    const pointer = /^gitdir:\s*(.+)$/m.exec((await readText(dotGit)) ?? '')?.[1]?.trim();
    return pointer === undefined ? undefined : path.resolve(dir, pointer);
  }
  return undefined;
}

async function resolveRef(gitDir: string, ref: string): Promise<string | undefined> {
  // Linked worktrees keep branch refs in the common directory.
  const common = (await readText(path.join(gitDir, 'commondir')))?.trim();
  const dirs = common ? [gitDir, path.resolve(gitDir, common)] : [gitDir];
  for (const dir of dirs) {
    const loose = (await readText(path.join(dir, ref)))?.trim();
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
    const packed = await readText(path.join(dir, 'packed-refs'));
    const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
    if (line) return line.split(' ')[0];
  }
  return undefined;
}

/** HEAD's commit for the git checkout containing `dir` (searching upwards), if any. */
export async function gitHeadCommit(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    const gitDir = await gitDirOf(current);
    if (gitDir) {
      const head = (await readText(path.join(gitDir, 'HEAD')))?.trim();
      if (!head) return undefined;
      const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
      return ref === undefined ? (/^[0-9a-f]{40,64}$/.test(head) ? head : undefined) : resolveRef(gitDir, ref);
    }
    if (path.dirname(current) === current) return undefined;
  }
}

/** "sha256:<first 12 hex>" over the files' relative paths and content hashes, in path order. */
export function contentRevision(files: ReadonlyArray<{ file: string; contentHash: string }>): string {
  const hash = createHash('sha256');
  for (const { file, contentHash } of [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    hash.update(file).update('\0').update(contentHash).update('\0');
  }
  return `sha256:${hash.digest('hex').slice(0, 12)}`;
}
