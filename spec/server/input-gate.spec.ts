import { HeldInput, InputGate } from '../../src/server/input-gate';

/** A held input that records when it is resumed, and may make a reader fall behind again as it goes on. */
function heldInput(name: string, log: string[], onResume?: () => void): HeldInput {
  return {
    resumeInput() {
      log.push(name);
      onResume?.();
    },
  };
}

describe('InputGate', () => {
  it('stays open for a reader behind on its own: a slow reader holds nobody up', () => {
    const gate = new InputGate(0.25, () => 10);
    gate.hold('slow reader');
    expect(gate.isOpen).toBe(true);
  });

  it('shuts when a share of the connections (and at least two) are catching up: a burst', () => {
    const gate = new InputGate(0.25, () => 10);
    gate.hold('a');
    gate.hold('b');
    expect(gate.isOpen).toBe(true);
    gate.hold('c');
    expect(gate.isOpen).toBe(false);

    const small = new InputGate(0.25, () => 2);
    small.hold('a');
    expect(small.isOpen).toBe(true);
    small.hold('b');
    expect(small.isOpen).toBe(false);
  });

  it('hands held input on, oldest holder first, once enough readers caught up', () => {
    const gate = new InputGate(0.5, () => 4);
    const log: string[] = [];
    gate.hold('a');
    gate.hold('b');
    gate.wait(heldInput('first', log));
    gate.wait(heldInput('second', log));
    gate.release('a');
    expect(log).toEqual(['first', 'second']);
  });

  it('keeps the rest waiting when handing on input makes readers fall behind again', () => {
    const gate = new InputGate(0.5, () => 4);
    const log: string[] = [];
    gate.hold('a');
    gate.hold('b');
    const second = heldInput('second', log);
    gate.wait(heldInput('first', log, () => gate.hold('b')));
    gate.wait(second);
    gate.release('b');
    expect(log).toEqual(['first']);
    gate.release('b');
    expect(log).toEqual(['first', 'second']);
  });

  it('does not resume input that went away, and ignores releases of readers it never held', () => {
    const gate = new InputGate(0.5, () => 4);
    const log: string[] = [];
    gate.hold('a');
    gate.hold('b');
    const gone = heldInput('gone', log);
    gate.wait(gone);
    gate.forget(gone);
    gate.release('stranger');
    expect(gate.isOpen).toBe(false);
    gate.release('a');
    expect(log).toEqual([]);
  });
});
