import { describe, expect, it } from 'vitest';
import { evaluate, ExpressionError, parseExpression, referencedIds, type ExprValue, type TimeSeries } from '../../../src/sandbox/cloudwatch/expression.js';

const series = (...points: Array<[number, number]>): TimeSeries => new Map(points);
const grid = [0, 60, 120, 180];

function run(text: string, values: Record<string, ExprValue>): ExprValue {
  return evaluate(parseExpression(text), {
    resolve: (id) => {
      if (!(id in values)) throw new ExpressionError(`unknown ${id}`);
      return values[id]!;
    },
    grid,
    metrics: () => Object.values(values).filter((v): v is TimeSeries => v instanceof Map),
  });
}

describe('metric math', () => {
  const requests = series([0, 100], [60, 200], [120, 400]);
  const errors = series([60, 10], [120, 40]);

  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['-4 / 2 - 1', -3],
    ['2e2 / 4', 50],
  ])('computes constant arithmetic %s', (text, expected) => {
    expect(run(text, {})).toBe(expected);
  });

  it('combines series where both have a datapoint, and broadcasts scalars', () => {
    expect(run('100 * errors / requests', { errors, requests })).toEqual(series([60, 5], [120, 10]));
  });

  it('FILL fills the grid with a constant, REPEAT or LINEAR', () => {
    expect(run('FILL(errors, 0)', { errors })).toEqual(series([0, 0], [60, 10], [120, 40], [180, 0]));
    expect(run('FILL(errors, REPEAT)', { errors })).toEqual(series([0, 10], [60, 10], [120, 40], [180, 40]));
    expect(run('FILL(m, LINEAR)', { m: series([0, 0], [180, 30]) })).toEqual(series([0, 0], [60, 10], [120, 20], [180, 30]));
    expect(run('100 * FILL(errors, 0) / requests', { errors, requests })).toEqual(series([0, 0], [60, 5], [120, 10]));
  });

  it('aggregates one series to a number and a list of series per timestamp', () => {
    expect(run('SUM(requests)', { requests })).toBe(700);
    expect(run('MAX(requests)', { requests })).toBe(400);
    expect(run('SUM([requests, errors])', { requests, errors })).toEqual(series([0, 100], [60, 210], [120, 440]));
    expect(run('AVG(METRICS())', { requests, errors })).toEqual(series([0, 100], [60, 105], [120, 220]));
    expect(run('MIN(requests, errors)', { requests, errors })).toEqual(series([0, 100], [60, 10], [120, 40]));
  });

  it('applies ABS, CEIL and FLOOR point by point and drops division by zero', () => {
    expect(run('CEIL(ABS(0 - errors) / 3)', { errors })).toEqual(series([60, 4], [120, 14]));
    expect(run('requests / FILL(errors, 0)', { requests, errors })).toEqual(series([60, 20], [120, 10]));
  });

  it('lists the ids an expression refers to', () => {
    expect(referencedIds(parseExpression('100 * FILL(e1, 0) / SUM([r1, r2])'))).toEqual(['e1', 'r1', 'r2']);
  });

  it.each([
    ['r +* 2', /Unexpected '\*'/],
    ['FILL(r', /Expected '\)'/],
    ['EVAL(r)', /Unsupported function 'EVAL'/],
    ['r; process.exit()', /Unexpected character ';'/],
    ['REPEAT + 1', /only be the second argument of FILL/],
  ])('rejects %s', (text, message) => {
    expect(() => run(text, { r: requests })).toThrow(message);
  });
});
