import { MariaDbEventStore } from '../../lib/eventstore/mariadb.js';
import { eventStoreContract } from '../conformance/event-store.js';
import { rolePool } from '../support/env.js';

const pool = rolePool('command');

eventStoreContract(
  'MariaDB',
  (options) => new MariaDbEventStore(pool, undefined, options),
  () => pool.end(),
);
