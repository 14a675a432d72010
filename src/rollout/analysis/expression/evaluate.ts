/**
 * The evaluator of the condition language. It walks the parsed tree over JSON-like data only: fields are read as own
 * data properties of plain objects (never through the prototype chain, never through getters), and every operator
 * checks its operand types instead of coercing, so a condition either means what it says or fails with an error.
 */
import type { BinaryOperator, ExprNode, Expression, FunctionName } from './parse.js';
import { ExpressionError } from './tokens.js';

/** What conditions compute with: JSON values, with `null` standing for "missing". */
export type Value = number | string | boolean | null | Value[] | { [key: string]: Value };

/** Bounds the work of nested all()/any() over large results. */
export const MAX_EVALUATION_STEPS = 1_000_000;

interface Scope {
  readonly expression: Expression;
  readonly result: unknown;
  readonly element: unknown;
  steps: { count: number };
}

/** Evaluates an expression against `result` and returns its value. */
export function evaluateExpression(expression: Expression, result: unknown): Value {
  return evaluate(expression.root, { expression, result, element: undefined, steps: { count: 0 } });
}

/** Evaluates a condition, which must produce true or false. */
export function evaluateCondition(expression: Expression, result: unknown): boolean {
  const value = evaluateExpression(expression, result);
  if (typeof value !== 'boolean') {
    throw new ExpressionError(`a condition must evaluate to true or false, got ${typeName(value)}`, expression.source, 0);
  }
  return value;
}

function evaluate(node: ExprNode, scope: Scope): Value {
  scope.steps.count += 1;
  if (scope.steps.count > MAX_EVALUATION_STEPS) throw fail(scope, node, `evaluation took more than ${MAX_EVALUATION_STEPS} steps`);
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'result':
      return toValue(scope.result);
    case 'element':
      return toValue(scope.element);
    case 'unary':
      return unary(node.operator, evaluate(node.operand, scope), scope, node);
    case 'binary':
      return binary(node.operator, evaluate(node.left, scope), evaluate(node.right, scope), scope, node);
    case 'logical': {
      const left = expectBoolean(evaluate(node.left, scope), node.operator, scope, node);
      if (node.operator === '&&' ? !left : left) return left;
      return expectBoolean(evaluate(node.right, scope), node.operator, scope, node);
    }
    case 'member':
      return member(evaluate(node.object, scope), node.name, scope, node);
    case 'index':
      return index(evaluate(node.object, scope), evaluate(node.index, scope), scope, node);
    case 'call':
      return call(node.name, node.args, scope, node);
    case 'predicate':
      throw fail(scope, node, 'a predicate { ... } can only be evaluated by all() or any()');
  }
}

/** `undefined` (absent field, out-of-range index) becomes null; anything that is not JSON data is refused. */
function toValue(input: unknown): Value {
  if (input === undefined || input === null) return null;
  if (typeof input === 'number' || typeof input === 'string' || typeof input === 'boolean') return input;
  if (Array.isArray(input) || isPlainObject(input)) return input as Value;
  throw new TypeError(`analysis results must be JSON data, got ${Object.prototype.toString.call(input)}`);
}

function isPlainObject(input: unknown): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null) return false;
  const proto: unknown = Object.getPrototypeOf(input);
  return proto === Object.prototype || proto === null;
}

function unary(operator: '!' | '-' | '+', operand: Value, scope: Scope, node: ExprNode): Value {
  if (operator === '!') return !expectBoolean(operand, '!', scope, node);
  if (typeof operand !== 'number') throw fail(scope, node, `unary "${operator}" needs a number, got ${typeName(operand)}`);
  return operator === '-' ? -operand : operand;
}

function binary(operator: BinaryOperator, left: Value, right: Value, scope: Scope, node: ExprNode): Value {
  if (operator === '==') return equal(left, right);
  if (operator === '!=') return !equal(left, right);
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  const comparison = operator === '<' || operator === '<=' || operator === '>' || operator === '>=';
  const sameScalars = (typeof left === 'number' && typeof right === 'number') || (comparison && typeof left === 'string' && typeof right === 'string');
  if (!sameScalars) {
    const needs = comparison ? 'two numbers or two strings' : operator === '+' ? 'two numbers (or two strings)' : 'two numbers';
    throw fail(scope, node, `"${operator}" needs ${needs}, got ${typeName(left)} and ${typeName(right)}${nullHint(left, right)}`);
  }
  const [a, b] = [left, right] as [number, number];
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

function equal(left: Value, right: Value): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, i) => equal(item, right[i]!));
  if (isPlainObject(left) && isPlainObject(right) && !Array.isArray(left) && !Array.isArray(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && equal(left[key]!, right[key]!));
  }
  return false;
}

function member(object: Value, name: string, scope: Scope, node: ExprNode): Value {
  if (object === null) return null;
  if (!isPlainObject(object)) throw fail(scope, node, `cannot read field "${name}" of ${typeName(object)}${Array.isArray(object) ? ' (use [index] or len())' : ''}`);
  return ownField(object, name);
}

/** Own data properties only: `constructor`, `__proto__` and friends are just absent unless the data has them. */
function ownField(object: Record<string, unknown>, name: string): Value {
  const descriptor = Object.getOwnPropertyDescriptor(object, name);
  return descriptor && 'value' in descriptor ? toValue(descriptor.value) : null;
}

function index(object: Value, key: Value, scope: Scope, node: ExprNode): Value {
  if (object === null) return null;
  if (Array.isArray(object)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw fail(scope, node, `an array index must be a whole number, got ${typeName(key)}`);
    return toValue(object[key < 0 ? object.length + key : key]);
  }
  if (isPlainObject(object)) {
    if (typeof key !== 'string') throw fail(scope, node, `an object key must be a string, got ${typeName(key)}`);
    return ownField(object, key);
  }
  throw fail(scope, node, `cannot index ${typeName(object)}`);
}

function call(name: FunctionName, args: ExprNode[], scope: Scope, node: ExprNode): Value {
  if (name === 'all' || name === 'any') return quantify(name, args, scope, node);
  const values = args.map((arg) => evaluate(arg, scope));
  const [first, second] = values as [Value, Value];
  switch (name) {
    case 'len':
      if (typeof first === 'string') return [...first].length;
      if (Array.isArray(first)) return first.length;
      if (isPlainObject(first)) return Object.keys(first).length;
      throw fail(scope, node, `len() needs an array, a string or an object, got ${typeName(first)}`);
    case 'abs':
      return Math.abs(expectNumber(first, name, scope, node));
    case 'isNaN':
      return Number.isNaN(expectNumber(first, name, scope, node));
    case 'min':
    case 'max': {
      const numbers = (values.length === 1 && Array.isArray(first) ? first : values).map((v) => expectNumber(v, name, scope, node));
      if (numbers.length === 0) throw fail(scope, node, `${name}() of an empty array`);
      return name === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    }
    case 'default':
      return first === null || (typeof first === 'number' && Number.isNaN(first)) ? second : first;
  }
}

function quantify(name: 'all' | 'any', args: ExprNode[], scope: Scope, node: ExprNode): boolean {
  const list = evaluate(args[0]!, scope);
  if (!Array.isArray(list)) throw fail(scope, node, `${name}() needs an array, got ${typeName(list)}`);
  const predicate = args[1]?.type === 'predicate' ? args[1].body : undefined;
  if (args[1] !== undefined && predicate === undefined) throw fail(scope, node, `the second argument of ${name}() must be a predicate like { # < 0.05 }`);
  const test = (element: Value) => {
    const value = predicate ? evaluate(predicate, { ...scope, element }) : element;
    return expectBoolean(value, `${name}()`, scope, predicate ?? node);
  };
  return name === 'all' ? list.every(test) : list.some(test);
}

function expectBoolean(value: Value, operator: string, scope: Scope, node: ExprNode): boolean {
  if (typeof value !== 'boolean') throw fail(scope, node, `"${operator}" needs true or false, got ${typeName(value)}${nullHint(value)}`);
  return value;
}

function expectNumber(value: Value, name: string, scope: Scope, node: ExprNode): number {
  if (typeof value !== 'number') throw fail(scope, node, `${name}() needs numbers, got ${typeName(value)}${nullHint(value)}`);
  return value;
}

function nullHint(...values: Value[]): string {
  return values.includes(null) ? ' (null is a missing value: check len(result) or use default(x, fallback))' : '';
}

function typeName(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function fail(scope: Scope, node: ExprNode, message: string): ExpressionError {
  return new ExpressionError(message, scope.expression.source, node.offset);
}
