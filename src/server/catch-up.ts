/**
 * Where a reader stands with its output: keeping up, catching up, or slow. Pure: the caller passes the
 * clock. A reader falls behind when its socket refuses more output; it is *catching up* for as long
 * as it keeps reading (each drain is progress), and *slow* once it has read nothing for `windowMs`,
 * however long it has been behind. It keeps up again once everything waiting for it is written.
 */
export class CatchUp {
  /** When the reader fell behind; null while it keeps up. */
  private behind: number | null = null;
  private lastProgressAt = 0;
  private slow = false;

  constructor(private readonly windowMs: number) {}

  /** When the reader fell behind, or null while it keeps up. */
  get behindSince(): number | null {
    return this.behind;
  }

  /** Behind but still reading: the state in which a reader may hold back input during a burst. */
  get catchingUp(): boolean {
    return this.behind !== null && !this.slow;
  }

  /** The socket refused more output. Returns whether the reader is now catching up (a window of 0 means never). */
  fellBehind(now: number): boolean {
    this.behind = this.lastProgressAt = now;
    this.slow = this.windowMs === 0;
    return this.catchingUp;
  }

  /** The reader read some of what was waiting for it. */
  progressed(now: number): void {
    this.lastProgressAt = now;
  }

  /** Everything waiting has been written. */
  caughtUp(): void {
    this.behind = null;
    this.slow = false;
  }

  /** Returns true if the reader has just turned slow: it read nothing for the whole window. */
  stalled(now: number): boolean {
    if (!this.catchingUp || now - this.lastProgressAt <= this.windowMs) return false;
    this.slow = true;
    return true;
  }

  /** Milliseconds from `now` until the reader would turn slow if it reads nothing meanwhile. */
  msUntilStalled(now: number): number {
    return Math.max(0, this.lastProgressAt + this.windowMs + 1 - now);
  }
}
