/**
 * A pure decider: what a command means given the current state, and how an event changes it.
 * No I/O: time, ids and lookups arrive inside the command.
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The state after `events`, starting from the decider's initial state. */
export function fold<C, S, E>(decider: Decider<C, S, E>, events: Iterable<E>): S {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
