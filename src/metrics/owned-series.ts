import type { Gauge, LabelValues } from 'prom-client';

/**
 * Gauge series owned by one entity (a service, or the controller itself) whose label values change over time, such
 * as `service_info{sync_status}` or `desired_state_info{revision}`. Replacing an owner's series removes the ones it
 * no longer has, so a status change never leaves the old label set behind as a second "current" series.
 */
export class OwnedSeries<L extends string> {
  private readonly owned = new Map<string, Map<string, LabelValues<L>>>();

  constructor(private readonly gauge: Gauge<L>) {}

  /** Makes `series` the owner's complete set of series. */
  replace(owner: string, series: ReadonlyArray<readonly [LabelValues<L>, number]>): void {
    const next = new Map(series.map(([labels]) => [labelIdentity(labels), labels] as const));
    for (const [identity, labels] of this.owned.get(owner) ?? []) {
      if (!next.has(identity)) this.gauge.remove(labels);
    }
    for (const [labels, value] of series) this.gauge.set(labels, value);
    this.owned.set(owner, next);
  }

  remove(owner: string): void {
    for (const labels of this.owned.get(owner)?.values() ?? []) this.gauge.remove(labels);
    this.owned.delete(owner);
  }
}

function labelIdentity(labels: object): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}
