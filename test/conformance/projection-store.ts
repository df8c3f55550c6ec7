/**
 * The projection store's contract. The in-memory twin and the MariaDB adapter both run it, so
 * the twin cannot drift from the real thing.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../lib/bus/envelope.js';
import { fold } from '../../lib/domain/decider.js';
import { userDecider } from '../../lib/domain/user/decider.js';
import type { UserEvent } from '../../lib/domain/user/events.js';
import type { DeadLetterCode } from '../../lib/projection/records.js';
import type { ProjectionStore } from '../../lib/projection/store.js';
import type { UserView } from '../../lib/readmodel/types.js';
import { envelope, record, userStream } from '../support/records.js';

export interface ProjectionHarness {
  store: ProjectionStore;
  view(streamId: string): Promise<UserView | undefined>;
  deadLetterCodes(topic: string): Promise<DeadLetterCode[]>;
  parkedCount(streamId: string): Promise<number>;
}

/** The row a stream's events must produce: the decider's fold, shaped as the read model. */
export function expectedView(events: Envelope[]): Omit<UserView, 'userId'> | undefined {
  const state = fold(userDecider, events as unknown as UserEvent[]);
  if (state.status === 'none') return undefined;
  return { name: state.name, dateRegister: state.dateRegister, version: events.length, status: state.status };
}

/** A seeded generator, so a failing interleaving can be reproduced. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function projectionStoreContract(
  name: string,
  makeHarness: () => Promise<ProjectionHarness>,
  teardown?: () => Promise<void>,
) {
  describe(`projection store contract: ${name}`, () => {
    let h: ProjectionHarness;
    let topic: string;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await teardown?.();
    });
    beforeEach(() => {
      topic = `test-${randomUUID()}`;
    });
    const rec = (value: Envelope | string | null) => record(value, 0, topic);

    it('applies a stream delivered in order and the row equals the fold of its events', async () => {
      const id = randomUUID();
      const events = userStream(id, 3);
      const plan = await h.store.projectBatch(events.map(rec));
      expect(plan.outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
      expect(await h.view(id)).toEqual({ userId: id, ...expectedView(events) });
    });

    it('never applies a version twice: duplicates in a batch and across batches are skipped', async () => {
      const id = randomUUID();
      const [v1, v2] = userStream(id, 1) as [Envelope, Envelope];
      const first = await h.store.projectBatch([rec(v1), rec(v1), rec(v2)]);
      expect(first.outcomes).toEqual(['applied', 'skipped-duplicate', 'applied']);
      const again = await h.store.projectBatch([rec(v1), rec(v2)]);
      expect(again.outcomes).toEqual(['skipped-duplicate', 'skipped-duplicate']);
      expect((await h.view(id))?.version).toBe(2);
    });

    it('parks a version that arrives ahead of a gap and applies it when the gap fills', async () => {
      const id = randomUUID();
      const events = userStream(id, 3);
      const [v1, v2, v3, v4] = events as [Envelope, Envelope, Envelope, Envelope];
      expect((await h.store.projectBatch([rec(v3), rec(v4)])).outcomes).toEqual(['parked', 'parked']);
      expect(await h.view(id)).toBeUndefined();
      expect(await h.parkedCount(id)).toBe(2);
      expect((await h.store.projectBatch([rec(v1), rec(v3)])).outcomes).toEqual([
        'applied',
        'skipped-duplicate',
      ]);
      expect((await h.view(id))?.version).toBe(1);
      expect((await h.store.projectBatch([rec(v2)])).outcomes).toEqual(['applied']);
      expect(await h.view(id)).toEqual({ userId: id, ...expectedView(events) });
      expect(await h.parkedCount(id)).toBe(0);
    });

    it('dead-letters poison records with a reason code and goes on with the rest of the batch', async () => {
      const id = randomUUID();
      const [v1] = userStream(id, 0) as [Envelope];
      const plan = await h.store.projectBatch([
        rec('{not json'),
        rec(envelope(randomUUID(), 1, 'UserTeleported', {})),
        rec(envelope(randomUUID(), 1, 'UserRegistered', { name: '' })),
        rec(JSON.stringify({ hello: 'world' })),
        rec(envelope(randomUUID(), 1, 'UserRenamed', { name: 'first event must be a registration' })),
        rec(v1),
      ]);
      expect(plan.outcomes).toEqual([
        'dead-lettered',
        'dead-lettered',
        'dead-lettered',
        'dead-lettered',
        'dead-lettered',
        'applied',
      ]);
      expect((await h.deadLetterCodes(topic)).sort()).toEqual(
        ['INVALID_ENVELOPE', 'INVALID_EVENT', 'INVALID_SEQUENCE', 'UNKNOWN_EVENT_TYPE', 'UNPARSEABLE'].sort(),
      );
      expect((await h.view(id))?.version).toBe(1);
    });

    it('a record the read model could not hold is dead-lettered before any write, and the next good event of its partition is applied', async () => {
      const id = randomUUID();
      const [v1] = userStream(id, 0) as [Envelope];
      const tooLongDate = `2026-01-02T03:04:05.${'1'.repeat(279)}Z`;
      const plan = await h.store.projectBatch([
        rec({ ...envelope(randomUUID(), 1, 'UserRegistered', { name: 'a' }), streamId: 'x'.repeat(40) }),
        rec({ ...envelope(randomUUID(), 1, 'UserRegistered', { name: 'a' }), streamId: 'y'.repeat(64) }),
        rec(envelope(randomUUID(), 1, 'UserRegistered', { name: 'a', dateRegister: tooLongDate })),
        rec(v1),
      ]);
      expect(tooLongDate).toHaveLength(300);
      expect(plan.outcomes).toEqual(['dead-lettered', 'dead-lettered', 'dead-lettered', 'applied']);
      expect(plan.deadLetters.map((d) => d.code)).toEqual([
        'INVALID_ENVELOPE',
        'INVALID_ENVELOPE',
        'INVALID_EVENT',
      ]);
      expect(plan.deadLetters[0]!.reason).toContain('streamId: must be a UUID');
      expect(plan.deadLetters[2]!.reason).toContain('dateRegister: must be at most 30 characters');
      expect((await h.view(id))?.version).toBe(1);
    });

    it('a redelivered record that was dead-lettered is stored once', async () => {
      const poison = rec('{not json');
      await h.store.projectBatch([poison]);
      await h.store.projectBatch([poison]);
      expect(await h.deadLetterCodes(topic)).toEqual(['UNPARSEABLE']);
    });

    it('random interleavings, duplicates and batch splits of many streams end at the fold of each stream', async () => {
      const next = random(42);
      const streams = Array.from({ length: 12 }, () => userStream(randomUUID(), Math.floor(next() * 6)));
      const deliveries: Envelope[] = [];
      for (const stream of streams) for (const e of stream) deliveries.push(e);
      for (let i = 0; i < 20; i++) deliveries.push(deliveries[Math.floor(next() * deliveries.length)]!);
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
      for (let start = 0; start < deliveries.length;) {
        const size = 1 + Math.floor(next() * 15);
        await h.store.projectBatch(deliveries.slice(start, start + size).map(rec));
        start += size;
      }
      for (const stream of streams) {
        const id = stream[0]!.streamId;
        expect(await h.view(id)).toEqual({ userId: id, ...expectedView(stream) });
        expect(await h.parkedCount(id)).toBe(0);
      }
    });
  });
}
