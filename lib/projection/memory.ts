import type { ReadView } from '../aggregate/definition.js';
import type { Registry } from '../aggregate/registry.js';
import type { Envelope } from '../bus/envelope.js';
import {
  decodeBatch,
  envelopesOf,
  planBatch,
  streamsWithSealedData,
  viewKey,
  type BatchPlan,
} from './plan.js';
import { InMemoryDataKeyStore } from '../personal-data/key-store.js';
import { MasterKeyWrapper } from '../personal-data/key-wrapping.js';
import { Keyring } from '../personal-data/keyring.js';
import type { DeadLetter, IncomingRecord } from './records.js';
import type { ProjectionStore } from './store.js';

/** In-memory twin of the read model, for unit tests: same plan, applied to maps. */
export class InMemoryProjectionStore implements ProjectionStore {
  /** Rows by viewKey(aggregate name, stream id). */
  private readonly rows = new Map<string, ReadView>();
  readonly parked = new Map<string, Envelope[]>();
  readonly deadLetters: DeadLetter[] = [];

  /** Without a keyring of its own, no key is known: sealed fields read as erased. */
  constructor(
    private readonly registry: Registry,
    private readonly keyring = new Keyring(
      new InMemoryDataKeyStore(),
      new MasterKeyWrapper(Buffer.alloc(32)),
    ),
  ) {}

  /** The aggregate's row of a stream, as the MariaDB store's table would hold it. */
  view(aggregate: string, streamId: string): ReadView | undefined {
    const row = this.rows.get(viewKey(aggregate, streamId));
    return row && structuredClone(row);
  }

  async projectBatch(records: IncomingRecord[]): Promise<BatchPlan> {
    const batch = decodeBatch(records);
    const keys = await this.keyring.keysFor(
      streamsWithSealedData([...envelopesOf(batch), ...[...this.parked.values()].flat()]),
    );
    const plan = planBatch(
      batch,
      { views: new Map(this.rows), parked: new Map([...this.parked].map(([k, v]) => [k, [...v]])), keys },
      this.registry,
    );
    for (const { aggregate, streamId, view } of plan.upserts) {
      this.rows.set(viewKey(aggregate.name, streamId), structuredClone(view));
    }
    for (const envelope of plan.park) {
      const list = this.parked.get(envelope.streamId) ?? [];
      if (!list.some((e) => e.version === envelope.version)) list.push(envelope);
      this.parked.set(envelope.streamId, list);
    }
    for (const { streamId, version } of plan.unpark) {
      const rest = (this.parked.get(streamId) ?? []).filter((e) => e.version !== version);
      if (rest.length) this.parked.set(streamId, rest);
      else this.parked.delete(streamId);
    }
    for (const letter of plan.deadLetters) {
      const { topic, partition, offset } = letter.record;
      const seen = this.deadLetters.some(
        (d) => d.record.topic === topic && d.record.partition === partition && d.record.offset === offset,
      );
      if (!seen) this.deadLetters.push(letter);
    }
    return plan;
  }
}
