import type { MetricProviders } from '../measure.js';
import { createCloudWatchAlarmProvider, createCloudWatchProvider, type CloudWatchSender } from './cloudwatch.js';
import type { FetchFunction } from './http.js';
import { createPrometheusProvider } from './prometheus.js';
import { createWebProvider } from './web.js';

export interface ProviderDependencies {
  /** Without a client, cloudwatch and cloudwatchAlarm metrics end as Error measurements ("no provider"). */
  cloudwatch?: CloudWatchSender;
  fetch?: FetchFunction;
}

/** Every provider, wired to its clients. */
export function createProviders(dependencies: ProviderDependencies = {}): MetricProviders {
  const http = dependencies.fetch ? { fetch: dependencies.fetch } : {};
  return {
    ...(dependencies.cloudwatch
      ? { cloudwatch: createCloudWatchProvider(dependencies.cloudwatch), cloudwatchAlarm: createCloudWatchAlarmProvider(dependencies.cloudwatch) }
      : {}),
    prometheus: createPrometheusProvider(http),
    web: createWebProvider(http),
  };
}
