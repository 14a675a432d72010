import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

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
