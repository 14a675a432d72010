import type { Handlers } from '../core/service.js';
import { parseEcsArn } from './arns.js';
import type { EcsContext } from './context.js';
import { invalidParameter, resourceNotFound } from './errors.js';
import { mergeTags, removeTags, type Tag } from './tags.js';

interface Tagged {
  tags: Tag[];
}

/** The record behind a taggable ECS ARN: cluster, service, task definition, task set or task. */
function taggedResource(ecs: EcsContext, arn: string | undefined): Tagged {
  const parsed = arn ? parseEcsArn(arn) : undefined;
  if (!arn || !parsed) throw invalidParameter('Invalid resource ARN.');
  const { store } = ecs;
  let found: Tagged | undefined;
  switch (parsed.type) {
    case 'cluster':
      found = store.clusters.get(parsed.path[0]!);
      break;
    case 'service':
      found = store.servicesByArn.get(arn);
      break;
    case 'task-definition':
      found = store.taskDefinitionsByArn.get(arn);
      break;
    case 'task':
      found = store.tasks.get(arn);
      break;
    case 'task-set': {
      const [cluster, service] = parsed.path;
      found = store.services.get(cluster!)?.get(service!)?.taskSets.find((ts) => ts.arn === arn);
      break;
    }
    default:
      throw invalidParameter(`Tagging is not supported for resource type ${parsed.type}.`);
  }
  if (!found) throw resourceNotFound('The specified resource could not be found.');
  return found;
}

export function taggingHandlers(ecs: EcsContext): Handlers {
  return {
    TagResource: (input: { resourceArn?: string; tags?: unknown }) => {
      const resource = taggedResource(ecs, input.resourceArn);
      resource.tags = mergeTags(resource.tags, input.tags);
      return {};
    },
    UntagResource: (input: { resourceArn?: string; tagKeys?: unknown }) => {
      const resource = taggedResource(ecs, input.resourceArn);
      resource.tags = removeTags(resource.tags, input.tagKeys);
      return {};
    },
    ListTagsForResource: (input: { resourceArn?: string }) => ({ tags: taggedResource(ecs, input.resourceArn).tags }),
  };
}
