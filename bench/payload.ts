/**
 * The bench's wire format on top of any `name: text` broadcast server.
 *
 * Client `i` is called `b00042` (fixed width, so lines are parsed at fixed offsets without allocating).
 * A bench message's text is
 *
 *     #m SSSSS QQQQQQ TTTTTTTTTTTT <padding>
 *
 * with the sender's index, the sequence number, the send time in microseconds of the generator's clock,
 * and a padding that depends on the sequence number, so that a corrupted, truncated or spliced line is
 * detected. Everything is ASCII, so one byte is one character whichever way it is decoded.
 */

/** Digits of a client index in its name and in a message. */
const INDEX_DIGITS = 5;
const SEQ_DIGITS = 6;
const TIME_DIGITS = 12;

/** Clients a run may have: what fits in `INDEX_DIGITS`. */
export const MAX_CLIENTS = 10 ** INDEX_DIGITS;
/** Messages one sender may send: what fits in `SEQ_DIGITS`. */
export const MAX_MESSAGES = 10 ** SEQ_DIGITS;

const NAME_PREFIX = 'b';
const NAME_LENGTH = NAME_PREFIX.length + INDEX_DIGITS;
/** What the server puts between name and text. */
const SEPARATOR = ': ';
const MESSAGE_TAG = '#m ';
const SYNC_TAG = '~sync ';
const NOTICE_PREFIX = '*** ';
/** How our server marks messages replayed to a newcomer: before the barrier they can only be syncs. */
const HISTORY_PREFIX = '[history] ';
const ERROR_PREFIX = '*** Error';
/** How our server's gap notice ends (`*** 12 messages were dropped because ...`); only used to tell it apart. */
const GAP_NOTICE_MARK = 'dropped because your connection could not keep up';

/** Where the text starts in a received `name: text` line of one of our clients. */
const TEXT_OFFSET = NAME_LENGTH + SEPARATOR.length;
const SENDER_OFFSET = MESSAGE_TAG.length;
const SEQ_OFFSET = SENDER_OFFSET + INDEX_DIGITS + 1;
const TIME_OFFSET = SEQ_OFFSET + SEQ_DIGITS + 1;
const HEADER_LENGTH = TIME_OFFSET + TIME_DIGITS + 1;

/** The shortest message text the format allows: the header and one byte of padding. */
export const MIN_MESSAGE_BYTES = HEADER_LENGTH + 1;

/** Distinct paddings: neighbouring messages differ, so a line spliced from two of them does not verify. */
const PAD_VARIANTS = 16;
const PAD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function clientName(index: number): string {
  return NAME_PREFIX + String(index).padStart(INDEX_DIGITS, '0');
}

/** The line a client sends to ask everyone to acknowledge that it is registered (round `round`). */
export function syncLine(round: number): string {
  return `${SYNC_TAG}${round}\n`;
}

/** What a received line turned out to be. */
export enum LineKind {
  /** A bench message that verified; `ParsedMessage` holds its fields. */
  Message,
  /** A sync line from the barrier. */
  Sync,
  /** A server notice (`*** ...`): greeting, joined/left, welcome. */
  Notice,
  /** A message replayed from the room's history to a newcomer (our server's `[history] name: text`). */
  History,
  /** A `*** Error: ...` notice: the server refused something we sent. */
  Error,
  /** Our server's notice that it dropped messages for a reader that could not keep up. */
  Gap,
  /** Looked like a bench message but did not verify. */
  Corrupt,
  /** Anything else. */
  Unexpected,
}

/** Filled in by `parse`; reused so that parsing allocates nothing. */
export interface ParsedMessage {
  sender: number;
  seq: number;
  sentMicros: number;
  /** For a gap notice: how many messages the server says it dropped. */
  missed: number;
}

export class MessageCodec {
  private readonly pads: string[] = [];

  /** `bytes`: length of every message text. */
  constructor(readonly bytes: number) {
    if (!Number.isInteger(bytes) || bytes < MIN_MESSAGE_BYTES) {
      throw new Error(`messages must be at least ${MIN_MESSAGE_BYTES} bytes long, not ${bytes}`);
    }
    const padLength = bytes - HEADER_LENGTH;
    for (let variant = 0; variant < PAD_VARIANTS; variant++) {
      let pad = '';
      for (let i = 0; i < padLength; i++) pad += PAD_ALPHABET[(variant + i) % PAD_ALPHABET.length];
      this.pads.push(pad);
    }
  }

  /** The line a sender writes, newline included. */
  encode(sender: number, seq: number, sentMicros: number): string {
    return (
      MESSAGE_TAG +
      String(sender).padStart(INDEX_DIGITS, '0') +
      ' ' +
      String(seq).padStart(SEQ_DIGITS, '0') +
      ' ' +
      String(sentMicros).padStart(TIME_DIGITS, '0') +
      ' ' +
      this.pads[seq % PAD_VARIANTS] +
      '\n'
    );
  }

  /**
   * Classifies the received line `data[start, end)` (without its newline). For a verified message the
   * fields go into `out`; `senders` and `messages` bound what a valid message may carry.
   */
  parse(data: string, start: number, end: number, senders: number, messages: number, out: ParsedMessage): LineKind {
    if (data.startsWith(NOTICE_PREFIX, start)) {
      if (data.startsWith(ERROR_PREFIX, start)) return LineKind.Error;
      const gap = data.lastIndexOf(GAP_NOTICE_MARK, end);
      if (gap === -1 || gap < start) return LineKind.Notice;
      out.missed = Number.parseInt(data.slice(start + NOTICE_PREFIX.length, start + NOTICE_PREFIX.length + 12), 10) || 0;
      return LineKind.Gap;
    }
    if (data.startsWith(HISTORY_PREFIX, start)) return LineKind.History;
    const text = start + TEXT_OFFSET;
    if (!data.startsWith(SEPARATOR, start + NAME_LENGTH) || !data.startsWith(NAME_PREFIX, start)) return LineKind.Unexpected;
    if (data.startsWith(SYNC_TAG, text)) return LineKind.Sync;
    if (!data.startsWith(MESSAGE_TAG, text)) return LineKind.Unexpected;
    if (end - start !== TEXT_OFFSET + this.bytes) return LineKind.Corrupt;
    const sender = readDigits(data, text + SENDER_OFFSET, INDEX_DIGITS);
    const seq = readDigits(data, text + SEQ_OFFSET, SEQ_DIGITS);
    const sentMicros = readDigits(data, text + TIME_OFFSET, TIME_DIGITS);
    if (sender < 0 || sender >= senders || seq < 0 || seq >= messages || sentMicros < 0) return LineKind.Corrupt;
    // The name the server put in front must be the sender's own.
    if (readDigits(data, start + NAME_PREFIX.length, INDEX_DIGITS) !== sender) return LineKind.Corrupt;
    if (!data.startsWith(this.pads[seq % PAD_VARIANTS], text + HEADER_LENGTH)) return LineKind.Corrupt;
    out.sender = sender;
    out.seq = seq;
    out.sentMicros = sentMicros;
    return LineKind.Message;
  }
}

/** The decimal number in `data[at, at + length)`, or -1 if any character is not a digit. */
function readDigits(data: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const digit = data.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
