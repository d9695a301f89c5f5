import { mulberry32 } from '../split/seeded-random.js';

/**
 * A uniform sample of `size` items from a stream of unknown length in one pass (Vitter's Algorithm R): the
 * i-th item (0-based) replaces a random slot with probability size/(i+1). Same seed, same stream → same
 * sample. `items()` gives the sample in stream order.
 */
export class ReservoirSample<T> {
  private readonly slots: { position: number; item: T }[] = [];
  private readonly random: () => number;
  seen = 0;

  constructor(
    private readonly size: number,
    seed: number,
  ) {
    // Two 32-bit draws make one 53-bit fraction: with one draw, slots of a 185M-row stream would differ in
    // probability by up to 4% (2^32 values over 185M positions).
    const draw = mulberry32(seed);
    this.random = () => (Math.floor(draw() * 2 ** 21) * 2 ** 32 + Math.floor(draw() * 2 ** 32)) / 2 ** 53;
  }

  offer(item: T): void {
    const position = this.seen++;
    if (this.slots.length < this.size) {
      this.slots.push({ position, item });
      return;
    }
    const slot = Math.floor(this.random() * (position + 1));
    if (slot < this.size) this.slots[slot] = { position, item };
  }

  items(): T[] {
    return [...this.slots].sort((left, right) => left.position - right.position).map((slot) => slot.item);
  }
}
