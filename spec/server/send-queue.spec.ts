import fc from 'fast-check';
import { SendQueue } from '../../src/server/send-queue';

/** A distinct entry of `size` bytes, labelled so a failing expectation shows which one it was. */
function entry(label: string, size: number): Buffer {
  return Buffer.from(label.padEnd(size, '.').slice(0, size));
}

function shiftAll(queue: SendQueue): string[] {
  const out: string[] = [];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) out.push(next.toString().replace(/\.+$/, ''));
  return out;
}

describe('SendQueue', () => {
  it('starts empty', () => {
    const queue = new SendQueue(100);
    expect(queue.isEmpty).toBe(true);
    expect(queue.bytes).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.takeMissed()).toBe(0);
  });

  it('gives entries back in the order they were pushed and counts their bytes', () => {
    const queue = new SendQueue(100);
    expect(queue.push(entry('a', 10), true)).toBe(true);
    expect(queue.push(entry('b', 20), false)).toBe(true);
    expect(queue.push(entry('c', 30), true)).toBe(true);
    expect(queue.bytes).toBe(60);
    expect(queue.isEmpty).toBe(false);
    expect(queue.shift()!.toString()).toBe(entry('a', 10).toString());
    expect(queue.bytes).toBe(50);
    expect(shiftAll(queue)).toEqual(['b', 'c']);
    expect(queue.bytes).toBe(0);
    expect(queue.isEmpty).toBe(true);
  });

  it('returns the very Buffer it was given (a broadcast is queued without copying)', () => {
    const queue = new SendQueue(100);
    const shared = entry('shared', 10);
    queue.push(shared, true);
    expect(queue.shift()).toBe(shared);
  });

  it('fills exactly up to its bound without dropping anything', () => {
    const queue = new SendQueue(100);
    for (let i = 0; i < 10; i++) queue.push(entry(`m${i}`, 10), true);
    expect(queue.bytes).toBe(100);
    expect(queue.takeMissed()).toBe(0);
    expect(shiftAll(queue)).toHaveLength(10);
  });

  it('drops the oldest droppable entries, only as many as needed, and counts them', () => {
    const queue = new SendQueue(100);
    for (let i = 0; i < 10; i++) queue.push(entry(`m${i}`, 10), true);
    expect(queue.push(entry('new', 25), true)).toBe(true);
    // 25 bytes more than fit needs three 10-byte entries gone: the three oldest.
    expect(queue.bytes).toBe(95);
    expect(queue.takeMissed()).toBe(3);
    expect(queue.takeMissed()).toBe(0);
    expect(shiftAll(queue)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'new']);
  });

  it('never drops a non-droppable entry, dropping younger droppable ones around it instead', () => {
    const queue = new SendQueue(100);
    queue.push(entry('notice1', 30), false);
    queue.push(entry('m1', 20), true);
    queue.push(entry('notice2', 30), false);
    queue.push(entry('m2', 20), true);
    expect(queue.push(entry('notice3', 30), false)).toBe(true);
    expect(queue.takeMissed()).toBe(2);
    expect(shiftAll(queue)).toEqual(['notice1', 'notice2', 'notice3']);
  });

  it('makes room for a non-droppable entry by dropping messages', () => {
    const queue = new SendQueue(50);
    queue.push(entry('m1', 20), true);
    queue.push(entry('m2', 20), true);
    expect(queue.push(entry('bye', 30), false)).toBe(true);
    expect(queue.takeMissed()).toBe(1);
    expect(shiftAll(queue)).toEqual(['m2', 'bye']);
  });

  it('reports false when non-droppable entries alone cannot fit, and queues nothing of that entry', () => {
    const queue = new SendQueue(100);
    queue.push(entry('notice1', 60), false);
    queue.push(entry('m1', 20), true);
    expect(queue.push(entry('notice2', 50), false)).toBe(false);
    expect(queue.bytes).toBeLessThanOrEqual(100);
    const left = shiftAll(queue);
    expect(left).not.toContain('notice2');
    expect(left[0]).toBe('notice1');
  });

  it('drops a new message that cannot fit beside the non-droppable entries, and counts it', () => {
    const queue = new SendQueue(100);
    queue.push(entry('notice', 90), false);
    expect(queue.push(entry('m1', 20), true)).toBe(true);
    expect(queue.takeMissed()).toBe(1);
    expect(shiftAll(queue)).toEqual(['notice']);
  });

  it('does not drop queued messages when dropping them could not make room anyway', () => {
    const queue = new SendQueue(100);
    queue.push(entry('m1', 10), true);
    queue.push(entry('notice', 80), false);
    // Even without m1 the new 25 bytes do not fit beside the notice: only the new message is lost.
    expect(queue.push(entry('m2', 25), true)).toBe(true);
    expect(queue.takeMissed()).toBe(1);
    expect(shiftAll(queue)).toEqual(['m1', 'notice']);
  });

  describe('an entry larger than the bound', () => {
    it('is dropped and counted if droppable, leaving what was queued alone', () => {
      const queue = new SendQueue(100);
      queue.push(entry('m1', 40), true);
      expect(queue.push(entry('huge', 101), true)).toBe(true);
      expect(queue.takeMissed()).toBe(1);
      expect(queue.bytes).toBe(40);
      expect(shiftAll(queue)).toEqual(['m1']);
    });

    it('is refused if not droppable, even into an empty queue', () => {
      const queue = new SendQueue(100);
      expect(queue.push(entry('huge', 101), false)).toBe(false);
      expect(queue.isEmpty).toBe(true);
      expect(queue.bytes).toBe(0);
    });
  });

  it('keeps working after it has been emptied and refilled many times', () => {
    const queue = new SendQueue(30);
    const out: string[] = [];
    for (let i = 0; i < 1000; i++) {
      queue.push(entry(`m${i}`, 10), true);
      if (i % 3 === 2) out.push(...shiftAll(queue));
    }
    out.push(...shiftAll(queue));
    expect(queue.takeMissed()).toBe(0);
    expect(out).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
  });

  describe('properties', () => {
    type Op = { kind: 'push'; size: number; droppable: boolean } | { kind: 'shift' } | { kind: 'takeMissed' };

    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('push' as const), size: fc.integer({ min: 0, max: 70 }), droppable: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('push' as const), size: fc.integer({ min: 0, max: 70 }), droppable: fc.constant(false) }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'shift' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'takeMissed' as const }) },
    );

    it('stays within its bound, keeps order, never loses a non-droppable entry, and accounts for every message exactly once', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 200 }), fc.array(op, { maxLength: 200 }), (bound, ops) => {
          const queue = new SendQueue(bound);
          /** What each pushed Buffer was, by identity. */
          const pushed = new Map<Buffer, { seq: number; droppable: boolean }>();
          const accepted = new Set<Buffer>();
          const shifted = new Set<Buffer>();
          let pushedDroppable = 0;
          let shiftedDroppable = 0;
          let missed = 0;
          let lastShiftedSeq = -1;

          const shiftOne = () => {
            const next = queue.shift();
            if (next === undefined) return false;
            const info = pushed.get(next);
            expect(info).toBeDefined();
            expect(shifted.has(next)).toBe(false);
            expect(info!.seq).toBeGreaterThan(lastShiftedSeq);
            lastShiftedSeq = info!.seq;
            shifted.add(next);
            if (info!.droppable) shiftedDroppable += 1;
            return true;
          };

          ops.forEach((step, seq) => {
            if (step.kind === 'push') {
              const bytes = Buffer.alloc(step.size, seq % 256);
              pushed.set(bytes, { seq, droppable: step.droppable });
              const before = queue.bytes;
              // Collected first, so that what this push drops can be told apart.
              missed += queue.takeMissed();
              const ok = queue.push(bytes, step.droppable);
              if (step.droppable) {
                pushedDroppable += 1;
                // A message is never refused: it is queued or counted as missed.
                expect(ok).toBe(true);
              }
              if (ok && !step.droppable) accepted.add(bytes);
              // Nothing is dropped when the entry fits as things are.
              if (before + step.size <= bound) {
                expect(ok).toBe(true);
                expect(queue.bytes).toBe(before + step.size);
                expect(queue.takeMissed()).toBe(0);
              }
            } else if (step.kind === 'shift') {
              shiftOne();
            } else {
              missed += queue.takeMissed();
            }
            expect(queue.bytes).toBeGreaterThanOrEqual(0);
            expect(queue.bytes).toBeLessThanOrEqual(bound);
          });

          while (shiftOne());
          missed += queue.takeMissed();
          expect(queue.bytes).toBe(0);
          expect(queue.isEmpty).toBe(true);
          // Every message pushed came out once or was counted missed once.
          expect(shiftedDroppable + missed).toBe(pushedDroppable);
          // Every non-droppable entry the queue accepted came out.
          for (const bytes of accepted) expect(shifted.has(bytes)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });
  });
});
