interface Entry {
  readonly bytes: Buffer;
  readonly droppable: boolean;
  dropped: boolean;
}

/**
 * The part of a connection's output that waits while its peer is slow. Bounded in bytes: when a new
 * entry would pass the bound, the oldest droppable entries (chat messages) are dropped to make room and
 * counted, so the peer can be told how many it missed. Notices, errors and its own replies are never
 * dropped; if they alone would pass the bound, `push` says so and the connection gives up on the peer.
 *
 * Entries are the shared, already-encoded Buffers of a broadcast, so queueing costs no copy. Dropping
 * is amortized O(1) per entry: a running count says whether dropping can make room, and a cursor that
 * only moves forward finds the oldest droppable entry (dropped entries are skipped by `shift`).
 */
export class SendQueue {
  private entries: Entry[] = [];
  /** Index of the first entry not yet shifted: shifting an array is O(n), so the head moves instead. */
  private head = 0;
  /** Entries before this index (and from `head`) are not droppable or already dropped. */
  private dropCursor = 0;
  private queuedBytes = 0;
  private droppableBytes = 0;
  /** Entries queued and neither shifted nor dropped. */
  private liveEntries = 0;
  /** Droppable entries dropped since the peer was last told. */
  private missed = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEmpty(): boolean {
    return this.liveEntries === 0;
  }

  /**
   * Queues `bytes` within `limit` bytes (the queue's bound unless the caller grants more); returns false
   * when the queue cannot stay within it even after dropping.
   */
  push(bytes: Buffer, droppable: boolean, limit = this.maxBytes): boolean {
    const excess = this.queuedBytes + bytes.length - limit;
    if (excess > 0) {
      // Dropping queued messages is only worth it if that makes room; if it cannot, the new entry is
      // the one that does not fit, and the queued messages stay.
      if (excess > this.droppableBytes) {
        if (droppable) {
          this.missed += 1;
          return true;
        }
        return false;
      }
      this.dropOldest(excess);
    }
    this.entries.push({ bytes, droppable, dropped: false });
    this.liveEntries += 1;
    this.queuedBytes += bytes.length;
    if (droppable) this.droppableBytes += bytes.length;
    return true;
  }

  /** Takes the count of messages dropped since the last call (0 when none were). */
  takeMissed(): number {
    const missed = this.missed;
    this.missed = 0;
    return missed;
  }

  /** Removes and returns the oldest entry that was not dropped. */
  shift(): Buffer | undefined {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head];
      this.entries[this.head++] = undefined as never;
      if (entry.dropped) continue;
      this.liveEntries -= 1;
      this.queuedBytes -= entry.bytes.length;
      if (entry.droppable) this.droppableBytes -= entry.bytes.length;
      if (this.head === this.entries.length) this.reset();
      return entry.bytes;
    }
    this.reset();
    return undefined;
  }

  private dropOldest(bytesNeeded: number): void {
    let freed = 0;
    this.dropCursor = Math.max(this.dropCursor, this.head);
    while (freed < bytesNeeded) {
      const entry = this.entries[this.dropCursor++];
      if (!entry.droppable || entry.dropped) continue;
      entry.dropped = true;
      this.liveEntries -= 1;
      freed += entry.bytes.length;
      this.missed += 1;
    }
    this.queuedBytes -= freed;
    this.droppableBytes -= freed;
  }

  private reset(): void {
    this.entries = [];
    this.head = 0;
    this.dropCursor = 0;
  }
}
