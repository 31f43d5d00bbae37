import { decodeServerLine } from '../../src/client/decode-event';

describe('decodeServerLine', () => {
  it('reads every event the server sends', () => {
    expect(decodeServerLine('{"type":"welcome","name":"a","users":["a","b"]}')).toEqual({ type: 'welcome', name: 'a', users: ['a', 'b'] });
    expect(decodeServerLine('{"type":"error","code":"name_taken","message":"m"}')).toEqual({ type: 'error', code: 'name_taken', message: 'm' });
    expect(decodeServerLine('{"type":"error","code":"rate_limited","message":"m","retryAfterMs":200}')).toEqual({
      type: 'error',
      code: 'rate_limited',
      message: 'm',
      retryAfterMs: 200,
    });
    expect(decodeServerLine('{"type":"joined","name":"a","ts":1}')).toEqual({ type: 'joined', name: 'a', ts: 1 });
    expect(decodeServerLine('{"type":"left","name":"a","reason":"timeout","ts":1}')).toEqual({ type: 'left', name: 'a', reason: 'timeout', ts: 1 });
    expect(decodeServerLine('{"type":"message","from":"a","text":"t","ts":1,"id":2}')).toEqual({ type: 'message', from: 'a', text: 't', ts: 1, id: 2 });
    expect(decodeServerLine('{"type":"bye","reason":"shutdown","message":"m"}')).toEqual({ type: 'bye', reason: 'shutdown', message: 'm' });
    expect(decodeServerLine('{"type":"gap","missed":3}')).toEqual({ type: 'gap', missed: 3 });
    expect(decodeServerLine('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(decodeServerLine('{"type":"pong"}')).toEqual({ type: 'pong' });
  });

  it('keeps only the fields it knows', () => {
    expect(decodeServerLine('{"type":"joined","name":"a","ts":1,"admin":true}')).toEqual({ type: 'joined', name: 'a', ts: 1 });
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
    ['a missing field', '{"type":"message","from":"a","ts":1,"id":2}'],
    ['a field of the wrong type', '{"type":"joined","name":"a","ts":"yesterday"}'],
    ['a number that is not finite', '{"type":"gap","missed":1e999}'],
    ['users that are not names', '{"type":"welcome","name":"a","users":["a",{"b":1}]}'],
    ['an unknown error code', '{"type":"error","code":"oops","message":"m"}'],
    ['an unknown leave reason', '{"type":"left","name":"a","reason":"beamed up","ts":1}'],
    ['an unknown goodbye reason', '{"type":"bye","reason":"bored","message":"m"}'],
    ['fields inherited through __proto__', '{"__proto__":{"type":"ping"}}'],
  ])('ignores %s', (_what, line) => {
    expect(decodeServerLine(line)).toBeNull();
  });
});
