import type { TimeSeries } from './expression.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

export const COMPARISONS: Record<string, { test: (value: number, threshold: number) => boolean; text: string }> = {
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, text: 'greater than or equal to' },
  GreaterThanThreshold: { test: (v, t) => v > t, text: 'greater than' },
  LessThanThreshold: { test: (v, t) => v < t, text: 'less than' },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, text: 'less than or equal to' },
};

export interface AlarmRule {
  comparisonOperator: string;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
}

export interface Verdict {
  /** Undefined: keep the current state (missing data treated as `ignore`). */
  state: AlarmState | undefined;
  reason: string;
  recentDatapoints: number[];
}

const formatTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');

/**
 * The alarm's state from its last `evaluationPeriods` periods: ALARM when at least `datapointsToAlarm` of
 * them breach, OK otherwise; periods without data count as TreatMissingData says.
 */
export function judge(rule: AlarmRule, series: TimeSeries, grid: readonly number[]): Verdict {
  const comparison = COMPARISONS[rule.comparisonOperator]!;
  const present = grid.filter((t) => series.has(t));
  const recentDatapoints = present.map((t) => series.get(t)!);
  let breaching = present.filter((t) => comparison.test(series.get(t)!, rule.threshold)).length;
  let counted = present.length;
  const missing = grid.length - present.length;
  if (rule.treatMissingData === 'breaching') {
    breaching += missing;
    counted += missing;
  } else if (rule.treatMissingData === 'notBreaching') {
    counted += missing;
  }
  if (counted === 0) {
    return rule.treatMissingData === 'ignore'
      ? { state: undefined, reason: 'no datapoints; state kept (TreatMissingData ignore)', recentDatapoints }
      : { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${grid.length} datapoints were unknown.`, recentDatapoints };
  }
  const shown = present.map((t) => `${series.get(t)} (${formatTime(t)})`).join(', ');
  const datapoints = `${breaching} out of the last ${grid.length} datapoints [${shown}] ${breaching === 1 ? 'was' : 'were'}`;
  if (breaching >= rule.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${datapoints} ${comparison.text} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoint${rule.datapointsToAlarm === 1 ? '' : 's'} for OK -> ALARM transition).`,
      recentDatapoints,
    };
  }
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${datapoints} not ${comparison.text} the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoint${rule.datapointsToAlarm === 1 ? '' : 's'} for ALARM -> OK transition).`,
    recentDatapoints,
  };
}
