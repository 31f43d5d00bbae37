/**
 * The part of a connection's output that waits while its peer is slow. Bounded in bytes: when a new
 * entry would pass the bound, the oldest droppable entries (chat messages) are dropped to make room and
 * counted, so the peer can be told how many it missed. Notices, errors and its own replies are never
 * dropped; if they alone would pass the bound, `push` says so and the connection gives up on the peer.
 *
 * Entries are the shared, already-encoded Buffers of a broadcast, so queueing costs no copy.
 */
export class SendQueue {
  private entries: Array<{ bytes: Buffer; droppable: boolean }> = [];
  /** Index of the first live entry: shifting an array is O(n), so the head moves instead. */
  private head = 0;
  private queuedBytes = 0;
  /** Droppable entries dropped since the peer was last told. */
  private missed = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  get isEmpty(): boolean {
    return this.head === this.entries.length;
  }

  /** Queues `bytes`; returns false when the queue cannot stay within its bound even after dropping. */
  push(bytes: Buffer, droppable: boolean): boolean {
    const excess = this.queuedBytes + bytes.length - this.maxBytes;
    if (excess > 0) {
      // Dropping queued messages is only worth it if that makes room; if it cannot, the new entry is
      // the one that does not fit, and the queued messages stay.
      if (excess > this.droppableBytes()) {
        if (droppable) {
          this.missed += 1;
          return true;
        }
        return false;
      }
      this.dropOldest(excess);
    }
    this.entries.push({ bytes, droppable });
    this.queuedBytes += bytes.length;
    return true;
  }

  /** Takes the count of messages dropped since the last call (0 when none were). */
  takeMissed(): number {
    const missed = this.missed;
    this.missed = 0;
    return missed;
  }

  /** Removes and returns the oldest entry. */
  shift(): Buffer | undefined {
    if (this.isEmpty) return undefined;
    const entry = this.entries[this.head];
    this.entries[this.head++] = undefined as never;
    this.queuedBytes -= entry.bytes.length;
    if (this.isEmpty) {
      this.entries = [];
      this.head = 0;
    }
    return entry.bytes;
  }

  private droppableBytes(): number {
    let total = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      if (this.entries[i].droppable) total += this.entries[i].bytes.length;
    }
    return total;
  }

  private dropOldest(bytesNeeded: number): void {
    let freed = 0;
    const kept: Array<{ bytes: Buffer; droppable: boolean }> = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i];
      if (freed < bytesNeeded && entry.droppable) {
        freed += entry.bytes.length;
        this.missed += 1;
      } else {
        kept.push(entry);
      }
    }
    this.entries = kept;
    this.head = 0;
    this.queuedBytes -= freed;
  }
}
