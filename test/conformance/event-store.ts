/**
 * The event store's contract, run against the in-memory twin and the MariaDB adapter, for the
 * streams of every aggregate of the test registry.
 */
import { randomUUID } from 'node:crypto';
import type { AppendRequest, EventStore } from '../../lib/eventstore/types.js';
import { FIXTURES, type AggregateFixture } from '../support/aggregate-fixtures.js';

export function eventStoreContract(
  name: string,
  makeStore: (options?: { idempotencyTtlMs: number }) => EventStore,
  teardown?: () => Promise<void>,
) {
  afterAll(async () => {
    await teardown?.();
  });
  describe.each(FIXTURES.map((f) => [f.aggregate.name, f] as const))(
    `event store contract: ${name}, %s`,
    (_name, fixture: AggregateFixture) => {
      const registered = fixture.created;
      let changes = 0;
      const renamed = (_label: string) => fixture.changed(++changes);
      const streamType = fixture.aggregate.streamType;
      /** A store whose appends are made for this aggregate's stream type. */
      const forStreamType = (inner: EventStore) => ({
        readStream: (id: string) => inner.readStream(id),
        findIdempotencyRecord: (scope: Parameters<EventStore['findIdempotencyRecord']>[0]) =>
          inner.findIdempotencyRecord(scope),
        append: (request: Omit<AppendRequest, 'streamType'>) => inner.append({ ...request, streamType }),
      });
      let store: ReturnType<typeof forStreamType>;
      beforeAll(() => {
        store = forStreamType(makeStore());
      });

      it('appends at the expected version and reads the stream back in order with positions', async () => {
        const id = randomUUID();
        const events = [registered(), renamed('B'), renamed('C')];
        const first = await store.append({ streamId: id, expectedVersion: 0, events: events.slice(0, 1) });
        const second = await store.append({ streamId: id, expectedVersion: 1, events: events.slice(1) });
        expect(first.outcome).toBe('appended');
        expect(second.outcome).toBe('appended');
        const stream = await store.readStream(id);
        expect(stream.map((e) => [e.version, e.type, e.streamType])).toEqual(
          events.map((e, i) => [i + 1, e.type, streamType]),
        );
        expect(stream[2]?.data).toEqual(events[2]!.data);
        expect(stream[0]?.metadata).toEqual({ requestId: 'r-1' });
        expect(stream[0]?.occurredAt).toBe('2026-01-02T03:04:05.678Z');
        const positions = stream.map((e) => e.position);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      });

      it('a stale expected version is a version conflict and writes nothing', async () => {
        const id = randomUUID();
        await store.append({ streamId: id, expectedVersion: 0, events: [registered()] });
        const stale = await store.append({ streamId: id, expectedVersion: 0, events: [registered()] });
        expect(stale).toEqual({ outcome: 'version-conflict', expectedVersion: 0 });
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('of 20 concurrent appends at the same version exactly one wins', async () => {
        const id = randomUUID();
        await store.append({ streamId: id, expectedVersion: 0, events: [registered()] });
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.append({ streamId: id, expectedVersion: 1, events: [renamed(`n${i}`)] }),
          ),
        );
        expect(outcomes.filter((o) => o.outcome === 'appended')).toHaveLength(1);
        expect(outcomes.filter((o) => o.outcome === 'version-conflict')).toHaveLength(19);
        expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
      });

      it('an idempotency key is recorded with the events, and a second use returns the first record without writing', async () => {
        const id = randomUUID();
        const key = `k-${randomUUID()}`;
        const response = { statusCode: 201, body: { id, version: 1 }, headers: { location: `/users/${id}` } };
        await store.append({
          streamId: id,
          expectedVersion: 0,
          events: [registered()],
          idempotency: { caller: '', key, requestHash: 'h1', response },
        });
        expect(await store.findIdempotencyRecord({ caller: '', key })).toEqual({
          caller: '',
          key,
          requestHash: 'h1',
          response,
        });
        const other = randomUUID();
        const again = await store.append({
          streamId: other,
          expectedVersion: 0,
          events: [registered()],
          idempotency: { caller: '', key, requestHash: 'h2', response: { statusCode: 201, body: {} } },
        });
        expect(again).toEqual({
          outcome: 'idempotency-key-taken',
          existing: { caller: '', key, requestHash: 'h1', response },
        });
        expect(await store.readStream(other)).toEqual([]);
      });

      it('an append of no events still records its idempotency key', async () => {
        const id = randomUUID();
        const key = `k-${randomUUID()}`;
        const out = await store.append({
          streamId: id,
          expectedVersion: 0,
          events: [],
          idempotency: {
            caller: '',
            key,
            requestHash: 'h',
            response: { statusCode: 200, body: { id, version: 0 } },
          },
        });
        expect(out).toEqual({ outcome: 'appended', events: [] });
        expect((await store.findIdempotencyRecord({ caller: '', key }))?.response.statusCode).toBe(200);
      });

      it("one caller's key never answers another caller: the same key from two callers is two records", async () => {
        const key = `k-${randomUUID()}`;
        const answer = (id: string) => ({ statusCode: 201, body: { id, version: 1 } });
        const [alice, bob] = [randomUUID(), randomUUID()];
        for (const [caller, id] of [
          ['token:alice', alice],
          ['token:bob', bob],
        ] as const) {
          const out = await store.append({
            streamId: id,
            expectedVersion: 0,
            events: [registered()],
            idempotency: { caller, key, requestHash: 'same request', response: answer(id) },
          });
          expect(out.outcome).toBe('appended');
        }
        expect((await store.findIdempotencyRecord({ caller: 'token:alice', key }))?.response).toMatchObject(
          answer(alice),
        );
        expect((await store.findIdempotencyRecord({ caller: 'token:bob', key }))?.response).toMatchObject(
          answer(bob),
        );
        expect(await store.findIdempotencyRecord({ caller: '', key })).toBeUndefined();
      });

      it('a key past its time to live counts as absent, and a new request may use it again', async () => {
        const shortLived = forStreamType(makeStore({ idempotencyTtlMs: 1 }));
        const key = `k-${randomUUID()}`;
        const [first, second] = [randomUUID(), randomUUID()];
        const scope = { caller: '', key };
        const append = (id: string, hash: string) =>
          shortLived.append({
            streamId: id,
            expectedVersion: 0,
            events: [registered()],
            idempotency: {
              ...scope,
              requestHash: hash,
              response: { statusCode: 201, body: { id, version: 1 } },
            },
          });
        expect((await append(first, 'h1')).outcome).toBe('appended');
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await shortLived.findIdempotencyRecord(scope)).toBeUndefined();
        expect((await append(second, 'h2')).outcome).toBe('appended');
        expect(await shortLived.readStream(second)).toHaveLength(1);
      });

      it('an unknown stream reads as empty and an unknown key as undefined', async () => {
        expect(await store.readStream(randomUUID())).toEqual([]);
        expect(
          await store.findIdempotencyRecord({ caller: '', key: `missing-${randomUUID()}` }),
        ).toBeUndefined();
      });
    },
  );
}
