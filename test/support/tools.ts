import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A command-line tool the tests drive: the Debian package's binary (which CI installs) first, else the first one on
 * PATH; undefined when neither exists, so a test can skip and say why.
 */
export function findTool(name: string): string | undefined {
  return findTools(name)[0];
}

/** Every binary of that name, in findTool's order, for a test that needs one of a recent enough version. */
export function findTools(name: string): string[] {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  return [...new Set([path.join('/usr/bin', name), ...onPath])].filter((candidate) => existsSync(candidate));
}
