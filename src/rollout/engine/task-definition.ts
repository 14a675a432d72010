/**
 * The new version's task definition, registered at most once. A rollout's CreateTaskSet may refer to "the revision
 * registered for this version"; before registering, the newest ACTIVE revisions of the family are compared by
 * normalized content, so a controller that died between RegisterTaskDefinition and CreateTaskSet (or another
 * controller run) reuses that revision instead of piling up identical ones.
 */
import { ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { diffValues, normalizeTaskDefinition } from '../../diff/index.js';
import type { CanonicalTaskDefinition, NormalizeContext } from '../../diff/index.js';
import { describeTaskDefinitions } from '../../observe/ecs.js';
import type { ObservedTaskDefinition, TaskDefinitionCache } from '../../observe/index.js';
import { registrationInput } from '../../plan/index.js';

/** How many of the newest ACTIVE revisions are compared before registering a new one. */
export const REVISIONS_COMPARED = 10;

export function sameContent(desired: CanonicalTaskDefinition, observed: ObservedTaskDefinition, context: NormalizeContext): boolean {
  const tags = Object.entries(observed.tags).map(([key, value]) => ({ key, value }));
  const normalized = normalizeTaskDefinition({ ...observed.definition, ...(tags.length > 0 ? { tags } : {}) }, context);
  return diffValues(desired, normalized).length === 0;
}

export interface TaskDefinitionSource {
  ecs: ECSClient;
  cache: TaskDefinitionCache;
  context: NormalizeContext;
  /** Tags for a registration: the managed-by instance and the desired-state revision. */
  instance: string;
  revision: string;
}

/** An ACTIVE revision with the desired content (newest first), else undefined. */
export async function findRegistered(source: TaskDefinitionSource, desired: CanonicalTaskDefinition): Promise<string | undefined> {
  const family = String(desired.family);
  const listed = await source.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: REVISIONS_COMPARED }));
  // familyPrefix matches a prefix: `web` also lists `web-admin`.
  const arns = (listed.taskDefinitionArns ?? []).filter((arn) => arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':')) === family);
  for (const arn of arns) {
    const described = await describeTaskDefinitions(source.ecs, [arn], source.cache);
    const definition = described[arn];
    if (definition && sameContent(desired, definition, source.context)) return arn;
  }
  return undefined;
}

/** The ARN of a revision with the desired content, registering one only when none exists. */
export async function ensureRegistered(source: TaskDefinitionSource, desired: CanonicalTaskDefinition): Promise<{ arn: string; registered: boolean }> {
  const existing = await findRegistered(source, desired);
  if (existing) return { arn: existing, registered: false };
  const output = await source.ecs.send(new RegisterTaskDefinitionCommand(registrationInput(desired, source)));
  const arn = output.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  return { arn, registered: true };
}
