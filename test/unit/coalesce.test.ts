import { Coalescer } from '../../lib/coalesce.js';

function deferred() {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

/** A coalescer whose first flush waits until `gate.release()`, recording every flush. */
function heldFirstFlush(maxItems?: number) {
  const flushes: number[][] = [];
  const gate = deferred();
  const c = new Coalescer<number>(async (items) => {
    flushes.push(items);
    if (flushes.length === 1) await gate.done;
  }, maxItems);
  return { c, flushes, gate };
}

describe('Coalescer', () => {
  it('flushes an idle submission at once, alone', async () => {
    const flushes: number[][] = [];
    const c = new Coalescer<number>(async (items) => void flushes.push(items));
    await c.submit([1, 2]);
    expect(flushes).toEqual([[1, 2]]);
  });

  it('sends what arrives during a flush together in the next one, in arrival order', async () => {
    const { c, flushes, gate } = heldFirstFlush();
    const first = c.submit([1]);
    const later = [c.submit([2]), c.submit([3, 4]), c.submit([5])];
    gate.release();
    await Promise.all([first, ...later]);
    expect(flushes).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('never puts more than maxItems in one flush, but sends a larger submission whole', async () => {
    const { c, flushes, gate } = heldFirstFlush(3);
    const all = [c.submit([0]), c.submit([1, 2]), c.submit([3, 4]), c.submit([5, 6, 7, 8])];
    gate.release();
    await Promise.all(all);
    expect(flushes).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
  });

  it('rejects every submission of a failed flush, and only those', async () => {
    const gate = deferred();
    let calls = 0;
    const c = new Coalescer<number>(async (items) => {
      calls++;
      if (calls === 1) await gate.done;
      if (items.includes(2)) throw new Error('broker down');
    });
    const first = c.submit([1]);
    const failing = [c.submit([2]), c.submit([3])];
    gate.release();
    await expect(first).resolves.toBeUndefined();
    await expect(failing[0]).rejects.toThrow('broker down');
    await expect(failing[1]).rejects.toThrow('broker down');
    await expect(c.submit([4])).resolves.toBeUndefined();
  });
});
