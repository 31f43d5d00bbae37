/** A burst needs at least this many readers behind at once: one reader behind alone is just slow. */
const MIN_READERS_TO_HOLD = 2;

/** Input that was held back and can be handed on again. */
export interface HeldInput {
  /** The gate opened: go on handling held input for as long as it stays open. */
  resumeInput(): void;
}

/**
 * Server-wide backpressure for bursts. A burst puts many readers behind at once; a slow reader is
 * behind on its own. So while a good share of the connections (`holdShare`, and at least two) are
 * catching up — their sockets refused more output a moment ago — no client's input is handled: frames
 * that arrive are held, in order, by their connection, which pauses its socket, so TCP slows the
 * senders down instead of the server dropping output. When fewer are catching up, held input is
 * handed on in the order it was held.
 *
 * A reader behind on its own never shuts the gate: it is left to its bounded queue, and nobody else
 * waits for it. A reader counts as catching up only for its catch-up window; one still behind after
 * it is slow and no longer counts, so even many stalled readers shut the gate for one window at most.
 */
export class InputGate {
  private readonly catchingUp = new Set<unknown>();
  private held = new Set<HeldInput>();

  /**
   * @param holdShare the share of connections that must be catching up for input to be held.
   * @param connections how many connections the server has now.
   */
  constructor(
    private readonly holdShare: number,
    private readonly connections: () => number,
  ) {}

  get isOpen(): boolean {
    const size = this.catchingUp.size;
    return size < MIN_READERS_TO_HOLD || size < this.holdShare * this.connections();
  }

  /** `reader` is behind and catching up, until it caught up or gave up (`release`). */
  hold(reader: unknown): void {
    this.catchingUp.add(reader);
  }

  /** `reader` caught up, became slow, or closed: it no longer holds input back. */
  release(reader: unknown): void {
    if (!this.catchingUp.delete(reader) || !this.isOpen) return;
    this.resumeHeld();
  }

  /** The gate opened: hand on held input, oldest holder first, while it stays open. */
  private resumeHeld(): void {
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
