/**
 * A made-up but realistic history of users for the scale benchmark: streams are registered, renamed
 * zero to three times (about 1.7 times on average) and about one in seven deregistered, so a
 * million events are about 350k registrations, 600k renames and 50k deregistrations. Generated
 * in blocks of streams, each stream complete within its block and the block's events interleaved
 * by version (all registrations, then the first renames, …), as users arrive and come back.
 * Names come from a small vocabulary, so a name prefix matches thousands of users, as in life.
 * Seeded, so every run loads the same shape (ids and keys are random).
 */
import { randomUUID } from 'node:crypto';

const FIRST_NAMES = [
  'Ada', 'Alan', 'Alice', 'Amara', 'Anna', 'Bruno', 'Carla', 'Chen', 'Dario', 'Elena',
  'Emma', 'Farid', 'Grace', 'Hugo', 'Ines', 'Ivan', 'Jana', 'Jonas', 'Kaito', 'Lena',
  'Liam', 'Lucia', 'Marco', 'Maria', 'Marta', 'Nadia', 'Noah', 'Olga', 'Omar', 'Paula',
  'Pedro', 'Priya', 'Rosa', 'Sami', 'Sara', 'Tomas', 'Uma', 'Victor', 'Wen', 'Zoe',
]; // prettier-ignore
const SURNAMES = [
  'Almeida', 'Bauer', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Lopez', 'Martin', 'Nakamura', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Silva',
  'Tanaka', 'Urban', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Moreau', 'Horvat', 'Lindqvist',
]; // prettier-ignore

/** The name prefixes list queries use: a first name's first three letters. */
export const NAME_PREFIXES = [...new Set(FIRST_NAMES.map((n) => n.slice(0, 3)))];

/** Chances of 0, 1, 2 and 3 renames per stream (0.1, 0.3, 0.39, 0.21): mean 1.71, i.e. 600k renames for 350k streams. */
const RENAMES_CUMULATIVE = [0.1, 0.4, 0.79, 1];
const DEREGISTERED_SHARE = 1 / 7;
const STREAMS_PER_BLOCK = 2000;

export type UserEventType = 'UserRegistered' | 'UserRenamed' | 'UserDeregistered';

export interface HistoryEvent {
  streamId: string;
  version: number;
  type: UserEventType;
  /** The name this event sets (plain; the loader seals it); absent for a deregistration. */
  name?: string;
  occurredAt: string;
}

export interface UserState {
  userId: string;
  name: string;
  dateRegister: string;
  version: number;
  status: 'active' | 'deregistered';
}

export interface HistoryBlock {
  events: HistoryEvent[];
  /** Every stream of the block as it ends (the write and read models' row). */
  users: UserState[];
}

/** mulberry32: a small seeded generator, so the shape of the history is the same every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Blocks of history until `totalEvents` events are made (the last block is cut short there, so
 * its last streams may have fewer events than drawn). Events are 20 ms apart from `start`.
 */
export function* userHistory(
  totalEvents: number,
  seed = 1,
  start = Date.UTC(2025, 0, 1),
): Generator<HistoryBlock> {
  const random = seeded(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const name = () => `${pick(FIRST_NAMES)} ${pick(SURNAMES)}`;
  let made = 0;
  while (made < totalEvents) {
    const plans = Array.from({ length: STREAMS_PER_BLOCK }, () => {
      const draw = random();
      const renames = RENAMES_CUMULATIVE.findIndex((c) => draw < c);
      return { id: randomUUID(), renames, deregisters: random() < DEREGISTERED_SHARE };
    });
    const users = new Map<string, UserState>();
    const events: HistoryEvent[] = [];
    for (let version = 1; version <= 5 && made < totalEvents; version++) {
      for (const plan of plans) {
        if (made >= totalEvents) break;
        const last = 1 + plan.renames + (plan.deregisters ? 1 : 0);
        if (version > last) continue;
        const occurredAt = new Date(start + made * 20).toISOString();
        made++;
        if (version === 1) {
          const user: UserState = {
            userId: plan.id,
            name: name(),
            dateRegister: occurredAt,
            version: 1,
            status: 'active',
          };
          users.set(plan.id, user);
          events.push({ streamId: plan.id, version, type: 'UserRegistered', name: user.name, occurredAt });
          continue;
        }
        const user = users.get(plan.id)!;
        user.version = version;
        if (version === last && plan.deregisters) {
          user.status = 'deregistered';
          events.push({ streamId: plan.id, version, type: 'UserDeregistered', occurredAt });
        } else {
          user.name = name();
          events.push({ streamId: plan.id, version, type: 'UserRenamed', name: user.name, occurredAt });
        }
      }
    }
    yield { events, users: [...users.values()] };
  }
}
