/** The user aggregate's business rules: register, rename, deregister. */
import { AppError } from '../../lib/errors.js';
import type { Decider } from '../../lib/aggregate/decider.js';
import type { UserEvent } from './events.js';

export type UserCommand =
  | { type: 'RegisterUser'; name: string; now: Date }
  | { type: 'RenameUser'; name: string }
  | { type: 'DeregisterUser' }
  | { type: 'EraseUser' };

export type UserState =
  | { status: 'none' }
  | { status: 'active'; name: string; dateRegister: string }
  | { status: 'deregistered'; name: string; dateRegister: string }
  | { status: 'erased'; name: ''; dateRegister: string };

function requireActive(state: UserState): asserts state is Extract<UserState, { status: 'active' }> {
  if (state.status === 'none') throw new AppError('USER_NOT_FOUND', 'No user has this id.');
  if (state.status === 'deregistered') {
    throw new AppError('USER_DEREGISTERED', 'This user is deregistered; it accepts no more commands.');
  }
  if (state.status === 'erased') {
    throw new AppError('USER_GONE', "This user's personal data was erased; it accepts no more commands.");
  }
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterUser':
        if (state.status !== 'none') throw new AppError('USER_ALREADY_EXISTS', 'A user with this id exists.');
        return [
          { type: 'UserRegistered', data: { name: command.name, dateRegister: command.now.toISOString() } },
        ];
      case 'RenameUser':
        requireActive(state);
        return state.name === command.name ? [] : [{ type: 'UserRenamed', data: { name: command.name } }];
      case 'DeregisterUser':
        requireActive(state);
        return [{ type: 'UserDeregistered', data: {} }];
      case 'EraseUser':
        // Active or deregistered users can be erased; erasing an erased user again changes nothing.
        if (state.status === 'none') throw new AppError('USER_NOT_FOUND', 'No user has this id.');
        return state.status === 'erased' ? [] : [{ type: 'UserErased', data: {} }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'active', name: event.data.name, dateRegister: event.data.dateRegister };
      case 'UserRenamed':
        return state.status === 'active' || state.status === 'deregistered'
          ? { ...state, name: event.data.name }
          : state;
      case 'UserDeregistered':
        return state.status === 'active' ? { ...state, status: 'deregistered' } : state;
      case 'UserErased':
        return state.status === 'none'
          ? state
          : { status: 'erased', name: '', dateRegister: state.dateRegister };
    }
  },
};
