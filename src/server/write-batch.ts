/** Something whose writes can be held back and flushed together. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Batches each event-loop turn's writes, server-wide: the first write of a turn to a socket corks it,
 * and one `nextTick` at the end of the turn uncorks every socket written to. A broadcast therefore
 * leaves each socket in one system call however many events it carried, and costs one scheduled
 * callback per turn rather than one per socket.
 */
export class WriteBatch {
  private corked: Corkable[] = [];
  private scheduled = false;

  /** Corks `target` for the rest of this turn, unless it already is. */
  add(target: Corkable): void {
    target.cork();
    this.corked.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const corked = this.corked;
    this.corked = [];
    for (const target of corked) target.uncork();
  };
}
