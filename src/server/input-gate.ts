/** Input that was held back and can be handed on again. */
export interface HeldInput {
  /** The gate opened: go on handling held input for as long as it stays open. */
  resumeInput(): void;
}

/**
 * Server-wide backpressure for bursts. While any reader is catching up (its socket refused more output
 * a moment ago), no client's input is handled: frames that arrive are held, in order, by their
 * connection, which pauses its socket, so TCP slows the senders down instead of the server piling up
 * output. When no reader is catching up any more, held input is handed on in the order it was held.
 *
 * A reader only holds the gate for a short while (the connection's catch-up window): one still behind
 * after it is slow, drops its oldest messages instead, and no longer holds anyone back. So a burst
 * loses nothing, and a stalled client delays the others by at most one catch-up window.
 */
export class InputGate {
  private readonly catchingUp = new Set<object>();
  private held = new Set<HeldInput>();

  get isOpen(): boolean {
    return this.catchingUp.size === 0;
  }

  /** `reader` is behind: hold all input until it has caught up (or gives up, by `release`). */
  hold(reader: object): void {
    this.catchingUp.add(reader);
  }

  /** `reader` caught up, became slow, or closed: it no longer holds input back. */
  release(reader: object): void {
    if (!this.catchingUp.delete(reader) || !this.isOpen) return;
    const waiting = this.held;
    this.held = new Set();
    for (const input of waiting) {
      // Handing on held input may make a reader fall behind again: the rest then keeps waiting.
      if (this.isOpen) input.resumeInput();
      else this.held.add(input);
    }
  }

  /** `input` has something held: resume it when the gate opens. */
  wait(input: HeldInput): void {
    this.held.add(input);
  }

  /** Input that went away is not resumed. */
  forget(input: HeldInput): void {
    this.held.delete(input);
  }
}
