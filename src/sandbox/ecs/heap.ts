/** A binary min-heap of timed wake-ups: the scheduler pops only what is due. */
export class TimerHeap<T> {
  private items: Array<{ at: number; value: T }> = [];

  get size(): number {
    return this.items.length;
  }

  push(at: number, value: T): void {
    this.items.push({ at, value });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.items[parent]!.at <= this.items[i]!.at) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekAt(): number | undefined {
    return this.items[0]?.at;
  }

  /** Removes and returns the earliest item due at or before `now`. */
  popDue(now: number): T | undefined {
    const top = this.items[0];
    if (!top || top.at > now) return undefined;
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.sinkFromTop();
    }
    return top.value;
  }

  private sinkFromTop(): void {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.items.length && this.items[left]!.at < this.items[smallest]!.at) smallest = left;
      if (right < this.items.length && this.items[right]!.at < this.items[smallest]!.at) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const tmp = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = tmp;
  }
}
