import fc from 'fast-check';
import { describeConnId, firstConnId, MAX_NODE_NUMBER, nodeOf } from '../../src/cluster/node-ids';

const CONNECTIONS_PER_NODE = 2 ** 32;

describe('connection ids', () => {
  it('numbers a single process (node 0) 1, 2, 3, as before clusters existed', () => {
    const first = firstConnId(0);
    expect([first, first + 1, first + 2]).toEqual([1, 2, 3]);
    expect([1, 2, 3].map(nodeOf)).toEqual([0, 0, 0]);
    expect([1, 2, 3].map(describeConnId)).toEqual(['#1', '#2', '#3']);
  });

  it('gives each node its own range, starting at local number 1', () => {
    expect(firstConnId(1)).toBe(CONNECTIONS_PER_NODE + 1);
    expect(nodeOf(firstConnId(1))).toBe(1);
    expect(describeConnId(firstConnId(3))).toBe('#3.1');
    expect(describeConnId(firstConnId(3) + 6)).toBe('#3.7');
  });

  it('keeps the last id of a node on that node, and the next node`s ids off it', () => {
    // Local number 0 is never handed out, so a node's last id is two below the next node's first.
    const lastOfNode2 = firstConnId(3) - 2;
    expect(nodeOf(lastOfNode2)).toBe(2);
    expect(describeConnId(lastOfNode2)).toBe(`#2.${CONNECTIONS_PER_NODE - 1}`);
    expect(nodeOf(firstConnId(3))).toBe(3);
    expect(nodeOf(firstConnId(3) - 1)).toBe(3);
  });

  it('round-trips node and local number for any node and connection', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_NODE_NUMBER - 1 }), fc.integer({ min: 0, max: CONNECTIONS_PER_NODE - 2 }), (node, offset) => {
        const id = firstConnId(node) + offset;
        expect(Number.isSafeInteger(id)).toBe(true);
        expect(nodeOf(id)).toBe(node);
        expect(describeConnId(id)).toBe(node === 0 ? `#${offset + 1}` : `#${node}.${offset + 1}`);
      }),
    );
  });

  it('never gives two nodes the same id', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_NODE_NUMBER - 1 }),
        fc.integer({ min: 0, max: MAX_NODE_NUMBER - 1 }),
        fc.integer({ min: 0, max: CONNECTIONS_PER_NODE - 2 }),
        fc.integer({ min: 0, max: CONNECTIONS_PER_NODE - 2 }),
        (a, b, i, j) => {
          fc.pre(a !== b);
          expect(firstConnId(a) + i).not.toBe(firstConnId(b) + j);
        },
      ),
    );
  });

  it('stays a safe integer, exactly, at the highest node number', () => {
    const node = MAX_NODE_NUMBER - 1;
    const first = firstConnId(node);
    const last = first + CONNECTIONS_PER_NODE - 2;
    for (const id of [first, first + 1, last]) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(nodeOf(id)).toBe(node);
    }
    // Adjacent ids stay distinct: no precision is lost at the top of the range.
    expect(last - 1).not.toBe(last);
    expect(describeConnId(last)).toBe(`#${node}.${CONNECTIONS_PER_NODE - 1}`);
    expect(describeConnId(first)).toBe(`#${node}.1`);
  });
});
