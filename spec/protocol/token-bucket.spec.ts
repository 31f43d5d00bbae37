import fc from 'fast-check';
import { TokenBucket } from '../../src/protocol/token-bucket';

/** An arbitrary start time: the bucket must only care about differences between clock readings. */
const T0 = 1_700_000_000_000;

/** Takes tokens at `now` until one is refused; returns how many were granted. */
function drain(bucket: TokenBucket, now: number): number {
  let granted = 0;
  while (bucket.take(now) === 0) {
    granted += 1;
    if (granted > 1_000_000) throw new Error('the bucket never ran dry');
  }
  return granted;
}

describe('TokenBucket', () => {
  it('starts full: a burst passes at once, and the next frame is refused', () => {
    const bucket = new TokenBucket(5, 10, T0);
    expect(bucket.isFull(T0)).toBe(true);
    for (let i = 0; i < 10; i++) expect(bucket.take(T0)).toBe(0);
    expect(bucket.take(T0)).toBeGreaterThan(0);
    expect(bucket.isFull(T0)).toBe(false);
  });

  it('refills at the given rate: one token per 1/rate seconds', () => {
    const bucket = new TokenBucket(5, 10, T0);
    drain(bucket, T0);
    // 5 per second = one every 200 ms.
    expect(bucket.take(T0 + 199)).toBeGreaterThan(0);
    expect(bucket.take(T0 + 200)).toBe(0);
    expect(bucket.take(T0 + 200)).toBeGreaterThan(0);
    // A second later, five more.
    expect(drain(bucket, T0 + 1200)).toBe(5);
  });

  it('never holds more than the burst, however long it was left alone', () => {
    const bucket = new TokenBucket(5, 10, T0);
    drain(bucket, T0);
    expect(drain(bucket, T0 + 3_600_000)).toBe(10);
  });

  it('says how long to wait for the next token, rounded up to whole milliseconds', () => {
    const bucket = new TokenBucket(5, 10, T0);
    drain(bucket, T0);
    expect(bucket.take(T0)).toBe(200);
    expect(bucket.take(T0 + 50)).toBe(150);
    // A refused frame takes nothing: the wait keeps shrinking as time passes.
    expect(bucket.take(T0 + 150)).toBe(50);
    expect(bucket.take(T0 + 199.5)).toBe(1);
    // 3 per second: a token every 333.33 ms, so the wait is rounded up to 334, not down.
    const slow = new TokenBucket(3, 1, T0);
    expect(slow.take(T0)).toBe(0);
    expect(slow.take(T0)).toBe(334);
  });

  it('keeps its word: a frame sent exactly when the retry time says is accepted, despite rounding', () => {
    // Found by the property below: 0.0034 + 9.966 × 0.1 adds up to 0.99999999999 in floating point.
    const bucket = new TokenBucket(0.1, 1, T0);
    expect(bucket.take(T0)).toBe(0);
    const wait = bucket.take(T0 + 34);
    expect(wait).toBe(9966);
    expect(bucket.take(T0 + 34 + wait)).toBe(0);
    // The same goes for being full again after the time a whole burst takes to come back.
    const full = new TokenBucket(0.1, 1, T0);
    full.take(T0);
    full.take(T0 + 34);
    expect(full.isFull(T0 + 34 + 9966)).toBe(true);
  });

  it('supports fractional rates', () => {
    const bucket = new TokenBucket(0.5, 1, T0);
    expect(bucket.take(T0)).toBe(0);
    expect(bucket.take(T0 + 1000)).toBe(1000);
    expect(bucket.take(T0 + 2000)).toBe(0);
  });

  it('is full again only once the sender has been quiet long enough to earn back the whole burst', () => {
    const bucket = new TokenBucket(5, 10, T0);
    bucket.take(T0);
    bucket.take(T0);
    expect(bucket.isFull(T0)).toBe(false);
    expect(bucket.isFull(T0 + 399)).toBe(false);
    expect(bucket.isFull(T0 + 400)).toBe(true);
    drain(bucket, T0 + 400);
    expect(bucket.isFull(T0 + 400 + 1999)).toBe(false);
    expect(bucket.isFull(T0 + 400 + 2000)).toBe(true);
  });

  it('does not grant tokens when the clock goes backwards', () => {
    const bucket = new TokenBucket(5, 10, T0);
    drain(bucket, T0);
    expect(bucket.take(T0 - 60_000)).toBeGreaterThan(0);
    expect(bucket.isFull(T0 - 60_000)).toBe(false);
  });

  it('never grants more than burst + rate × elapsed time, and always a positive wait when it refuses', () => {
    fc.assert(
      fc.property(
        // Rates from 0.1 to 50 per second, fractional ones included.
        fc.integer({ min: 1, max: 500 }).map((tenths) => tenths / 10),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 200 }),
        (rate, burst, steps) => {
          const bucket = new TokenBucket(rate, burst, T0);
          let now = T0;
          let granted = 0;
          for (const step of steps) {
            now += step;
            const wait = bucket.take(now);
            if (wait === 0) granted += 1;
            else expect(wait).toBeGreaterThan(0);
            // A refusal's wait is honest: asking again after it has passed succeeds.
            if (wait > 0) {
              expect(bucket.take(now + wait)).toBe(0);
              granted += 1;
              now += wait;
            }
          }
          expect(granted).toBeLessThanOrEqual(burst + (rate * (now - T0)) / 1000 + 1e-9);
        },
      ),
      { numRuns: 500 },
    );
  });
});
