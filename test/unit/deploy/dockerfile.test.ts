import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execForm, parseCopy, parseDockerfile, parseHealthcheck } from './dockerfile.js';
import type { Stage } from './dockerfile.js';

// No docker engine runs these tests: they check the Dockerfile's properties statically (docs/operations.md says so).
const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const dockerfile = parseDockerfile(read('Dockerfile'));
const runtime = dockerfile.stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);

/** Where `npm run build` puts the JavaScript of a source file: tsconfig.build.json's rootDir mapped to its outDir. */
function builtPathOf(sourceFile: string): string {
  const { compilerOptions } = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };
  const relative = path.relative(compilerOptions.rootDir, sourceFile);
  if (relative.startsWith('..')) throw new Error(`${sourceFile} is outside rootDir ${compilerOptions.rootDir}`);
  return path.join(compilerOptions.outDir, relative).replace(/\.ts$/, '.js');
}

describe('the Dockerfile reader', () => {
  it('joins continuations, skips comments and groups by stage', () => {
    const parsed = parseDockerfile('ARG A=1\n# c\nFROM x AS b\nRUN a \\\n  # inner comment\n  && b\nFROM y\nUSER 1\n');
    expect(parsed.globalArgs.map((i) => i.args)).toEqual(['A=1']);
    expect(parsed.stages.map((s) => [s.image, s.name])).toEqual([['x', 'b'], ['y', undefined]]);
    expect(parsed.stages[0]?.instructions).toEqual([{ keyword: 'RUN', args: 'a && b', line: 4 }]);
  });

  it('refuses the shell form where the exec form is required, and instructions before FROM', () => {
    expect(() => execForm('node main.js')).toThrow(/exec \(JSON array\) form/);
    expect(() => parseDockerfile('RUN x\nFROM y\n')).toThrow(/RUN before the first FROM/);
    expect(() => parseHealthcheck('--interval=5s node x')).toThrow(/CMD/);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: the runtime copies from a named build stage, never from the build context', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const buildStages = new Set(dockerfile.stages.slice(0, -1).map((stage) => stage.name));
    for (const copy of all(runtime, 'COPY').map((instruction) => parseCopy(instruction.args))) {
      expect(copy.from, `runtime COPY ${copy.sources.join(' ')} must come from a build stage`).toBeDefined();
      expect(buildStages.has(copy.from)).toBe(true);
    }
  });

  it('uses a current Node LTS slim image', () => {
    const imageArg = dockerfile.globalArgs.find((arg) => arg.args.startsWith('NODE_IMAGE='))?.args.split('=')[1];
    const images = dockerfile.stages.map((stage) => stage.image.replace('${NODE_IMAGE}', imageArg ?? ''));
    for (const image of images) expect(image).toMatch(/^node:(22|24)(\.\d+)*-(bookworm|trixie)-slim@sha256:[0-9a-f]{64}$/);
  });

  it('pins the base image by digest and tini by version', () => {
    const runtime = dockerfile.stages.at(-1)!;
    const tiniArg = runtime.instructions.find((instruction) => instruction.keyword === 'ARG' && instruction.args.startsWith('TINI_VERSION='))?.args.split('=')[1];
    expect(tiniArg).toMatch(/^\d+\.\d+\.\d+-\d+(\+b\d+)?$/);
    expect(all(runtime, 'RUN').map((instruction) => instruction.args).join('\n')).toContain('"tini=${TINI_VERSION}"');
  });

  it('builds with npm ci, then prunes dev dependencies before the runtime copies node_modules', () => {
    const build = dockerfile.stages.find((stage) => stage.name === parseCopy(all(runtime, 'COPY')[0]?.args ?? '').from) as Stage;
    const runs = all(build, 'RUN').map((instruction) => instruction.args).join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs.indexOf('npm run build')).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm prune --omit=dev')).toBeGreaterThan(runs.indexOf('npm run build'));
  });

  it('holds only dist/, schema/, package.json and production node_modules at runtime', () => {
    const sources = all(runtime, 'COPY').flatMap((instruction) => parseCopy(instruction.args).sources.map((source) => path.posix.basename(source)));
    expect(sources.sort()).toEqual(['dist', 'node_modules', 'package.json', 'schema']);
    expect(sources).not.toContain('package-lock.json');
  });

  it('runs as a non-root user', () => {
    const user = last(runtime, 'USER')?.args;
    expect(user).toBeDefined();
    const [uid] = (user as string).split(':');
    expect(uid).not.toMatch(/^(0|root)$/);
  });

  it('sets NODE_ENV=production', () => {
    expect(all(runtime, 'ENV').map((instruction) => instruction.args).join(' ')).toMatch(/\bNODE_ENV=production\b/);
  });

  it('starts the CLI the build produces under an init process, with `run` as the default command', () => {
    const entrypoint = execForm(last(runtime, 'ENTRYPOINT')?.args ?? '');
    expect(entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(all(runtime, 'RUN').map((instruction) => instruction.args).join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
    const [node, script] = entrypoint.slice(2);
    expect(node).toBe('node');
    const workdir = last(runtime, 'WORKDIR')?.args ?? '/';
    const copiedDist = all(runtime, 'COPY').map((instruction) => parseCopy(instruction.args)).find((copy) => path.posix.basename(copy.sources[0] ?? '') === 'dist');
    const distInImage = path.posix.resolve(workdir, copiedDist?.destination ?? '');
    // The script is <dist in the image>/cli/main.js, and the build writes src/cli/main.ts to that file.
    expect(path.posix.relative(distInImage, script as string)).toBe('cli/main.js');
    expect(builtPathOf('src/cli/main.ts')).toBe(path.join('dist', 'cli', 'main.js'));
    expect((JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin['ecs-reconciler']).toBe('dist/cli/main.js');
    expect(execForm(last(runtime, 'CMD')?.args ?? '')).toEqual(['run']);
  });

  it('has a HEALTHCHECK that asks /healthz with node (no curl in the image)', () => {
    const healthcheck = parseHealthcheck(last(runtime, 'HEALTHCHECK')?.args ?? '');
    expect(healthcheck.command[0]).toBe('node');
    expect(healthcheck.command.join(' ')).toContain('/healthz');
    expect(Object.keys(healthcheck.options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
  });

  it('writes nothing at runtime: no VOLUME and no npm (which writes its cache) in the entrypoint', () => {
    expect(all(runtime, 'VOLUME')).toEqual([]);
    expect(last(runtime, 'ENTRYPOINT')?.args).not.toContain('npm');
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, git, tests and bench results out of the build context', () => {
    const ignored = new Set(read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')));
    for (const entry of ['node_modules', 'dist', '.git', 'test', 'bench/results']) expect(ignored, entry).toContain(entry);
  });
});
