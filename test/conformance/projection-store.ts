/**
 * The projection store's contract. The in-memory twin and the MariaDB adapter both run it, so
 * the twin cannot drift from the real thing; the stream rules run for every aggregate of the
 * test registry, the poison rules with the users' events.
 */
import { randomUUID } from 'node:crypto';
import type { ReadView } from '../../lib/aggregate/definition.js';
import type { Envelope } from '../../lib/bus/envelope.js';
import { sealData } from '../../lib/personal-data/fields.js';
import type { Keyring } from '../../lib/personal-data/keyring.js';
import { decodeBatch, planBatch } from '../../lib/projection/plan.js';
import type { DeadLetterCode } from '../../lib/projection/records.js';
import type { ProjectionStore } from '../../lib/projection/store.js';
import { FIXTURES, type AggregateFixture } from '../support/aggregate-fixtures.js';
import { registry } from '../fixtures/registry.js';
import { envelope, record, userStream } from '../support/records.js';

export interface ProjectionHarness {
  store: ProjectionStore;
  /** The aggregate's read-model row of a stream. */
  view(aggregate: string, streamId: string): Promise<ReadView | undefined>;
  deadLetterCodes(topic: string): Promise<DeadLetterCode[]>;
  parkedCount(streamId: string): Promise<number>;
  /** A keyring that makes and stores streams' keys where the store finds them (the command's). */
  writerKeyring: Keyring;
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

    describe.each(FIXTURES.map((f) => [f.aggregate.name, f] as const))(
      '%s streams',
      (_name, fixture: AggregateFixture) => {
        const aggregate = fixture.aggregate.name;
        const expectedView = (id: string, events: Envelope[]) => fixture.expectedView(id, events);
        it('applies a stream delivered in order and the row equals the fold of its events', async () => {
          const id = randomUUID();
          const events = fixture.stream(id, 3);
          const plan = await h.store.projectBatch(events.map(rec));
          expect(plan.outcomes).toEqual(['applied', 'applied', 'applied', 'applied']);
          expect(await h.view(aggregate, id)).toEqual(expectedView(id, events));
        });

        it('never applies a version twice: duplicates in a batch and across batches are skipped', async () => {
          const id = randomUUID();
          const [v1, v2] = fixture.stream(id, 1) as [Envelope, Envelope];
          const first = await h.store.projectBatch([rec(v1), rec(v1), rec(v2)]);
          expect(first.outcomes).toEqual(['applied', 'skipped-duplicate', 'applied']);
          const again = await h.store.projectBatch([rec(v1), rec(v2)]);
          expect(again.outcomes).toEqual(['skipped-duplicate', 'skipped-duplicate']);
          expect((await h.view(aggregate, id))?.version).toBe(2);
        });

        it('parks a version that arrives ahead of a gap and applies it when the gap fills', async () => {
          const id = randomUUID();
          const events = fixture.stream(id, 3);
          const [v1, v2, v3, v4] = events as [Envelope, Envelope, Envelope, Envelope];
          expect((await h.store.projectBatch([rec(v3), rec(v4)])).outcomes).toEqual(['parked', 'parked']);
          expect(await h.view(aggregate, id)).toBeUndefined();
          expect(await h.parkedCount(id)).toBe(2);
          expect((await h.store.projectBatch([rec(v1), rec(v3)])).outcomes).toEqual([
            'applied',
            'skipped-duplicate',
          ]);
          expect((await h.view(aggregate, id))?.version).toBe(1);
          expect((await h.store.projectBatch([rec(v2)])).outcomes).toEqual(['applied']);
          expect(await h.view(aggregate, id)).toEqual(expectedView(id, events));
          expect(await h.parkedCount(id)).toBe(0);
        });

        it('random interleavings, duplicates and batch splits of many streams end at the fold of each stream', async () => {
          const next = random(42);
          const streams = Array.from({ length: 12 }, () =>
            fixture.stream(randomUUID(), Math.floor(next() * 6)),
          );
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
            expect(await h.view(aggregate, id)).toEqual(expectedView(id, stream));
            expect(await h.parkedCount(id)).toBe(0);
          }
        });

        it('a batch of a thousand records of many streams, shuffled, ends at the fold of each stream, an outcome per record in delivery order', async () => {
          const next = random(7);
          const streams = Array.from({ length: 150 }, () => fixture.stream(randomUUID(), 5));
          const deliveries = streams.flat();
          for (let i = 0; i < 100; i++) deliveries.push(deliveries[Math.floor(next() * deliveries.length)]!);
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = Math.floor(next() * (i + 1));
            [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
          }
          const records = [...deliveries.map(rec), rec('not json')];
          // New streams: the store's plan must be the plan of the whole batch on an empty read model.
          const whole = planBatch(
            decodeBatch(records),
            { views: new Map(), parked: new Map(), keys: new Map() },
            registry,
          );
          const plan = await h.store.projectBatch(records);
          expect(plan.outcomes).toEqual(whole.outcomes);
          expect(plan.applied).toHaveLength(whole.applied.length);
          for (const stream of streams) {
            const id = stream[0]!.streamId;
            expect(await h.view(aggregate, id)).toEqual(expectedView(id, stream));
            expect(await h.parkedCount(id)).toBe(0);
          }
        });

        it('an event type this stream type does not own is dead-lettered as an unknown event type', async () => {
          const [first] = fixture.stream(randomUUID(), 0) as [Envelope];
          const plan = await h.store.projectBatch([rec({ ...first, streamType: 'no-such-aggregate' })]);
          expect(plan.deadLetters.map((d) => [d.code, d.reason])).toEqual([
            ['UNKNOWN_EVENT_TYPE', 'unknown stream type "no-such-aggregate"'],
          ]);
        });
      },
    );

    describe('users personal data', () => {
      const sealed = async (event: Envelope): Promise<Envelope> => {
        const key = await h.writerKeyring.keyForWriting(event.streamId);
        if (key === 'erased') throw new Error('a fresh stream has no erased key');
        const catalogue = registry.byName('users')!.events;
        return { ...event, data: sealData(catalogue, event.type, event.streamId, event.data, key) };
      };

      it("sealed names are opened with their stream's key into the row", async () => {
        const id = randomUUID();
        const events = await Promise.all(userStream(id, 1).map(sealed));
        expect((await h.store.projectBatch(events.map(rec))).outcomes).toEqual(['applied', 'applied']);
        expect(await h.view('users', id)).toMatchObject({ name: 'name2', version: 2 });
      });

      it("a parked sealed event is opened with its stream's key when the event filling its gap has nothing sealed", async () => {
        const id = randomUUID();
        const [v1, v2, v3] = userStream(id, 2) as [Envelope, Envelope, Envelope];
        // v2 as history written before sealing: a plain name.
        expect((await h.store.projectBatch([rec(await sealed(v1))])).outcomes).toEqual(['applied']);
        expect((await h.store.projectBatch([rec(await sealed(v3))])).outcomes).toEqual(['parked']);
        expect((await h.store.projectBatch([rec(v2)])).outcomes).toEqual(['applied']);
        expect(await h.view('users', id)).toMatchObject({ name: 'name3', version: 3 });
        expect(await h.parkedCount(id)).toBe(0);
      });
    });

    describe('users poison', () => {
      const view = (id: string) => h.view('users', id);
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
          [
            'INVALID_ENVELOPE',
            'INVALID_EVENT',
            'INVALID_SEQUENCE',
            'UNKNOWN_EVENT_TYPE',
            'UNPARSEABLE',
          ].sort(),
        );
        expect((await view(id))?.version).toBe(1);
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
        expect((await view(id))?.version).toBe(1);
      });

      it('a redelivered record that was dead-lettered is stored once', async () => {
        const poison = rec('{not json');
        await h.store.projectBatch([poison]);
        await h.store.projectBatch([poison]);
        expect(await h.deadLetterCodes(topic)).toEqual(['UNPARSEABLE']);
      });
    });
  });
}
