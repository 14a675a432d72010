import { describe, expect, it } from 'vitest';
import { DesiredStateStore, diffServices } from '../../../src/controller/desired-state-store.js';
import { desired, missingFolder, snapshotOf } from './fixtures.js';

const NOW = new Date('2026-01-01T00:00:00Z');

describe('DesiredStateStore', () => {
  it('reports every service of the first load as changed, and nothing when the same content loads again', () => {
    const store = new DesiredStateStore('/desired');
    const snapshot = snapshotOf([{ file: 'api.yaml', services: [desired('api')] }, { file: 'web.yaml', services: [desired('web')] }]);
    expect(store.update(snapshot, NOW)).toMatchObject({ usable: true, changed: ['prod/api', 'prod/web'], removed: [], revisionChanged: true });
    expect(store.update(snapshot, NOW)).toMatchObject({ changed: [], removed: [], revisionChanged: false });
    expect([...store.services.keys()]).toEqual(['prod/api', 'prod/web']);
    expect(store.loaded).toBe(true);
  });

  it('reports only the services whose manifest hash changed, and the removed ones', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'a.yaml', services: [desired('api'), desired('web')] }, { file: 'b.yaml', services: [desired('old')] }]), NOW);
    const update = store.update(snapshotOf([{ file: 'a.yaml', services: [desired('api', { desiredCount: 5 }), desired('web')] }], { revision: 'rev-2' }), NOW);
    expect(update).toMatchObject({ changed: ['prod/api'], removed: ['prod/old'], revisionChanged: true });
    expect(store.revision).toBe('rev-2');
  });

  it('keeps the last good state of a file that breaks, and reports its errors', () => {
    const store = new DesiredStateStore('/desired');
    const api = desired('api');
    store.update(snapshotOf([{ file: 'api.yaml', services: [api] }, { file: 'web.yaml', services: [desired('web')] }]), NOW);
    const update = store.update(snapshotOf([{ file: 'api.yaml', services: [api], broken: true }, { file: 'web.yaml', services: [desired('web', { desiredCount: 7 })] }]), NOW);
    expect(update).toMatchObject({ usable: true, changed: ['prod/web'], removed: [], keptFiles: ['api.yaml'], unknownFiles: [] });
    expect(store.services.get('prod/api')).toBe(api);
    expect(store.manifestErrors).toEqual([{ file: 'api.yaml', line: 2, col: 1, message: 'unexpected end of flow mapping', code: 'yaml-syntax' }]);
    expect(store.pruneBlocker).toBeUndefined();
    // The snapshot handed to reconcile holds only good files, so nothing in it is reported as invalid.
    expect([...store.snapshot().files.values()].every((file) => file.ok)).toBe(true);
  });

  it('a broken file that never loaded cleanly contributes nothing and blocks pruning', () => {
    const store = new DesiredStateStore('/desired');
    const update = store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')], broken: true }, { file: 'web.yaml', services: [desired('web')] }]), NOW);
    expect(update).toMatchObject({ changed: ['prod/web'], unknownFiles: ['api.yaml'] });
    expect(store.pruneBlocker).toMatch(/api\.yaml has errors and never loaded cleanly/);
    expect(store.snapshot().complete).toBe(false);
  });

  it('a file fixed after breaking is in force again with its new content', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')] }]), NOW);
    store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')], broken: true }]), NOW);
    const update = store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api', { desiredCount: 9 })] }]), NOW);
    expect(update).toMatchObject({ changed: ['prod/api'], keptFiles: [] });
    expect(store.manifestErrors).toEqual([]);
  });

  it('a missing folder changes nothing: the last good state stays in force and the problem is reported', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')] }]), NOW);
    const update = store.update(missingFolder(), new Date('2026-01-01T00:01:00Z'));
    expect(update).toMatchObject({ usable: false, changed: [], removed: [] });
    expect(update.problem).toMatch(/^desired-state folder missing or unreadable: cannot read: ENOENT/);
    expect(store.problem).toBe(update.problem);
    expect([...store.services.keys()]).toEqual(['prod/api']);
    expect(store.loadedAt).toEqual(NOW);
    expect(store.pruneBlocker).toBe(update.problem);
  });

  it('an empty folder changes nothing either, and the next good load clears the problem', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')] }]), NOW);
    expect(store.update(snapshotOf([]), NOW)).toMatchObject({ usable: false, problem: 'desired-state folder has no manifest files', removed: [] });
    expect(store.services.size).toBe(1);
    store.update(snapshotOf([{ file: 'api.yaml', services: [desired('api')] }]), NOW);
    expect(store.problem).toBeUndefined();
  });

  it('a file an unreadable sub-folder hid keeps its last good state, and pruning is blocked', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'team-a/api.yaml', services: [desired('api')] }, { file: 'web.yaml', services: [desired('web')] }]), NOW);
    const update = store.update(snapshotOf([{ file: 'web.yaml', services: [desired('web')] }], { complete: false }), NOW);
    expect(update).toMatchObject({ removed: [], keptFiles: ['team-a/api.yaml'] });
    expect(store.pruneBlocker).toBe('part of the desired-state folder could not be read');
  });

  it('a service declared both by a fresh file and by a kept one takes the fresh declaration', () => {
    const store = new DesiredStateStore('/desired');
    store.update(snapshotOf([{ file: 'old.yaml', services: [desired('api')] }]), NOW);
    const moved = desired('api', { desiredCount: 4 });
    store.update(snapshotOf([{ file: 'old.yaml', services: [desired('api')], broken: true }, { file: 'new.yaml', services: [moved] }]), NOW);
    expect(store.services.get('prod/api')).toBe(moved);
  });
});

describe('diffServices', () => {
  it('compares by key and hash', () => {
    const before = new Map([['prod/a', desired('a')], ['prod/b', desired('b')]]);
    const after = new Map([['prod/a', desired('a')], ['prod/c', desired('c')]]);
    expect(diffServices(before, after)).toEqual({ changed: ['prod/c'], removed: ['prod/b'] });
  });
});
