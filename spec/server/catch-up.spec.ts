import { CatchUp } from '../../src/server/catch-up';

describe('CatchUp: keeping up, catching up, slow', () => {
  it('keeps up until the socket refuses output, then is catching up', () => {
    const reader = new CatchUp(250);
    expect(reader.catchingUp).toBe(false);
    expect(reader.behindSince).toBeNull();
    expect(reader.fellBehind(1000)).toBe(true);
    expect(reader.catchingUp).toBe(true);
    expect(reader.behindSince).toBe(1000);
  });

  it('stays catching up for as long as it keeps reading, however long it has been behind', () => {
    const reader = new CatchUp(250);
    reader.fellBehind(0);
    for (let now = 200; now <= 2000; now += 200) {
      reader.progressed(now);
      expect(reader.stalled(now + 200)).toBe(false);
    }
    expect(reader.catchingUp).toBe(true);
  });

  it('turns slow once it has read nothing for the whole window, and says so once', () => {
    const reader = new CatchUp(250);
    reader.fellBehind(0);
    reader.progressed(100);
    expect(reader.stalled(350)).toBe(false);
    expect(reader.msUntilStalled(350)).toBe(1);
    expect(reader.stalled(351)).toBe(true);
    expect(reader.catchingUp).toBe(false);
    expect(reader.stalled(1000)).toBe(false);
    // Still behind: the slow-timeout counts from when it fell behind.
    expect(reader.behindSince).toBe(0);
  });

  it('keeps up again once everything waiting is written, and gets a new window next time', () => {
    const reader = new CatchUp(250);
    reader.fellBehind(0);
    reader.stalled(1000);
    reader.caughtUp();
    expect(reader.behindSince).toBeNull();
    expect(reader.fellBehind(2000)).toBe(true);
    expect(reader.catchingUp).toBe(true);
  });

  it('with a window of 0 is slow at once and never catches up (input is never held for it)', () => {
    const reader = new CatchUp(0);
    expect(reader.fellBehind(0)).toBe(false);
    expect(reader.catchingUp).toBe(false);
    expect(reader.behindSince).toBe(0);
  });
});
