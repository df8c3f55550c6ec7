/**
 * Value shapes shared by the HTTP edge, the events and the Kafka envelope, bounded by what the
 * databases store (ids in CHAR(36), timestamps in VARCHAR(255) and DATETIME(3)), so a value that
 * passes validation always fits and nothing is ever truncated.
 */
import * as z from 'zod';

/** A UUID in its 36-character text form, any version, either case. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const uuidText = z.string().regex(UUID, { error: 'must be a UUID' });

/** The longest ISO-8601 UTC timestamp accepted: seconds with up to nine decimals, `Z`. */
export const ISO_TIMESTAMP_MAX_LENGTH = 30;

/** The pattern `isoTimestamp` checks (zod's ISO datetime: UTC, seconds required, any precision). */
export const ISO_TIMESTAMP = z.core.regexes.datetime({ precision: null, offset: false, local: false });

/** An ISO-8601 UTC timestamp (`2026-01-02T03:04:05.678Z`), at most 30 characters. */
export const isoTimestamp = z.iso
  .datetime({ error: 'must be an ISO-8601 UTC timestamp' })
  .max(ISO_TIMESTAMP_MAX_LENGTH, { error: `must be at most ${ISO_TIMESTAMP_MAX_LENGTH} characters` });

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its pair: no UTF-8 encoding exists, so the database would refuse it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
