import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateExpression, ExpressionError, MAX_EVALUATION_STEPS, MAX_EXPRESSION_LENGTH, MAX_NESTING, parseExpression } from '../../../src/rollout/analysis/expression/index.js';

const run = (source: string, result: unknown = null) => evaluateExpression(parseExpression(source), result);
const errorOf = (action: () => unknown): ExpressionError => {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
};

describe('conditions as Argo Rollouts templates write them', () => {
  it.each([
    ['result[0] < 0.05', [0.01], true],
    ['result[0] < 0.05', [0.2], false],
    ['len(result) > 0 && result[0] >= 0.95', [0.97], true],
    ['len(result) > 0 && result[0] >= 0.95', [], false],
    ['result == "OK"', 'OK', true],
    ['result.ok == true', { ok: true }, true],
    ['result.data.items[1].value > 3', { data: { items: [{ value: 1 }, { value: 4 }] } }, true],
    ['result > 0.5 and not (result > 0.9)', 0.7, true],
    ['result < 0 or result > 1', 0.5, false],
    ['!(result == 1)', 2, true],
    ['all(result, {# < 0.05})', [0.01, 0.02], true],
    ['all(result, {# < 0.05})', [0.01, 0.2], false],
    ['any(result, {# >= 500})', [200, 503], true],
    ['all(result)', [true, true], true],
    ['any(result)', [false, false], false],
    ['all(result, {# < 1})', [], true],
    ['any(result, {# < 1})', [], false],
    ['default(result[0], 0) < 0.05', [], true],
    ['default(result, 1) == 1', Number.NaN, true],
    ['isNaN(result[0])', [Number.NaN], true],
    ['result[-1] == 9', [1, 2, 9], true],
    ['result["a-b"] == 2', { 'a-b': 2 }, true],
  ])('%s with result %j is %s', (source, result, expected) => {
    expect(evaluateCondition(parseExpression(source), result)).toBe(expected);
  });
});

describe('operators and functions', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * 3 % 4', 2],
    ['-2 - -3', 1],
    ['+4', 4],
    ['7 / 2', 3.5],
    ['1 / 0 > 1e308', true],
    ['1.5e2', 150],
    ['.5 + 0.25', 0.75],
    ['"a" + \'b\'', 'ab'],
    ['"a\\"b\\n"', 'a"b\n'],
    ['"abc" < "abd"', true],
    ['1 == 1 && 2 != 3', true],
    ['1 == "1"', false],
    ['null == nil', true],
    ['true || false && false', true],
    ['1 < 2 == true', true],
    ['len("héllo")', 5],
    ['len(result)', 2],
    ['abs(-2.5)', 2.5],
    ['min(3, 1, 2)', 1],
    ['max(result)', 5],
    ['min(result)', 1],
    ['default(null, "x")', 'x'],
    ['default(0, 1)', 0],
  ])('%s = %j', (source, expected) => {
    expect(run(source, [1, 5])).toEqual(expected);
  });

  it('short-circuits && and ||, so a guard protects the right side', () => {
    expect(run('len(result) > 0 && result[0] > 1', [])).toBe(false);
    expect(run('len(result) == 0 || result[0] > 1', [])).toBe(true);
  });

  it('reads absent fields and out-of-range indexes as null', () => {
    expect(run('result.missing', {})).toBeNull();
    expect(run('result[3]', [1])).toBeNull();
    expect(run('result.a.b.c', {})).toBeNull();
  });

  it('compares arrays and objects by value', () => {
    expect(run('result.a == result.b', { a: [1, { x: 2 }], b: [1, { x: 2 }] })).toBe(true);
    expect(run('result.a == result.b', { a: { x: 1 }, b: { x: 1, y: 2 } })).toBe(false);
  });
});

describe('errors name the position', () => {
  it.each([
    ['result[0] <', 'unexpected end of expression at 1:12'],
    ['result[0] < 0.05 &&', 'unexpected end of expression at 1:20'],
    ['foo > 1', 'unknown name "foo"'],
    ['((1)', 'expected ")", got end of expression at 1:5'],
    ['1 +* 2', 'unexpected "*" at 1:4'],
    ['result.', 'expected a field name after ".", got end of expression at 1:8'],
    ['len()', 'len() takes 1 argument, got 0 at 1:1'],
    ['min()', 'min() takes at least 1 arguments, got 0'],
    ['all(result, {# > 1}, 3)', 'all() takes 1 to 2 arguments, got 3'],
    ['#', '"#" (the current element) is only valid inside an all()/any() predicate'],
    ['len({# > 1})', 'a predicate { ... } is only valid as the second argument of all() or any()'],
    ['"abc', 'unterminated string at 1:1'],
    ['"a\\q"', 'unknown escape "\\q"'],
    ['1a', 'invalid number "1a" at 1:1'],
    ['result $ 1', 'unexpected character "$" at 1:8'],
    ['and 1', '"and" needs an operand on its left'],
    ['len', '"len" is a function: call it as len(...)'],
    ['', 'empty expression at 1:1'],
    ['1 2', 'unexpected number 2 at 1:3'],
    ['result[0] >\n  == 1', 'unexpected "==" at 2:3'],
  ])('%j -> %s', (source, message) => {
    expect(errorOf(() => parseExpression(source)).message).toContain(message);
  });

  it.each([
    ['result[0] < "x"', [1], '"<" needs two numbers or two strings, got number 1 and string "x" at 1:11'],
    ['result[0] < 0.05', [], 'got null and number 0.05 (null is a missing value: check len(result) or use default(x, fallback))'],
    ['result + 1', 'a', '"+" needs two numbers (or two strings), got string "a" and number 1'],
    ['result && true', 1, '"&&" needs true or false, got number 1'],
    ['!result', 'x', '"!" needs true or false'],
    ['-result', 'x', 'unary "-" needs a number'],
    ['result.x', [1], 'cannot read field "x" of an array (use [index] or len())'],
    ['result[0.5]', [1], 'an array index must be a whole number'],
    ['result[1]', { a: 1 }, 'an object key must be a string'],
    ['result[0]', 5, 'cannot index number 5'],
    ['len(result)', 5, 'len() needs an array, a string or an object'],
    ['min(result)', [], 'min() of an empty array'],
    ['max(result)', ['a'], 'max() needs numbers, got string "a"'],
    ['all(result, {# + 1})', [1], '"all()" needs true or false, got number 2'],
    ['all(result)', 1, 'all() needs an array'],
  ])('%s with %j fails: %s', (source, result, message) => {
    expect(errorOf(() => run(source, result)).message).toContain(message);
  });

  it('requires a condition to be true or false', () => {
    expect(errorOf(() => evaluateCondition(parseExpression('result[0]'), [0.5])).message).toBe('a condition must evaluate to true or false, got number 0.5 at 1:1');
  });

  it('keeps the offset on the error', () => {
    const error = errorOf(() => parseExpression('result[0] < 0.05 && foo'));
    expect(error.offset).toBe(20);
    expect(error.source).toBe('result[0] < 0.05 && foo');
  });
});

describe('hostile input', () => {
  it('cannot reach constructors or prototypes', () => {
    expect(run('result.constructor', {})).toBeNull();
    expect(run('result["constructor"]', {})).toBeNull();
    expect(run('result.__proto__', {})).toBeNull();
    expect(run('result.toString', {})).toBeNull();
    expect(run('result["__proto__"]', JSON.parse('{"__proto__": {"polluted": true}}'))).toEqual({ polluted: true });
    expect(run('result.constructor', { constructor: 'data' })).toBe('data');
    expect(errorOf(() => run('result.constructor', 'text')).message).toContain('cannot read field "constructor" of string');
    expect(errorOf(() => run('result.length', [1])).message).toContain('cannot read field "length" of an array');
    expect(errorOf(() => parseExpression('constructor')).message).toContain('unknown name "constructor"');
    expect(errorOf(() => parseExpression('__proto__.x')).message).toContain('unknown name "__proto__"');
    expect(errorOf(() => parseExpression('toString')).message).toContain('unknown name "toString"');
    expect(errorOf(() => parseExpression('hasOwnProperty("x")')).message).toContain('unknown name "hasOwnProperty"');
    expect(errorOf(() => parseExpression('"\\_"')).message).toContain('unknown escape');
    expect(errorOf(() => parseExpression('result.constructor("return process")()')).message).toContain('unexpected "("');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never calls getters or reads through the prototype chain', () => {
    let called = false;
    const tricky = Object.defineProperty({}, 'x', { get: () => ((called = true), 1), enumerable: true });
    expect(run('result.x', tricky)).toBeNull();
    expect(called).toBe(false);
    expect(() => run('result.inherited', Object.create({ inherited: 1 }) as object)).toThrow('analysis results must be JSON data');
  });

  it('refuses values that are not JSON data', () => {
    expect(() => run('result', new Date(0))).toThrow('analysis results must be JSON data, got [object Date]');
    expect(() => run('result', () => 1)).toThrow('analysis results must be JSON data');
  });

  it('bounds the length of an expression', () => {
    const long = `result == ${'1 + '.repeat(MAX_EXPRESSION_LENGTH / 4)}1`;
    expect(errorOf(() => parseExpression(long)).message).toContain(`the limit is ${MAX_EXPRESSION_LENGTH}`);
  });

  it('bounds nesting, so deep parentheses or prefixes cannot exhaust the stack', () => {
    expect(errorOf(() => parseExpression(`${'('.repeat(1000)}1${')'.repeat(1000)}`)).message).toContain(`nests deeper than ${MAX_NESTING} levels`);
    expect(errorOf(() => parseExpression(`${'!'.repeat(2000)}true`)).message).toContain('nests deeper');
    expect(errorOf(() => parseExpression(`${'-'.repeat(2000)}1`)).message).toContain('nests deeper');
    expect(run(`${'('.repeat(30)}1${')'.repeat(30)}`)).toBe(1);
  });

  it('handles long flat expressions without recursion trouble', () => {
    const sum = Array.from({ length: 500 }, () => '1').join(' + ');
    expect(run(sum)).toBe(500);
  });

  it('bounds evaluation work for nested quantifiers over large results', () => {
    const big = Array.from({ length: 2000 }, (_, i) => i);
    expect(errorOf(() => run('all(result, {all(result, {# >= 0})})', big)).message).toContain(`more than ${MAX_EVALUATION_STEPS} steps`);
  });

  it('treats a string result as data, never as code', () => {
    expect(run('result == "process.exit(1)"', 'process.exit(1)')).toBe(true);
  });
});
