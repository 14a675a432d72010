/**
 * `npm run bench:input`: how fast the loader turns away hostile manifests (timed in this process, the fastest of
 * three loads), and the peak memory of `validate` on them as its own process with the production heap flags.
 * Targets (docs/manifest.md, "Limits"): a file over a limit is rejected, naming file and limit, in under a second;
 * nothing the folder holds takes the process past the heap.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INPUT_LIMITS, loadDesiredState } from '../src/manifest/index.js';
import { PRODUCTION_NODE_OPTIONS } from './lib/options.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = await readFile(path.join(ROOT, 'desired-state/services/web.yaml'), 'utf8');
const REJECT_TARGET_MS = 1000;

interface Case {
  name: string;
  /** Writes the case's files into `dir`. */
  make(dir: string): Promise<void>;
  /** Whether validate must reject it (the rejections carry the one-second target). */
  rejected: boolean;
}

const named = (name: string) => MANIFEST.replace('name: web\n', `name: ${name}\n`);

const CASES: Case[] = [
  {
    name: '60 MB manifest (real YAML)',
    rejected: true,
    make: (dir) => writeFile(path.join(dir, 'huge.yaml'), Array.from({ length: 17_000 }, (_, i) => named(`huge-${i}`)).join('---\n')),
  },
  {
    name: '10 GB file (sparse, never read)',
    rejected: true,
    make: async (dir) => {
      await writeFile(path.join(dir, 'sparse.yaml'), '');
      await truncate(path.join(dir, 'sparse.yaml'), 10 * 1024 ** 3);
    },
  },
  { name: '1 MiB of "["', rejected: true, make: (dir) => writeFile(path.join(dir, 'deep.yaml'), '['.repeat(DEFAULT_INPUT_LIMITS.maxFileBytes - 1)) },
  { name: '1 MiB of "- "', rejected: true, make: (dir) => writeFile(path.join(dir, 'deep.yaml'), '- '.repeat(DEFAULT_INPUT_LIMITS.maxFileBytes / 2 - 1)) },
  { name: '1 MiB of empty documents', rejected: true, make: (dir) => writeFile(path.join(dir, 'docs.yaml'), '---\n'.repeat(DEFAULT_INPUT_LIMITS.maxFileBytes / 4 - 1)) },
  {
    name: 'alias bomb',
    rejected: true,
    make: (dir) => {
      const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)];
      return writeFile(path.join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
    },
  },
  {
    name: 'folder at the total limit: 31 files of 1 MiB, ~8,800 services (accepted)',
    rejected: false,
    make: async (dir) => {
      for (let f = 0; f < 31; f++) {
        const documents: string[] = [];
        for (let size = 0, i = 0; size < 1000 * 1024; i++) {
          documents.push(named(`web-${f}-${i}`));
          size += MANIFEST.length + 4;
        }
        await writeFile(path.join(dir, `f${f}.yaml`), documents.join('---\n'));
      }
    },
  },
];

/** The loader's time on `dir`, the fastest of three loads: on a shared machine, load only ever adds time. */
async function loadMs(dir: string): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await loadDesiredState(dir);
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/** Runs validate on `dir` with production's heap flags; the exit code, wall time and peak resident memory. */
function validate(dir: string): Promise<{ code: number | null; peakMb: number; firstLine: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'validate', dir], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: PRODUCTION_NODE_OPTIONS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const peakKb = Number(stderr.trim().split('\n').at(-1));
      resolve({ code, peakMb: Math.round(peakKb / 1024), firstLine: stdout.split('\n')[0]?.slice(0, 110) ?? '' });
    });
  });
}

const root = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-bench-input-'));
try {
  const baselineDir = path.join(root, 'baseline');
  await mkdir(baselineDir);
  await writeFile(path.join(baselineDir, 'web.yaml'), MANIFEST);
  process.stdout.write(`validate of one good file peaks at ${(await validate(baselineDir)).peakMb} MB (node, tsx and the CLI's modules)\n\n`);
  process.stdout.write('| case | validate exit | load time | target | validate peak RSS | first line |\n|---|---|---|---|---|---|\n');
  for (const scenario of CASES) {
    const dir = path.join(root, scenario.name.replace(/\W+/g, '-'));
    await mkdir(dir);
    await scenario.make(dir);
    const run = await validate(dir);
    // The accepted folder takes minutes to load, and its time is not a target.
    const ms = scenario.rejected ? Math.round(await loadMs(dir)) : Number.NaN;
    const target = scenario.rejected ? `< ${REJECT_TARGET_MS} ms, exit 1: ${ms < REJECT_TARGET_MS && run.code === 1 ? 'met' : 'MISSED'}` : `exit 0: ${run.code === 0 ? 'met' : 'MISSED'}`;
    process.stdout.write(`| ${scenario.name} | ${run.code} | ${scenario.rejected ? `${ms} ms` : '-'} | ${target} | ${run.peakMb} MB | ${run.firstLine.replace(root, '')} |\n`);
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
