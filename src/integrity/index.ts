export {
  describeUnverified,
  loadRecordKey,
  MIN_RECORD_KEY_LENGTH,
  PREVIOUS_RECORD_KEY_ENV,
  RECORD_KEY_ENV,
  RecordKey,
  SIGNATURE_LENGTH,
  signRecord,
  signWith,
  verifyRecord,
  verifyWith,
} from './record-mac.js';
export type { RecordKeyring, RecordSubject, VerifiedRecord } from './record-mac.js';
