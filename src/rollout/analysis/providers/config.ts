import type { AnalysisProvider } from '../../../manifest/index.js';
import { substituteArgs, type AnalysisArgs } from '../args.js';
import type { MetricSpec, ProviderKind } from '../spec.js';

/** A metric's provider block of the given kind, with `{{args.NAME}}` filled in. */
export function providerConfig<K extends ProviderKind>(metric: MetricSpec, kind: K, args: AnalysisArgs): NonNullable<AnalysisProvider[K]> {
  const block = metric.provider[kind];
  if (block === undefined) throw new Error(`metric "${metric.name}" has no ${kind} provider`);
  return substituteArgs(block as NonNullable<AnalysisProvider[K]>, args, `${metric.template}/${metric.name}.provider.${kind}`);
}
