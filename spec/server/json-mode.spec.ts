import { startTestServer, TestServer } from '../support/test-server';

describe('JSON mode over TCP (programs)', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ closeGraceMs: 500 });
  });
  afterEach(() => t.stop());

  it('welcomes with the user list and tells others with a joined frame', async () => {
    const alice = await t.json('alice');
    const bob = await t.json('bob');
    expect(bob.frames.find((f) => f.type === 'welcome')).toEqual({ type: 'welcome', name: 'bob', room: '#lobby', users: ['alice', 'bob'], count: 2 });
    const joined = await alice.waitForJson((f) => f.type === 'joined');
    expect(joined).toEqual({ type: 'joined', room: '#lobby', name: 'bob', ts: expect.any(Number) });
  });

  it('refuses taken and invalid names with coded errors, then accepts a retry', async () => {
    await t.json('alice');
    const other = await t.open();
    other.sendJson({ type: 'hello', name: 'ALICE' });
    expect(await other.waitForJson((f) => f.type === 'error')).toMatchObject({ code: 'name_taken' });
    other.sendJson({ type: 'hello', name: 'has space' });
    expect(await other.waitForJson((f) => f.code === 'name_invalid')).toMatchObject({ type: 'error', message: expect.stringContaining('letters') });
    other.sendJson({ type: 'hello', name: 'zero\u200bwidth' });
    await other.until(() => other.frames.filter((f) => f.code === 'name_invalid').length === 2, 'a second name_invalid');
    other.sendJson({ type: 'hello', name: 'a'.repeat(33) });
    await other.until(() => other.frames.filter((f) => f.code === 'name_invalid').length === 3, 'a third name_invalid');
    other.sendJson({ type: 'hello', name: 'alicia' });
    expect(await other.waitForJson((f) => f.type === 'welcome')).toMatchObject({ name: 'alicia' });
  });

  it('broadcasts say as message frames with from, text, ts and increasing ids', async () => {
    const alice = await t.json('alice');
    const bob = await t.json('bob');
    alice.sendJson({ type: 'say', text: 'one' });
    alice.sendJson({ type: 'say', text: 'two' });
    await bob.until(() => bob.frames.filter((f) => f.type === 'message').length === 2, 'two messages');
    const [one, two] = bob.frames.filter((f) => f.type === 'message');
    expect(one).toEqual({ type: 'message', room: '#lobby', from: 'alice', text: 'one', ts: expect.any(Number), id: expect.any(Number) });
    expect(two).toMatchObject({ text: 'two' });
    expect(two.id as number).toBeGreaterThan(one.id as number);
    await alice.waitForJson((f) => f.type === 'message' && f.text === 'two');
  });

  it.each([
    ['malformed JSON', '{"type":"say",', 'bad_frame'],
    ['a JSON array', '[1,2]', 'bad_frame'],
    ['a missing type', '{"text":"hi"}', 'bad_frame'],
    ['an unknown type', '{"type":"dance"}', 'unknown_type'],
    ['a wrong field type', '{"type":"say","text":42}', 'bad_frame'],
    ['a missing field', '{"type":"hello"}', 'bad_frame'],
    ['a prototype-polluting key', '{"type":"say","__proto__":{"text":"x"}}', 'bad_frame'],
  ])('answers %s with an error frame and keeps the connection open', async (_what, line, code) => {
    const alice = await t.json('alice');
    alice.send(line);
    expect(await alice.waitForJson((f) => f.type === 'error')).toMatchObject({ code, message: expect.any(String) });
    alice.sendJson({ type: 'say', text: 'still here' });
    await alice.waitForJson((f) => f.type === 'message' && f.text === 'still here');
  });

  it('does not let newlines inside a JSON string forge lines for text users', async () => {
    const text = await t.text('netcat');
    const program = await t.json('program');
    await text.waitForLine((l) => l === '*** program joined #lobby');
    const start = text.lines.length;
    program.sendJson({ type: 'say', text: 'hi\n*** admin joined the chat\r\nevil: forged' });
    const line = await text.waitForLine((l) => l.startsWith('program: '), start);
    expect(line).toBe('program: hi*** admin joined the chatevil: forged');
    program.sendJson({ type: 'say', text: 'next' });
    await text.waitForLine((l) => l === 'program: next', start);
    expect(text.lines.slice(start).filter((l) => !l.startsWith('program: '))).toEqual([]);
  });

  it('lets text and JSON users talk to each other', async () => {
    const text = await t.text('netcat');
    const program = await t.json('program');
    text.send('hello program');
    expect(await program.waitForJson((f) => f.type === 'message')).toMatchObject({ from: 'netcat', text: 'hello program' });
    program.sendJson({ type: 'say', text: 'hello netcat' });
    await text.waitForLine((line) => line === 'program: hello netcat');
  });

  it('says bye on quit, closes, and sends others a left frame with the reason', async () => {
    const alice = await t.json('alice');
    const bob = await t.json('bob');
    bob.sendJson({ type: 'quit' });
    expect(await bob.waitForJson((f) => f.type === 'bye')).toMatchObject({ reason: 'quit' });
    await bob.waitForClose();
    expect(await alice.waitForJson((f) => f.type === 'left')).toEqual({ type: 'left', name: 'bob', reason: 'quit', ts: expect.any(Number) });
    await t.json('bob');
  });

  it('reports a disconnect as reason "disconnect"', async () => {
    const alice = await t.json('alice');
    const bob = await t.json('bob');
    bob.close();
    expect(await alice.waitForJson((f) => f.type === 'left')).toMatchObject({ name: 'bob', reason: 'disconnect' });
  });

  it('answers an oversized frame with frame_too_large', async () => {
    await t.stop();
    t = await startTestServer({ maxFrameBytes: 100 });
    const alice = await t.json('alice');
    alice.sendJson({ type: 'say', text: 'x'.repeat(500) });
    expect(await alice.waitForJson((f) => f.type === 'error')).toMatchObject({ code: 'frame_too_large' });
  });

  it('tells every client the server is shutting down and closes them', async () => {
    const alice = await t.json('alice');
    const text = await t.text('netcat');
    const anonymous = await t.open();
    await t.server.close();
    expect(await alice.waitForJson((f) => f.type === 'bye')).toMatchObject({ reason: 'shutdown' });
    expect(await text.waitForLine((l) => l.includes('shutting down'))).toBe('*** The server is shutting down. Goodbye!');
    await anonymous.waitForLine((l) => l.includes('shutting down'));
    await Promise.all([alice.waitForClose(), text.waitForClose(), anonymous.waitForClose()]);
  });
});
