/**
 * `validate` and the running controller must agree on every hostile folder: whatever validate accepts is applied,
 * and every service of a file it rejects keeps its last good state. The controller here is the real one, with the
 * real loader on a real folder; only AWS is in memory (FakeAws).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PruneResult, ServiceResult } from '../../../src/apply/index.js';
import { Controller } from '../../../src/controller/controller.js';
import type { ControllerIo } from '../../../src/controller/io.js';
import { createLogger } from '../../../src/log/logger.js';
import { DEFAULT_INPUT_LIMITS, ManifestLoader, loadDesiredState, validateSnapshot } from '../../../src/manifest/index.js';
import type { DesiredStateSnapshot, ServiceManifest } from '../../../src/manifest/index.js';
import { createMetrics } from '../../../src/metrics/metrics.js';
import type { ObservedState } from '../../../src/observe/index.js';
import { planService } from '../../../src/plan/index.js';
import type { PrunePlan } from '../../../src/plan/index.js';
import type { ReconcileReport } from '../../../src/reconcile/index.js';
import { captureLines } from '../log/capture.js';
import { baseService } from '../manifest/helpers.js';
import { FakeAws } from '../plan/fixtures.js';
import { FakeTime, settle } from './fake-time.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web';

function serviceYaml(name: string, desiredCount: number, image = `${IMAGE}:1.0.0`): string {
  const manifest = baseService();
  manifest.metadata.name = name;
  manifest.spec.desiredCount = desiredCount;
  delete manifest.spec.loadBalancer;
  const [container] = manifest.spec.taskDefinition.containerDefinitions;
  if (container) container.image = image;
  return stringify(manifest);
}

/** The real loader and a FakeAws account: what the controller applies lands in `aws`. */
class FolderIo implements ControllerIo {
  readonly aws = new FakeAws();
  readonly loader = new ManifestLoader();
  private notify: () => void = () => {};
  private loaded: () => void = () => {};

  load = async (dir: string): Promise<DesiredStateSnapshot> => {
    const snapshot = await this.loader.load(dir);
    this.loaded();
    return snapshot;
  };

  watch(_dir: string, onChange: () => void) {
    this.notify = onChange;
    return { ready: async () => {}, close: async () => {} };
  }

  /** The folder changed: the controller reloads it; resolves once the load and the reconciles it caused are done. */
  async changed(): Promise<void> {
    const loaded = new Promise<void>((resolve) => (this.loaded = resolve));
    this.notify();
    await loaded;
    // Reconciling against FakeAws takes no I/O: a few turns of the event loop finish it.
    for (let i = 0; i < 30; i++) await settle();
  }

  async reconcile(key: string, snapshot: DesiredStateSnapshot): Promise<ReconcileReport> {
    const service = snapshot.services.get(key)!;
    const plan = planService(service.manifest, this.aws.state, { revision: snapshot.revision });
    this.aws.apply(plan.actions);
    const result: ServiceResult = { key, status: plan.actions.length > 0 ? 'changed' : 'in-sync', changes: plan.changes, actions: [], deferred: [], messages: [] };
    return { revision: snapshot.revision, root: snapshot.root, dryRun: false, services: [result], diagnostics: [], observed: {} };
  }

  observe = async (): Promise<ObservedState> => this.aws.state;

  prune = async (_plan: PrunePlan): Promise<PruneResult> => ({ outcome: 'ok', services: [] });

  /** What AWS runs for a service: its desired count and image. */
  applied(key: string): { desiredCount: number; image: unknown } | undefined {
    const service = this.aws.state.services[key];
    if (!service) return undefined;
    const containers = this.aws.state.taskDefinitions[service.taskDefinition]?.definition.containerDefinitions as Array<{ image?: unknown }> | undefined;
    return { desiredCount: service.desiredCount, image: containers?.[0]?.image };
  }
}

const shape = (manifest: ServiceManifest | undefined) => manifest && { desiredCount: manifest.spec.desiredCount, image: manifest.spec.taskDefinition.containerDefinitions[0]?.image };

let dir: string;
let io: FolderIo;
let controller: Controller;

async function write(relative: string, content: string | Buffer): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), content);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ecs-reconciler-hostile-'));
  await write('services/alpha.yaml', serviceYaml('alpha', 1));
  await write('services/beta.yaml', serviceYaml('beta', 2));
  io = new FolderIo();
  controller = new Controller({
    dir,
    io,
    metrics: createMetrics({ version: 'test', processMetrics: false }),
    log: createLogger({ destination: captureLines().stream, level: 'debug' }),
    instance: 'ecs-reconciler',
    workers: 2,
    resyncMs: 60_000,
    prune: true,
    time: new FakeTime(),
    random: () => 0.5,
  });
  await controller.start();
  await io.changed();
});

afterEach(async () => {
  await controller.stop();
  await rm(dir, { recursive: true, force: true });
});

const LAST_GOOD = { 'demo/alpha': { desiredCount: 1, image: `${IMAGE}:1.0.0` }, 'demo/beta': { desiredCount: 2, image: `${IMAGE}:1.0.0` } };
const WRONG = `${IMAGE}:6.6.6`;

/** Each case makes the folder hostile; alongside, beta's count changes to 5 in a good file. */
const HOSTILE: Array<{ name: string; make: () => Promise<void>; rejects: { file: string; code: string } }> = [
  {
    name: 'a duplicate of alpha that sorts first',
    make: () => write('services/aa-alpha-copy.yaml', serviceYaml('alpha', 7, WRONG)),
    rejects: { file: 'services/aa-alpha-copy.yaml', code: 'duplicate' },
  },
  {
    name: 'a duplicate of alpha that sorts last',
    make: () => write('services/zz-alpha-copy.yaml', serviceYaml('alpha', 7, WRONG)),
    rejects: { file: 'services/alpha.yaml', code: 'duplicate' },
  },
  {
    name: 'an oversize file',
    make: async () => {
      await write('services/alpha.yaml', `${serviceYaml('alpha', 7, WRONG)}# ${'x'.repeat(DEFAULT_INPUT_LIMITS.maxFileBytes)}\n`);
    },
    rejects: { file: 'services/alpha.yaml', code: 'file-too-large' },
  },
  {
    name: 'a folder over the total size (sparse files: never read)',
    make: async () => {
      await write('services/alpha.yaml', serviceYaml('alpha', 7, WRONG));
      const count = Math.ceil(DEFAULT_INPUT_LIMITS.maxTotalBytes / DEFAULT_INPUT_LIMITS.maxFileBytes) + 1;
      for (let i = 0; i < count; i++) {
        await write(`filler/${i}.yaml`, '');
        await truncate(path.join(dir, `filler/${i}.yaml`), DEFAULT_INPUT_LIMITS.maxFileBytes);
      }
    },
    rejects: { file: '.', code: 'folder-too-large' },
  },
  {
    name: 'too many documents',
    make: () => write('services/alpha.yaml', `${serviceYaml('alpha', 7, WRONG)}${'---\n{}\n'.repeat(DEFAULT_INPUT_LIMITS.maxDocuments)}`),
    rejects: { file: 'services/alpha.yaml', code: 'too-many-documents' },
  },
  {
    name: 'nesting too deep',
    make: () => write('services/alpha.yaml', serviceYaml('alpha', 7, WRONG).replace('metadata:\n', `metadata:\n  annotations: ${'['.repeat(DEFAULT_INPUT_LIMITS.maxDepth)}${']'.repeat(DEFAULT_INPUT_LIMITS.maxDepth)}\n`)),
    rejects: { file: 'services/alpha.yaml', code: 'too-deep' },
  },
  {
    name: 'a NUL byte in an image',
    make: () => write('services/alpha.yaml', serviceYaml('alpha', 7, `${WRONG}X`).replace(`${WRONG}X`, `${WRONG}\0`)),
    rejects: { file: 'services/alpha.yaml', code: 'control-character' },
  },
  {
    name: 'an alias bomb',
    make: () => {
      const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)];
      return write('services/alpha.yaml', `${serviceYaml('alpha', 7, WRONG)}---\n${bomb.join('\n')}\n`);
    },
    rejects: { file: 'services/alpha.yaml', code: 'yaml-syntax' },
  },
  {
    name: 'invalid UTF-8',
    make: () => write('services/alpha.yaml', Buffer.concat([Buffer.from(serviceYaml('alpha', 7, WRONG)), Buffer.from([0x23, 0x20, 0xc3, 0x28, 0x0a])])),
    rejects: { file: 'services/alpha.yaml', code: 'invalid-utf8' },
  },
  {
    name: 'a binary file',
    make: () => write('services/logo.yaml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
    rejects: { file: 'services/logo.yaml', code: 'invalid-utf8' },
  },
  {
    name: 'a symlink loop',
    make: () => symlink('loop.yaml', path.join(dir, 'services/loop.yaml')),
    rejects: { file: 'services/loop.yaml', code: 'unreadable' },
  },
  {
    name: 'a symlink named like a manifest to a folder',
    make: () => symlink('..', path.join(dir, 'services/up.yaml')),
    rejects: { file: 'services/up.yaml', code: 'unreadable' },
  },
  {
    name: 'a FIFO named like a manifest, behind a symlink (reading it would block forever)',
    make: async () => {
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      await symlink('../pipe', path.join(dir, 'services/pipe.yaml'));
    },
    rejects: { file: 'services/pipe.yaml', code: 'unreadable' },
  },
  {
    name: 'an unreadable file (a dangling symlink)',
    make: () => symlink('gone.yaml', path.join(dir, 'services/dangling.yaml')),
    rejects: { file: 'services/dangling.yaml', code: 'unreadable' },
  },
];

describe('validate and the running controller agree on hostile folders', () => {
  it.each(HOSTILE)('$name', async ({ make, rejects }) => {
    expect({ alpha: io.applied('demo/alpha'), beta: io.applied('demo/beta') }).toEqual({ alpha: LAST_GOOD['demo/alpha'], beta: LAST_GOOD['demo/beta'] });
    await write('services/beta.yaml', serviceYaml('beta', 5));
    await make();
    await io.changed();

    const verdict = await loadDesiredState(dir);
    expect(validateSnapshot(verdict).valid).toBe(false);
    expect(verdict.diagnostics).toContainEqual(expect.objectContaining({ file: rejects.file, code: rejects.code, severity: 'error' }));
    // What validate accepts is applied; a service it does not accept keeps its last good state, never the hostile one.
    for (const key of ['demo/alpha', 'demo/beta'] as const) {
      expect(io.applied(key), key).toEqual(shape(verdict.services.get(key)?.manifest) ?? LAST_GOOD[key]);
      expect(io.applied(key)?.image).not.toBe(WRONG);
    }
    // The controller says so too: per file on /status, or for the whole folder as the reason it is not ready.
    if (rejects.file === '.') expect(controller.readiness()).toEqual({ ready: false, reason: expect.stringMatching(/^desired-state folder too large: the manifest files add up to/) });
    else expect(controller.status().manifestErrors).toContainEqual(expect.objectContaining({ file: rejects.file, code: rejects.code }));
  });

  it('a folder that is fine again is applied again: the duplicate removed, the remaining definition wins', async () => {
    await write('services/aa-alpha-copy.yaml', serviceYaml('alpha', 7, WRONG));
    await io.changed();
    expect(io.applied('demo/alpha')).toEqual(LAST_GOOD['demo/alpha']);

    await write('services/alpha.yaml', serviceYaml('alpha', 3));
    await io.changed();
    expect(io.applied('demo/alpha')).toEqual(LAST_GOOD['demo/alpha']);

    await unlink(path.join(dir, 'services/aa-alpha-copy.yaml'));
    await io.changed();
    expect(validateSnapshot(await loadDesiredState(dir)).valid).toBe(true);
    expect(io.applied('demo/alpha')).toEqual({ desiredCount: 3, image: `${IMAGE}:1.0.0` });

    await write('services/aa-alpha-copy.yaml', serviceYaml('alpha', 7, WRONG));
    await io.changed();
    await unlink(path.join(dir, 'services/alpha.yaml'));
    await io.changed();
    expect(io.applied('demo/alpha')).toEqual({ desiredCount: 7, image: WRONG });
  });

  it('a service defined twice from the start is applied from neither file, and blocks pruning', async () => {
    await controller.stop();
    await write('services/aa-gamma.yaml', serviceYaml('gamma', 4));
    await write('services/gamma.yaml', serviceYaml('gamma', 9, WRONG));
    const fresh = new FolderIo();
    controller = new Controller({
      dir,
      io: fresh,
      metrics: createMetrics({ version: 'test', processMetrics: false }),
      log: createLogger({ destination: captureLines().stream, level: 'debug' }),
      instance: 'ecs-reconciler',
      prune: true,
      time: new FakeTime(),
      random: () => 0.5,
    });
    await controller.start();
    await fresh.changed();
    expect(fresh.applied('demo/gamma')).toBeUndefined();
    expect(fresh.applied('demo/alpha')).toEqual(LAST_GOOD['demo/alpha']);
  });
});
