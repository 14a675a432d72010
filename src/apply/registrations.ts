import { ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import type { ECSClient, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { contextFromArn, diffValues, normalizeTaskDefinition } from '../diff/index.js';
import type { JsonRecord } from '../diff/index.js';
import { describeTaskDefinitions } from '../observe/ecs.js';
import type { ObservedTaskDefinition, TaskDefinitionCache } from '../observe/index.js';

/**
 * Task definitions this process registered whose CreateService/UpdateService has not succeeded yet, by content. A
 * retry after that follow-up failed (throttled, say) reuses the revision instead of registering an identical one.
 * A reused revision whose follow-up fails too is forgotten, so a revision deregistered meanwhile is not reused
 * forever: at most two identical revisions, however many attempts fail.
 */
export class PendingRegistrations {
  private readonly arns = new Map<string, string>();

  get(input: RegisterTaskDefinitionCommandInput): string | undefined {
    return this.arns.get(contentKey(input));
  }

  set(input: RegisterTaskDefinitionCommandInput, arn: string): void {
    this.arns.set(contentKey(input), arn);
  }

  delete(input: RegisterTaskDefinitionCommandInput): void {
    this.arns.delete(contentKey(input));
  }

  get size(): number {
    return this.arns.size;
  }
}

/** Plans build the input from the normalized manifest, so the same content always serializes the same way. */
function contentKey(input: RegisterTaskDefinitionCommandInput): string {
  return JSON.stringify(input);
}

/**
 * Whether a registered revision holds this content. Both sides are normalized in the revision's own account, and
 * controller tags (managed-by, desired-state revision) do not count: the same content under another git commit is
 * still the same task definition.
 */
export function sameContent(desired: object, observed: ObservedTaskDefinition): boolean {
  const context = contextFromArn(observed.arn);
  const tags = Object.entries(observed.tags).map(([key, value]) => ({ key, value }));
  const normalized = normalizeTaskDefinition({ ...observed.definition, ...(tags.length > 0 ? { tags } : {}) }, context);
  return diffValues(normalizeTaskDefinition(desired as JsonRecord, context), normalized).length === 0;
}

/**
 * The newest of the family's `compared` newest ACTIVE revisions whose content is `desired`, else undefined: one
 * ListTaskDefinitions (sorted DESC) and a DescribeTaskDefinition per revision not in the cache. This is what makes
 * a registration idempotent across restarts: a process that died between RegisterTaskDefinition and the step that
 * uses it finds that revision in AWS instead of registering an identical one.
 */
export async function findRegistered(source: { ecs: ECSClient; cache: TaskDefinitionCache }, desired: { family?: unknown }, compared: number): Promise<string | undefined> {
  const family = String(desired.family);
  const listed = await source.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: compared }));
  // familyPrefix matches a prefix: `web` also lists `web-admin`.
  const arns = (listed.taskDefinitionArns ?? []).filter((arn) => arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':')) === family);
  for (const arn of arns) {
    const definition = (await describeTaskDefinitions(source.ecs, [arn], source.cache))[arn];
    if (definition && sameContent(desired, definition)) return arn;
  }
  return undefined;
}
