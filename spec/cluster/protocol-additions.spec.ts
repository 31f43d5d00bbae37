import { decodeServerLine } from '../../src/client/decode-event';
import { ServerEvent, StatusEvent } from '../../src/protocol/frames';
import { encodeJsonLine } from '../../src/protocol/json-codec';
import { encodeTextLine, NOTICE_PREFIX } from '../../src/protocol/text-codec';

const DEGRADED: StatusEvent = { type: 'status', degraded: true, message: 'The chat is degraded: this server cannot reach the shared store (Redis).' };
const RESTORED: StatusEvent = { type: 'status', degraded: false, message: 'The chat is back: messages are delivered again.' };

describe('the status event', () => {
  it('is a notice line in text mode, saying what the server said, in any room', () => {
    expect(encodeTextLine(DEGRADED, null)).toBe(`${NOTICE_PREFIX}The chat is degraded: this server cannot reach the shared store (Redis).\n`);
    expect(encodeTextLine(RESTORED, '#dev')).toBe(`${NOTICE_PREFIX}The chat is back: messages are delivered again.\n`);
  });

  it('is one line however it is worded', () => {
    const line = encodeTextLine({ ...DEGRADED, message: 'short' }, '#lobby');
    expect(line).toBe('*** short\n');
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it.each([
    ['degraded', DEGRADED],
    ['restored', RESTORED],
  ])('is read back by the client when %s', (_what, event) => {
    expect(decodeServerLine(encodeJsonLine(event).trimEnd())).toEqual(event);
  });

  it('keeps only its own fields', () => {
    expect(decodeServerLine('{"type":"status","degraded":true,"message":"m","since":12}')).toEqual({ type: 'status', degraded: true, message: 'm' });
  });

  it.each([
    ['a string', '"true"'],
    ['a number', '1'],
    ['null', 'null'],
    ['an object', '{}'],
  ])('is ignored by the client when degraded is %s', (_what, degraded) => {
    expect(decodeServerLine(`{"type":"status","degraded":${degraded},"message":"m"}`)).toBeNull();
  });

  it('is ignored by the client without degraded or message', () => {
    expect(decodeServerLine('{"type":"status","message":"m"}')).toBeNull();
    expect(decodeServerLine('{"type":"status","degraded":false}')).toBeNull();
    expect(decodeServerLine('{"type":"status","degraded":false,"message":7}')).toBeNull();
    // Inherited fields are not fields: a hostile server cannot smuggle them in through __proto__.
    expect(decodeServerLine('{"type":"status","__proto__":{"degraded":true,"message":"m"}}')).toBeNull();
  });
});

describe('unavailable', () => {
  it('is an error code the client accepts', () => {
    const event: ServerEvent = { type: 'error', code: 'unavailable', message: 'the chat is degraded; this was not sent' };
    expect(decodeServerLine(encodeJsonLine(event).trimEnd())).toEqual(event);
    expect(encodeTextLine(event, null)).toBe('*** Error: the chat is degraded; this was not sent\n');
  });

  it('is a goodbye reason the client accepts', () => {
    const event: ServerEvent = { type: 'bye', reason: 'unavailable', message: 'This server lost track of the chat; connect again.' };
    expect(decodeServerLine(encodeJsonLine(event).trimEnd())).toEqual(event);
    expect(encodeTextLine(event, null)).toBe('*** This server lost track of the chat; connect again.\n');
  });

  it('does not make the client accept codes or reasons it does not know', () => {
    expect(decodeServerLine('{"type":"error","code":"degraded","message":"m"}')).toBeNull();
    expect(decodeServerLine('{"type":"bye","reason":"degraded","message":"m"}')).toBeNull();
    expect(decodeServerLine('{"type":"bye","reason":"toString","message":"m"}')).toBeNull();
  });
});
