import { conflictBackoffMs } from '../../../lib/commands/execute.js';

describe('pause between retries after a version conflict', () => {
  it('is a random share of a ceiling that doubles from 10 ms', () => {
    expect([0, 1, 2, 3].map((attempt) => conflictBackoffMs(attempt, () => 1))).toEqual([10, 20, 40, 80]);
    expect(conflictBackoffMs(3, () => 0.5)).toBe(40);
    expect(conflictBackoffMs(2, () => 0)).toBe(0);
  });

  it('never exceeds 160 ms, however many attempts', () => {
    expect(conflictBackoffMs(4, () => 1)).toBe(160);
    expect(conflictBackoffMs(50, () => 0.999)).toBeLessThan(160);
  });
});
