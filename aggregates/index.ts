/**
 * The registry: every aggregate this service runs. The functions, the infrastructure and the
 * scripts take it from here; add a new aggregate's definition to the list
 * (docs/adding-an-aggregate.md).
 */
import { buildRegistry } from '../lib/aggregate/registry.js';
import { users } from './users/index.js';

export const registry = buildRegistry([users]);
