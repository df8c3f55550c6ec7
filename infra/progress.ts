/** Progress lines for long operations: a step, then how it ended and how long it took. */

const started = Date.now();

function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7);
}

export const progress = {
  step(message: string): void {
    console.log(`${elapsed()}  … ${message}`);
  },
  ok(message: string): void {
    console.log(`${elapsed()}  ✔ ${message}`);
  },
  warn(message: string): void {
    console.log(`${elapsed()}  ! ${message}`);
  },
};

/** A failure the user can act on: the message says what is wrong and what to do next. */
export class InfraError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}
