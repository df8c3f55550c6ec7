/**
 * Operator actions in AWS, invoked directly (`sls invoke -f admin -d '{"action":"dlq-list"}'`),
 * never over HTTP: dead letters (list, show, redrive, drop), parked events, retention and the
 * read-model rebuild, and the sealing of personal fields stored before they were encrypted
 * (`encrypt-history`). A rebuild or encrypt-history longer than one invocation returns `interrupted`; invoking it
 * again resumes from its checkpoint.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { registry } from '../../aggregates/index.js';
import { config } from '../../lib/config.js';
import { keyStorePool, pool } from '../../lib/db/pool.js';
import { encryptHistory } from '../../lib/personal-data/encrypt-history.js';
import { keyringFor } from '../../lib/personal-data/keyring-for.js';
import { DeadLetterStore } from '../../lib/deadletters/store.js';
import { applyRetention, DEFAULT_RETENTION } from '../../lib/ops/retention.js';
import { listParked } from '../../lib/projection/parked.js';
import { rebuildReadModel } from '../../lib/rebuild/rebuild.js';

const request = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('dlq-list'), includeRedriven: z.boolean().optional() }),
  z.strictObject({ action: z.literal('dlq-show'), id: z.number().int().positive() }),
  z.strictObject({ action: z.literal('dlq-redrive'), id: z.number().int().positive() }),
  z.strictObject({ action: z.literal('dlq-drop'), id: z.number().int().positive() }),
  z.strictObject({ action: z.literal('parked-list') }),
  z.strictObject({ action: z.literal('retention'), dryRun: z.boolean().optional() }),
  z.strictObject({ action: z.literal('rebuild'), chunkSize: z.number().int().min(1).max(100000).optional() }),
  z.strictObject({
    action: z.literal('encrypt-history'),
    chunkSize: z.number().int().min(1).max(100000).optional(),
  }),
]);

/** Leaves this much of the invocation's time for the last chunk and the swap. */
const SAFETY_MS = 60000;

/** Runs resumable work with a signal that stops it SAFETY_MS before the invocation's time runs out. */
async function untilDeadline<T>(
  context: Context | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const remaining = context?.getRemainingTimeInMillis?.();
  const timer =
    remaining === undefined ? undefined : setTimeout(() => stop.abort(), Math.max(0, remaining - SAFETY_MS));
  try {
    return await work(stop.signal);
  } finally {
    clearTimeout(timer);
  }
}

export const handler = async (event: unknown, context?: Context) => {
  const parsed = request.safeParse(event);
  if (!parsed.success) {
    return {
      error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => i.message).join('; ') },
    };
  }
  const input = parsed.data;
  const store = new DeadLetterStore(pool('operator'), registry, keyringFor('operator'));
  switch (input.action) {
    case 'dlq-list':
      return { items: await store.list({ includeRedriven: input.includeRedriven, limit: 500 }) };
    case 'dlq-show':
      return (
        (await store.show(input.id)) ?? {
          error: { code: 'NOT_FOUND', message: `No dead letter ${input.id}.` },
        }
      );
    case 'dlq-redrive':
      return store.redrive(input.id);
    case 'dlq-drop':
      return { dropped: await store.drop(input.id) };
    case 'parked-list':
      return { items: await listParked(pool('operator'), 500) };
    case 'retention':
      return applyRetention(pool('operator'), DEFAULT_RETENTION, { dryRun: input.dryRun ?? false });
    case 'encrypt-history':
      return untilDeadline(context, (signal) =>
        encryptHistory(keyStorePool('operator'), registry, keyringFor('operator'), {
          chunkSize: input.chunkSize,
          signal,
        }),
      );
    case 'rebuild':
      return untilDeadline(context, (signal) =>
        rebuildReadModel(pool('operator'), registry, config.databases(), {
          keyring: keyringFor('operator'),
          chunkSize: input.chunkSize,
          signal,
        }),
      );
  }
};
