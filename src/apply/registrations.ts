import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

/**
 * Task definitions this process registered whose CreateService/UpdateService has not succeeded yet, by content. A
 * retry after that follow-up failed (throttled, say) reuses the revision instead of registering an identical one.
 * A reused revision whose follow-up fails too is forgotten, so a revision deregistered meanwhile is not reused
 * forever: at most two identical revisions, however many attempts fail.
 */
export class PendingRegistrations {
  private readonly arns = new Map<string, string>();

  static keyOf(input: RegisterTaskDefinitionCommandInput): string {
    return JSON.stringify(input);
  }

  get(key: string): string | undefined {
    return this.arns.get(key);
  }

  set(key: string, arn: string): void {
    this.arns.set(key, arn);
  }

  delete(key: string): void {
    this.arns.delete(key);
  }

  get size(): number {
    return this.arns.size;
  }
}
