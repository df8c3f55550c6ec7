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

/**
 * The pattern `isoTimestamp` checks, written out: zod's ISO datetime without offset (a real
 * calendar date, leap years included; UTC `Z`; seconds required, any number of decimals).
 * test/unit/projection/envelope-check.test.ts holds the two in step.
 */
export const ISO_TIMESTAMP =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

/** An ISO-8601 UTC timestamp (`2026-01-02T03:04:05.678Z`), at most 30 characters. */
export const isoTimestamp = z.iso
  .datetime({ error: 'must be an ISO-8601 UTC timestamp' })
  .max(ISO_TIMESTAMP_MAX_LENGTH, { error: `must be at most ${ISO_TIMESTAMP_MAX_LENGTH} characters` });

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
/** A UTF-16 surrogate without its pair: no UTF-8 encoding exists, so the database would refuse it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
