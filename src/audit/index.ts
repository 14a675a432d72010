export { DecisionJournal, DEFAULT_DECISIONS_KEPT } from './journal.js';
export type { AuditEntry, DecisionListener, DecisionScope } from './journal.js';
export { renderDecisions } from './render.js';
