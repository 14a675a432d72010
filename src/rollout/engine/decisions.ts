/**
 * The decisions of one rollout pass, derived from what the pass changed: the state machine's events (steps, pauses,
 * weights, operator requests, outcomes) and the analysis measurements taken. Pure: the engine's caller logs them.
 */
import { BY_CONTROLLER, byGit } from '../../log/events.js';
import type { Decision, DecisionOutcome } from '../../log/events.js';
import type { RolloutEvent } from '../types.js';
import type { StoredRun } from './analysis-runs.js';

/** One measurement an analysis run took in this pass, with the conditions it was judged by. */
export interface MeasurementTaken {
  runId: string;
  metric: string;
  phase: string;
  value?: string;
  message?: string;
  successCondition?: string;
  failureCondition?: string;
}

export interface PassFacts {
  strategy: 'Canary' | 'BlueGreen';
  /** The desired-state revision the pass works from: who asked for a rollout, a supersede or a manifest request. */
  revision: string;
  events: readonly RolloutEvent[];
  measurements: readonly MeasurementTaken[];
  /** Runs that reached a verdict in this pass. */
  finishedAnalysis: readonly { runId: string; templates: string[]; phase: string }[];
  /** The pass's writes went through: its transitions happened (else they are retried and logged as failed). */
  committed: boolean;
}

/** Measurements in `after` that `before` did not have, in the order they were taken. */
export function measurementsTaken(before: ReadonlyMap<string, StoredRun>, after: ReadonlyMap<string, StoredRun>): MeasurementTaken[] {
  const taken: MeasurementTaken[] = [];
  for (const stored of after.values()) {
    const previous = before.get(stored.runId)?.run;
    for (const metric of stored.run?.metrics ?? []) {
      const last = previous?.metrics.find((candidate) => candidate.name === metric.name)?.lastMeasuredAt ?? -Infinity;
      const spec = stored.spec?.metrics.find((candidate) => candidate.name === metric.name);
      for (const measurement of metric.recent.filter((entry) => entry.finishedAt > last)) {
        taken.push({
          runId: stored.runId,
          metric: metric.name,
          phase: measurement.phase,
          ...(measurement.value !== undefined ? { value: measurement.value } : {}),
          ...(measurement.message !== undefined ? { message: measurement.message } : {}),
          ...(spec?.successCondition ? { successCondition: spec.successCondition.source } : {}),
          ...(spec?.failureCondition ? { failureCondition: spec.failureCondition.source } : {}),
        });
      }
    }
  }
  return taken;
}

const STRATEGY_WORD = { Canary: 'canary', BlueGreen: 'blue-green' } as const;

function stepLabel(strategy: PassFacts['strategy'], step: number, total: number): string {
  return `${STRATEGY_WORD[strategy]} step ${step + 1}/${total}`;
}

function eventDecision(facts: PassFacts, event: RolloutEvent, transition: DecisionOutcome): Decision {
  const git = byGit(facts.revision);
  switch (event.type) {
    case 'Started':
      return { action: 'rollout-started', outcome: transition, reason: event.message, to: event.hash, requestedBy: event.attempt > 0 ? BY_CONTROLLER : git, details: { attempt: event.attempt } };
    case 'StepStarted':
      return { action: 'step', outcome: transition, reason: `${stepLabel(facts.strategy, event.step, event.total)}: ${event.message}`, requestedBy: BY_CONTROLLER, details: { step: event.step, totalSteps: event.total } };
    case 'PauseStarted':
      return {
        action: 'pause-started',
        outcome: transition === 'applied' ? 'waiting' : transition,
        reason: `${stepLabel(facts.strategy, event.step, event.total)}: ${event.seconds === undefined ? 'paused until promote' : `paused for ${event.seconds}s`}`,
        requestedBy: BY_CONTROLLER,
        details: { step: event.step, ...(event.seconds === undefined ? {} : { seconds: event.seconds }) },
      };
    case 'PauseEnded':
      return { action: 'pause-ended', outcome: transition, reason: `${stepLabel(facts.strategy, event.step, event.total)}: pause ended (${event.message})`, requestedBy: BY_CONTROLLER, details: { step: event.step } };
    case 'WeightChanged': {
      const where = event.step !== undefined ? stepLabel(facts.strategy, event.step, event.total) : `${STRATEGY_WORD[facts.strategy]} ${event.stage ?? 'cleanup'}`;
      return {
        action: 'set-weight',
        outcome: transition,
        reason: `${where}: weight ${event.from} -> ${event.to}`,
        from: event.from,
        to: event.to,
        requestedBy: BY_CONTROLLER,
        details: { ...(event.step !== undefined ? { step: event.step } : {}), ...(event.stage ? { stage: event.stage } : {}) },
      };
    }
    case 'OperatorRequest':
      return {
        action: event.request,
        outcome: event.applied ? transition : 'refused',
        reason: event.message,
        requestedBy: event.source === 'cli' ? `request:${event.requestTag ?? '?'}` : git,
      };
    case 'Outcome':
      return {
        action: `rollout-${event.outcome}`,
        outcome: transition,
        reason: event.message,
        to: event.hash,
        requestedBy: event.outcome === 'superseded' ? git : (operatorAbort(facts) ?? BY_CONTROLLER),
        details: { durationSeconds: event.durationSeconds },
      };
    case 'Warning':
      return { action: 'rollout-warning', outcome: 'refused', reason: event.message, requestedBy: BY_CONTROLLER };
    case 'RecordRejected':
      return { action: 'record-rejected', outcome: 'refused', reason: `${event.message}: not obeyed, the rollout holds`, requestedBy: BY_CONTROLLER, details: { record: event.record, verification: event.reason } };
  }
}

/** Who asked, when the pass applied an operator's abort: the rollout's end is theirs. */
function operatorAbort(facts: PassFacts): string | undefined {
  const request = facts.events.find((event) => event.type === 'OperatorRequest' && event.request === 'abort' && event.applied);
  return request ? eventDecision(facts, request, 'applied').requestedBy : undefined;
}

function measurementDecision(taken: MeasurementTaken): Decision {
  const condition = [taken.successCondition && `success when ${taken.successCondition}`, taken.failureCondition && `failure when ${taken.failureCondition}`].filter(Boolean).join(', ');
  const value = taken.value ?? taken.message ?? 'no value';
  return {
    action: 'analysis-measurement',
    outcome: 'applied',
    reason: `analysis ${taken.runId}: ${taken.metric} = ${value}: ${taken.phase}${condition ? ` (${condition})` : ''}`,
    requestedBy: BY_CONTROLLER,
    details: { run: taken.runId, metric: taken.metric, phase: taken.phase, ...(taken.value !== undefined ? { value: taken.value } : {}), ...(taken.message !== undefined ? { message: taken.message } : {}), ...(taken.successCondition ? { successCondition: taken.successCondition } : {}), ...(taken.failureCondition ? { failureCondition: taken.failureCondition } : {}) },
  };
}

/**
 * Measurements first (they were taken, and written, before the machine stepped), then the transitions in the order
 * the machine made them. A pass whose record write failed made none of its transitions: they are logged as failed
 * and decided again by the next pass.
 */
export function rolloutDecisions(facts: PassFacts): Decision[] {
  const transition: DecisionOutcome = facts.committed ? 'applied' : 'failed';
  const finished = facts.finishedAnalysis.map(
    (run): Decision => ({ action: 'analysis-completed', outcome: 'applied', reason: `analysis ${run.runId} (${run.templates.join(', ')}): ${run.phase}`, requestedBy: BY_CONTROLLER, details: { run: run.runId, phase: run.phase } }),
  );
  return [...facts.measurements.map(measurementDecision), ...finished, ...facts.events.map((event) => eventDecision(facts, event, transition))];
}
