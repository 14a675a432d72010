/** The args every rollout offers its analysis templates, so a template can tell stable from canary. */
import type { AnalysisArgs } from './args.js';
import { loadBalancerDimension, targetGroupDimension } from './providers/cloudwatch.js';

export interface RolloutFacts {
  cluster: string;
  service: string;
  /** Canary: the stable group; blue-green: the active group. */
  stableTargetGroupArn?: string;
  /** Canary: the canary group; blue-green: the preview group. */
  canaryTargetGroupArn?: string;
  loadBalancerArn?: string;
}

/**
 * `cluster`, `service`, and the CloudWatch dimension values `stableTargetGroup`, `canaryTargetGroup`
 * (`targetgroup/name/id`) and `loadBalancer` (`app/name/id`). A template uses one by declaring it in spec.args.
 */
export function rolloutArgs(facts: RolloutFacts): AnalysisArgs {
  return {
    cluster: facts.cluster,
    service: facts.service,
    ...(facts.stableTargetGroupArn ? { stableTargetGroup: targetGroupDimension(facts.stableTargetGroupArn) } : {}),
    ...(facts.canaryTargetGroupArn ? { canaryTargetGroup: targetGroupDimension(facts.canaryTargetGroupArn) } : {}),
    ...(facts.loadBalancerArn ? { loadBalancer: loadBalancerDimension(facts.loadBalancerArn) } : {}),
  };
}
