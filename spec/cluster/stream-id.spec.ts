import fc from 'fast-check';
import { compareStreamIds, STREAM_START } from '../../src/cluster/stream-id';

describe('compareStreamIds', () => {
  it('orders the millisecond part as a number, not as a string', () => {
    // As strings "999-0" > "1000-0"; a node that compared them so would think it had already read
    // every entry of the next thousand milliseconds.
    expect('999-0' > '1000-0').toBe(true);
    expect(compareStreamIds('999-0', '1000-0')).toBe(-1);
    expect(compareStreamIds('1000-0', '999-0')).toBe(1);
    expect(compareStreamIds('9-5', '10-0')).toBe(-1);
  });

  it('orders by the sequence part, as a number, when the milliseconds are equal', () => {
    expect(compareStreamIds('1700000000000-1', '1700000000000-2')).toBe(-1);
    expect(compareStreamIds('1700000000000-9', '1700000000000-10')).toBe(-1);
    expect(compareStreamIds('1700000000000-10', '1700000000000-9')).toBe(1);
  });

  it('lets the milliseconds decide before the sequence', () => {
    expect(compareStreamIds('5-999', '6-0')).toBe(-1);
    expect(compareStreamIds('6-0', '5-999')).toBe(1);
  });

  it('says equal ids are equal', () => {
    expect(compareStreamIds('1700000000000-3', '1700000000000-3')).toBe(0);
    expect(compareStreamIds(STREAM_START, '0-0')).toBe(0);
  });

  it('reads a bare id as sequence 0, as Redis does', () => {
    expect(compareStreamIds('5', '5-0')).toBe(0);
    expect(compareStreamIds('5-0', '5')).toBe(0);
    expect(compareStreamIds('5', '5-1')).toBe(-1);
    expect(compareStreamIds('999', '1000-0')).toBe(-1);
    expect(compareStreamIds('1000', '999-7')).toBe(1);
  });

  it('puts the stream start before every other id', () => {
    expect(compareStreamIds(STREAM_START, '0-1')).toBe(-1);
    expect(compareStreamIds(STREAM_START, '1-0')).toBe(-1);
    expect(compareStreamIds('1-0', STREAM_START)).toBe(1);
  });

  it('agrees with comparing the (milliseconds, sequence) pairs as numbers, for any ids', () => {
    // Redis ids are unsigned 64-bit; millisecond clocks and per-millisecond counters stay far below 2^53.
    const part = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(part, part, part, part, (aMs, aSeq, bMs, bSeq) => {
        const expected = aMs !== bMs ? (aMs < bMs ? -1 : 1) : aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
        expect(compareStreamIds(`${aMs}-${aSeq}`, `${bMs}-${bSeq}`)).toBe(expected);
        expect(compareStreamIds(`${bMs}-${bSeq}`, `${aMs}-${aSeq}`)).toBe(-expected || 0);
      }),
    );
  });

  it('sorts a list of ids as Redis would', () => {
    const ids = ['1000-0', '999-12', '999-2', '10', '2-0', '0-1', '1000-1'];
    expect([...ids].sort(compareStreamIds)).toEqual(['0-1', '2-0', '10', '999-2', '999-12', '1000-0', '1000-1']);
  });
});
