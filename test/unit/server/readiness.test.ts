import { describe, expect, it } from 'vitest';
import { evaluateReadiness } from '../../../src/server/readiness.js';

describe('evaluateReadiness', () => {
  it.each([
    [{ desiredStateFolderExists: false, desiredStateLoaded: false, firstSyncDone: false }, 'desired-state folder missing'],
    [{ desiredStateFolderExists: true, desiredStateLoaded: false, firstSyncDone: false }, 'desired state not loaded yet'],
    [{ desiredStateFolderExists: true, desiredStateLoaded: true, firstSyncDone: false }, 'first sync not done'],
  ])('%o is not ready: %s', (facts, reason) => {
    expect(evaluateReadiness(facts)).toEqual({ ready: false, reason });
  });

  it('is ready once the desired state is loaded and the first sync is done', () => {
    expect(evaluateReadiness({ desiredStateFolderExists: true, desiredStateLoaded: true, firstSyncDone: true })).toEqual({ ready: true });
  });
});
