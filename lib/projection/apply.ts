import type { UserEvent } from '../domain/user/events.js';
import type { UserView } from '../readmodel/types.js';

export type Applied = { ok: true; view: UserView } | { ok: false; reason: string };

/**
 * The read model's reducer: the user row after `event` at `version`. Pure. An event that
 * cannot follow the row (a rename before registration, a second registration) is refused.
 */
export function applyUserEvent(
  streamId: string,
  current: UserView | undefined,
  event: UserEvent,
  version: number,
): Applied {
  if (event.type === 'UserRegistered') {
    if (current || version !== 1)
      return { ok: false, reason: `UserRegistered at version ${version} of an existing stream` };
    return {
      ok: true,
      view: {
        userId: streamId,
        name: event.data.name,
        dateRegister: event.data.dateRegister,
        version,
        status: 'active',
      },
    };
  }
  if (!current) return { ok: false, reason: `${event.type} at version ${version} before UserRegistered` };
  if (event.type === 'UserRenamed') return { ok: true, view: { ...current, name: event.data.name, version } };
  return { ok: true, view: { ...current, status: 'deregistered', version } };
}
