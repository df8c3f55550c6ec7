interface Waiting<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Runs one `flush` at a time. Items submitted while a flush runs wait and go together in the
 * next one (up to `maxItems`, though a single larger submission still goes whole), so many
 * concurrent callers cost a few round trips instead of one each. An idle submission flushes
 * at once. Each submission settles with the flush that carried it.
 */
export class Coalescer<T> {
  private readonly queue: Waiting<T>[] = [];
  private running = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxItems = 500,
  ) {}

  submit(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const taken: Waiting<T>[] = [this.queue.shift()!];
        let count = taken[0]!.items.length;
        while (this.queue.length && count + this.queue[0]!.items.length <= this.maxItems) {
          const next = this.queue.shift()!;
          taken.push(next);
          count += next.items.length;
        }
        try {
          await this.flush(taken.flatMap((w) => w.items));
          for (const w of taken) w.resolve();
        } catch (error) {
          for (const w of taken) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
