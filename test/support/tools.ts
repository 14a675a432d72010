import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A command-line tool the tests drive: the Debian package's binary (which CI installs) first, else the first one on
 * PATH; undefined when neither exists, so a test can skip and say why.
 */
export function findTool(name: string): string | undefined {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  return [path.join('/usr/bin', name), ...onPath].find((candidate) => existsSync(candidate));
}
