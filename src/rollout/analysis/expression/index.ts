export { ExpressionError, MAX_EXPRESSION_LENGTH } from './tokens.js';
export { MAX_NESTING, parseExpression } from './parse.js';
export type { Expression } from './parse.js';
export { evaluateCondition, evaluateExpression, MAX_EVALUATION_STEPS } from './evaluate.js';
export type { Value } from './evaluate.js';
