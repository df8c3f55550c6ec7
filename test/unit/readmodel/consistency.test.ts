/** A read that waits for a version costs a few queries, however long it waits. */
import { readAtLeast } from '../../../lib/readmodel/consistency.js';

function countingQueries(versionAfter: (reads: number) => number | undefined) {
  let reads = 0;
  const queries = async () => {
    reads++;
    const version = versionAfter(reads);
    return version === undefined ? undefined : { version };
  };
  return { queries, reads: () => reads };
}

const wait = { waitMs: 1000, firstPollMs: 20, maxPollMs: 250 };

describe('waiting for a version the read model has not reached', () => {
  it('a version that never comes costs at most ten queries over the whole wait', async () => {
    const { queries, reads } = countingQueries(() => 1);
    const started = Date.now();
    const result = await readAtLeast(queries, 99, wait);
    expect(result.caughtUp).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reads()).toBeLessThanOrEqual(10);
  });

  it('answers as soon as the version is there', async () => {
    const { queries, reads } = countingQueries((n) => (n >= 3 ? 2 : 1));
    const result = await readAtLeast(queries, 2, wait);
    expect(result).toMatchObject({ caughtUp: true, view: { version: 2 } });
    expect(reads()).toBe(3);
  });

  it('without a version to wait for, reads once', async () => {
    const { queries, reads } = countingQueries(() => undefined);
    expect(await readAtLeast(queries, undefined, wait)).toEqual({ view: undefined, caughtUp: true });
    expect(reads()).toBe(1);
  });
});
