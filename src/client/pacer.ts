/**
 * A token bucket for what the client sends: up to `burst` frames at once, then `ratePerSecond`.
 * The server keeps its own bucket and refuses frames past it; pacing here means a fast program waits
 * instead of losing lines. Pure apart from the clock, which the caller passes in.
 */
export class Pacer {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes a token if there is one and returns 0; otherwise returns the milliseconds until one is due. */
  take(now: number): number {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSeconds * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}
