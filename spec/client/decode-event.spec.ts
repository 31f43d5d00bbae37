import { decodeServerLine } from '../../src/client/decode-event';
import { ServerEvent } from '../../src/protocol/frames';
import { encodeJsonLine } from '../../src/protocol/json-codec';

/** One of every event the server sends, with every optional field. */
const EVERY_EVENT: ServerEvent[] = [
  { type: 'welcome', name: 'a', room: '#lobby', users: ['a', 'b'], count: 2, motd: 'be nice' },
  { type: 'welcome', name: 'a', room: '#lobby', users: [], count: 500 },
  { type: 'error', code: 'name_taken', message: 'm' },
  { type: 'error', code: 'rate_limited', message: 'm', retryAfterMs: 200 },
  { type: 'joined', room: '#dev', name: 'a', ts: 1 },
  { type: 'left', name: 'a', reason: 'timeout', ts: 1 },
  { type: 'left', name: 'a', room: '#dev', reason: 'part', ts: 1 },
  { type: 'message', room: '#dev', from: 'a', text: 't', ts: 1, id: 2 },
  { type: 'message', room: '#dev', from: 'a', text: 'waves', ts: 1, id: 2, action: true, history: true },
  { type: 'private', from: 'a', to: 'b', text: 'psst', ts: 1, id: 3 },
  { type: 'nick', old: 'a', name: 'b', ts: 1 },
  { type: 'entered', room: '#dev', users: ['a'], count: 1 },
  { type: 'parted', room: '#dev', current: '#lobby' },
  { type: 'parted', room: '#lobby', current: null },
  { type: 'rooms', rooms: [{ room: '#dev', users: 2 }] },
  { type: 'names', room: '#dev', users: ['a', 'b'] },
  { type: 'help', commands: [{ command: '/join', args: '#room', help: 'join a room' }] },
  { type: 'bye', reason: 'shutdown', message: 'm' },
  { type: 'gap', missed: 3 },
  { type: 'ping' },
  { type: 'pong' },
];

describe('decodeServerLine', () => {
  it.each(EVERY_EVENT.map((event) => [event.type, event]))('reads %s exactly as the server encodes it', (_type, event) => {
    expect(decodeServerLine(encodeJsonLine(event as ServerEvent).trimEnd())).toEqual(event);
  });

  it('keeps only the fields it knows', () => {
    expect(decodeServerLine('{"type":"joined","room":"#a","name":"a","ts":1,"admin":true}')).toEqual({ type: 'joined', room: '#a', name: 'a', ts: 1 });
    expect(decodeServerLine('{"type":"message","room":"#a","from":"a","text":"t","ts":1,"id":1,"action":"yes"}')).toEqual({
      type: 'message',
      room: '#a',
      from: 'a',
      text: 't',
      ts: 1,
      id: 1,
    });
  });

  it.each([
    ['the greeting', '*** Welcome to chat! Type your name'],
    ['broken JSON', '{"type":'],
    ['an array', '[{"type":"ping"}]'],
    ['null', 'null'],
    ['a number', '42'],
    ['an unknown type', '{"type":"teleport"}'],
    ['no type', '{"name":"a"}'],
    ['a type that is not a string', '{"type":["message"]}'],
    ['a missing field', '{"type":"message","room":"#a","from":"a","ts":1,"id":2}'],
    ['a field of the wrong type', '{"type":"joined","room":"#a","name":"a","ts":"yesterday"}'],
    ['a number that is not finite', '{"type":"message","room":"#a","from":"a","text":"t","ts":1e999,"id":1}'],
    ['a negative count', '{"type":"gap","missed":-1}'],
    ['users that are not names', '{"type":"welcome","name":"a","room":"#l","users":["a",{"b":1}],"count":2}'],
    ['a room list with a bad entry', '{"type":"rooms","rooms":[{"room":"#a","users":1},{"room":2,"users":1}]}'],
    ['a null current room given as a string elsewhere', '{"type":"parted","room":"#a","current":5}'],
    ['an unknown error code', '{"type":"error","code":"oops","message":"m"}'],
    ['an unknown leave reason', '{"type":"left","name":"a","reason":"beamed up","ts":1}'],
    ['a room that is not a string', '{"type":"left","name":"a","room":7,"reason":"part","ts":1}'],
    ['an unknown goodbye reason', '{"type":"bye","reason":"bored","message":"m"}'],
    ['fields inherited through __proto__', '{"__proto__":{"type":"ping"}}'],
  ])('ignores %s', (_what, line) => {
    expect(decodeServerLine(line)).toBeNull();
  });
});
