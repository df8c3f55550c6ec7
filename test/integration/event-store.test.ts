import { MariaDbEventStore } from '../../lib/eventstore/mariadb.js';
import type { AppendRequest } from '../../lib/eventstore/types.js';
import { eventStoreContract } from '../conformance/event-store.js';
import { rolePool } from '../support/env.js';

const pool = rolePool('command');
// The contract appends without publishing: its outbox rows are cleared again afterwards, so the
// next relay on this stack does not publish test events to the topic.
const relayPool = rolePool('relay');
const streams = new Set<string>();

class StreamRecordingStore extends MariaDbEventStore {
  override append(request: AppendRequest) {
    streams.add(request.streamId);
    return super.append(request);
  }
}

eventStoreContract(
  'MariaDB',
  () => new StreamRecordingStore(pool),
  async () => {
    if (streams.size) await relayPool.query('DELETE FROM outbox WHERE stream_id IN (?)', [[...streams]]);
    await Promise.all([pool.end(), relayPool.end()]);
  },
);
