import { CONTROLLER_TAG_PREFIX } from '../diff/index.js';
import type { FieldChange } from '../diff/index.js';
import type { PlannedAction } from './types.js';
import { MANAGED_BY_TAG, REVISION_TAG } from './types.js';

/**
 * Tags the plan never removes: AWS reserves `aws:` (users can neither set nor remove them), and other
 * `ecs-reconciler:` tags hold the rollout engine's state (step, step start, operator flags).
 */
const KEPT_PREFIXES = ['aws:', CONTROLLER_TAG_PREFIX];

export interface DesiredTags {
  /** The manifest's own tags. */
  user: Record<string, string>;
  instance: string;
  revision: string;
}

/** The full tag set of a service about to be created. */
export function tagsForCreate(desired: DesiredTags): Record<string, string> {
  return { ...desired.user, [MANAGED_BY_TAG]: desired.instance, [REVISION_TAG]: desired.revision };
}

/**
 * TagResource for the keys whose value differs or is missing, UntagResource for keys the manifest does not have.
 * The revision tag never costs a call of its own: it rides along when a TagResource is needed anyway (and on
 * CreateService and RegisterTaskDefinition), so a commit that does not touch a service makes no call for it.
 */
export function planTags(
  resourceArn: string,
  resourceKey: string,
  desired: DesiredTags,
  observed: Record<string, string>,
): { actions: PlannedAction[]; changes: FieldChange[] } {
  const wanted: Record<string, string> = { ...desired.user, [MANAGED_BY_TAG]: desired.instance, [REVISION_TAG]: observed[REVISION_TAG] ?? desired.revision };
  const tagsDiffer = Object.keys(wanted).some((key) => observed[key] !== wanted[key]);
  if (tagsDiffer) wanted[REVISION_TAG] = desired.revision;

  const toSet = Object.keys(wanted).filter((key) => observed[key] !== wanted[key]).sort();
  const toRemove = Object.keys(observed).filter((key) => !(key in wanted) && !KEPT_PREFIXES.some((prefix) => key.startsWith(prefix))).sort();
  const changes: FieldChange[] = [
    ...toSet.map((key): FieldChange => ({
      path: ['tags', key],
      kind: observed[key] === undefined ? 'added' : 'changed',
      desired: wanted[key],
      ...(observed[key] !== undefined ? { observed: observed[key] } : {}),
    })),
    ...toRemove.map((key): FieldChange => ({ path: ['tags', key], kind: 'removed', observed: observed[key] })),
  ];
  const actions: PlannedAction[] = [];
  if (toSet.length > 0) {
    actions.push({
      kind: 'TagResource',
      api: 'ecs',
      reason: `tags ${toSet.join(', ')} differ`,
      resourceKey,
      input: { resourceArn, tags: toSet.map((key) => ({ key, value: wanted[key] })) },
    });
  }
  if (toRemove.length > 0) {
    actions.push({ kind: 'UntagResource', api: 'ecs', reason: `tags ${toRemove.join(', ')} are not in the manifest`, resourceKey, input: { resourceArn, tagKeys: toRemove } });
  }
  return { actions, changes };
}

export function tagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.keys(tags)
    .sort()
    .map((key) => ({ key, value: tags[key] ?? '' }));
}

export function tagRecord(tags: readonly { key: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.key, tag.value]));
}
