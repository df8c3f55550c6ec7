/** A Kafka record as the projection sees it, whatever delivered it (Lambda's MSK event, a consumer). */
export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export type DeadLetterCode =
  | 'UNPARSEABLE'
  | 'INVALID_ENVELOPE'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_EVENT'
  | 'INVALID_SEQUENCE'
  /** Valid to the projection, refused by the read database (a value its columns cannot hold). */
  | 'DATABASE_REJECTED';

export interface DeadLetter {
  record: IncomingRecord;
  code: DeadLetterCode;
  reason: string;
}

export type RecordOutcome = 'applied' | 'skipped-duplicate' | 'parked' | 'dead-lettered';
