/** The record key every test signs with; e2e passes it to the CLI as ECS_RECONCILER_RECORD_KEY. */
import { RecordKey } from '../../src/integrity/index.js';

export const TEST_RECORD_SECRET = 'test-only-record-key-0123456789abcdef';
export const TEST_RECORD_KEY = RecordKey.fromSecret(TEST_RECORD_SECRET);
