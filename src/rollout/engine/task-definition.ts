/**
 * The new version's task definition, registered at most once. A rollout's CreateTaskSet may refer to "the revision
 * registered for this version"; before registering, the newest ACTIVE revisions of the family are compared by
 * normalized content, so a controller that died between RegisterTaskDefinition and CreateTaskSet (or another
 * controller run) reuses that revision instead of piling up identical ones.
 */
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { findRegistered } from '../../apply/index.js';
import type { CanonicalTaskDefinition } from '../../diff/index.js';
import type { TaskDefinitionCache } from '../../observe/index.js';
import { registrationInput } from '../../plan/index.js';

/** How many of the newest ACTIVE revisions are compared before registering a new one. */
export const REVISIONS_COMPARED = 10;

export interface TaskDefinitionSource {
  ecs: ECSClient;
  cache: TaskDefinitionCache;
  /** Tags for a registration: the managed-by instance and the desired-state revision. */
  instance: string;
  revision: string;
}

/** The ARN of a revision with the desired content, registering one only when none exists. */
export async function ensureRegistered(source: TaskDefinitionSource, desired: CanonicalTaskDefinition): Promise<{ arn: string; registered: boolean }> {
  const existing = await findRegistered(source, desired, REVISIONS_COMPARED);
  if (existing) return { arn: existing, registered: false };
  const output = await source.ecs.send(new RegisterTaskDefinitionCommand(registrationInput(desired, source)));
  const arn = output.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  return { arn, registered: true };
}
