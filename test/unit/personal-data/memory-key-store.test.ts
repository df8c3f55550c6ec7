import { InMemoryDataKeyStore } from '../../../lib/personal-data/key-store.js';
import { dataKeyStoreContract } from '../../conformance/data-key-store.js';

dataKeyStoreContract('in-memory twin', () => new InMemoryDataKeyStore());
