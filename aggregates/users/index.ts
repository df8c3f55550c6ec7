/** The user aggregate: register, rename and deregister users; read one or a page of them. */
import type { AggregateDefinition } from '../../lib/aggregate/definition.js';
import { userDecider } from './decider.js';
import { userEvents } from './events.js';
import { userReadModel } from './read-model.js';
import { commandRoutes, queryRoutes } from './routes.js';
import { userData } from './write-model.js';

export const users: AggregateDefinition = {
  name: 'users',
  streamType: 'user',
  noun: 'user',
  decider: userDecider,
  events: userEvents,
  errors: {
    USER_NOT_FOUND: 404,
    USER_DEREGISTERED: 409,
    USER_GONE: 410,
    USER_ALREADY_EXISTS: 409,
  },
  writeModel: userData,
  erasure: 'UserErased',
  readModel: userReadModel,
  commands: commandRoutes,
  queries: queryRoutes,
  migrations: 'aggregates/users/migrations',
};
