/**
 * Token counts are fractions, and refilling adds up rounding errors: after waiting exactly the time
 * `take` said, the count can be 0.9999999999. Counts this close to a whole token are a whole token,
 * or a client that honours the retry time would be refused again.
 */
const ROUNDING_SLACK = 1e-9;

/**
 * Flood control, and pacing to it: a token bucket. The server refuses frames past its bucket; the
 * client library paces what it sends with the same bucket, so a fast program waits instead of losing
 * lines. It holds up to `burst` tokens and gains `ratePerSecond` tokens per
 * second; each frame takes one. A short paste spends the burst; a steady flood runs dry and is refused.
 * Pure apart from the clock, which the caller passes in.
 */
export class TokenBucket {
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

  /** Takes a token if there is one; returns 0 on success, else the milliseconds until one is due. */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1 - ROUNDING_SLACK) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** True when the bucket has refilled completely: the sender has been quiet for a while. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst - ROUNDING_SLACK;
  }

  private refill(now: number): void {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedSeconds * this.ratePerSecond);
    this.updatedAt = now;
  }
}
