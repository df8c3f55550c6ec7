import { userDecider, type UserState } from '../../../aggregates/users/decider.js';
import { fold } from '../../../lib/aggregate/decider.js';
import { isAppError } from '../../../lib/errors.js';

const now = new Date('2026-01-02T03:04:05.678Z');
const registered: UserState = { status: 'active', name: 'Ana', dateRegister: now.toISOString() };

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : 'not-an-app-error';
  }
  return undefined;
}

describe('user decider', () => {
  it('registering a new user records its name and the registration time given by the caller', () => {
    expect(
      userDecider.decide({ type: 'RegisterUser', name: 'Ana', now }, userDecider.initialState()),
    ).toEqual([{ type: 'UserRegistered', data: { name: 'Ana', dateRegister: '2026-01-02T03:04:05.678Z' } }]);
  });

  it('an existing user cannot be registered again', () => {
    expect(errorCode(() => userDecider.decide({ type: 'RegisterUser', name: 'X', now }, registered))).toBe(
      'USER_ALREADY_EXISTS',
    );
  });

  it('renaming an unknown user is USER_NOT_FOUND', () => {
    expect(errorCode(() => userDecider.decide({ type: 'RenameUser', name: 'B' }, { status: 'none' }))).toBe(
      'USER_NOT_FOUND',
    );
  });

  it('a deregistered user accepts no rename and no second deregistration', () => {
    const gone: UserState = { ...registered, status: 'deregistered' };
    expect(errorCode(() => userDecider.decide({ type: 'RenameUser', name: 'B' }, gone))).toBe(
      'USER_DEREGISTERED',
    );
    expect(errorCode(() => userDecider.decide({ type: 'DeregisterUser' }, gone))).toBe('USER_DEREGISTERED');
  });

  it('renaming to the current name decides no event', () => {
    expect(userDecider.decide({ type: 'RenameUser', name: 'Ana' }, registered)).toEqual([]);
  });

  it('folding register, rename, deregister gives a deregistered user with the last name', () => {
    const state = fold(userDecider, [
      { type: 'UserRegistered', data: { name: 'Ana', dateRegister: now.toISOString() } },
      { type: 'UserRenamed', data: { name: 'Bea' } },
      { type: 'UserDeregistered', data: {} },
    ]);
    expect(state).toEqual({ status: 'deregistered', name: 'Bea', dateRegister: now.toISOString() });
  });

  it('an active or a deregistered user can be erased; the erasure event carries no personal data', () => {
    expect(userDecider.decide({ type: 'EraseUser' }, registered)).toEqual([{ type: 'UserErased', data: {} }]);
    expect(userDecider.decide({ type: 'EraseUser' }, { ...registered, status: 'deregistered' })).toEqual([
      { type: 'UserErased', data: {} },
    ]);
  });

  it('erasing an unknown user is USER_NOT_FOUND; erasing an erased user again decides nothing', () => {
    expect(errorCode(() => userDecider.decide({ type: 'EraseUser' }, { status: 'none' }))).toBe(
      'USER_NOT_FOUND',
    );
    const erased: UserState = { status: 'erased', name: '', dateRegister: now.toISOString() };
    expect(userDecider.decide({ type: 'EraseUser' }, erased)).toEqual([]);
  });

  it('an erased user accepts no rename and no deregistration (USER_GONE) and folds to no name', () => {
    const state = fold(userDecider, [
      { type: 'UserRegistered', data: { name: 'Ana', dateRegister: now.toISOString() } },
      { type: 'UserErased', data: {} },
    ]);
    expect(state).toEqual({ status: 'erased', name: '', dateRegister: now.toISOString() });
    expect(errorCode(() => userDecider.decide({ type: 'RenameUser', name: 'B' }, state))).toBe('USER_GONE');
    expect(errorCode(() => userDecider.decide({ type: 'DeregisterUser' }, state))).toBe('USER_GONE');
  });
});
