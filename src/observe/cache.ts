import type { ObservedTaskDefinition } from './types.js';

/**
 * Task definitions never change once registered, so a revision read once is kept for the life of the process.
 * Only ACTIVE/INACTIVE status can change, and the controller does not act on it.
 */
export class TaskDefinitionCache {
  private readonly byArn = new Map<string, ObservedTaskDefinition>();

  get(arn: string): ObservedTaskDefinition | undefined {
    return this.byArn.get(arn);
  }

  set(definition: ObservedTaskDefinition): void {
    this.byArn.set(definition.arn, definition);
  }

  get size(): number {
    return this.byArn.size;
  }
}
