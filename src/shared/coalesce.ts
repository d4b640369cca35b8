/**
 * Natural batching: requests that arrive while a batch is running wait for it, then go
 * together as the next batch. Under light load every request runs alone at once (no
 * added delay); under heavy load one round trip serves many. Used where a database
 * statement and its commit cost more than the rows they carry (spool rows, deliveries).
 *
 * A batch that fails as a whole is tried again item by item, so one bad item (or a
 * deadlock between two batches) fails only its own request.
 */
export class Coalescer<I, O> {
  private waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxBatch: number; parallel: number } = { maxBatch: 64, parallel: 1 },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.parallel && this.waiting.length) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Coalescer<I, O>['waiting']): Promise<void> {
    try {
      const out = await this.run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // one at a time: only the item that fails alone gets the error
      for (const b of batch) {
        try {
          b.resolve((await this.run([b.item]))[0]!);
        } catch (one) {
          b.reject(one);
        }
      }
    }
  }
}

/** One coalescer per owner (a process's delivery context or queue), made on first use. */
export function coalescerPer<K extends object, I, O>(make: (owner: K) => Coalescer<I, O>): (owner: K) => Coalescer<I, O> {
  const made = new WeakMap<K, Coalescer<I, O>>();
  return (owner) => {
    let coalescer = made.get(owner);
    if (!coalescer) made.set(owner, (coalescer = make(owner)));
    return coalescer;
  };
}
