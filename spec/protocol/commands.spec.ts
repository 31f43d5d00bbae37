import { commandBySlash, commandByType, COMMANDS, usage } from '../../src/protocol/commands';
import { ClientCommand, CommandType } from '../../src/protocol/frames';
import { decodeJsonFrame } from '../../src/protocol/json-codec';
import { decodeTextLine } from '../../src/protocol/text-codec';

const MAX_MESSAGE = 20;

/** Every command of the vocabulary; the compiler checks that the list is complete. */
const ALL_TYPES = Object.keys({
  hello: true,
  say: true,
  me: true,
  join: true,
  part: true,
  rooms: true,
  names: true,
  msg: true,
  nick: true,
  help: true,
  quit: true,
} satisfies Record<CommandType, true>) as CommandType[];

const text = (line: string) => decodeTextLine(line, true, MAX_MESSAGE);
const json = (frame: unknown) => decodeJsonFrame(typeof frame === 'string' ? frame : JSON.stringify(frame), MAX_MESSAGE);
const usageError = (form: string) => ({ type: 'error', code: 'bad_command', message: `usage: ${form}` });

describe('the command registry', () => {
  it('describes every command exactly once', () => {
    expect(COMMANDS.map((spec) => spec.type).sort()).toEqual([...ALL_TYPES].sort());
  });

  it.each(COMMANDS.map((spec) => [spec.type, spec] as const))('gives %s a help text, and finds it by its type', (type, spec) => {
    expect(spec.help.trim()).not.toBe('');
    expect(commandByType(type)).toBe(spec);
  });

  it('gives every command but hello and say a slash form, each its own', () => {
    expect(COMMANDS.filter((spec) => spec.slash === null).map((spec) => spec.type)).toEqual(['hello', 'say']);
    const slashes = COMMANDS.flatMap((spec) => (spec.slash === null ? [] : [spec.slash]));
    expect(new Set(slashes).size).toBe(slashes.length);
  });

  it('finds a slash command ignoring case', () => {
    for (const spec of COMMANDS) {
      if (spec.slash === null) continue;
      expect(commandBySlash(spec.slash)).toBe(spec);
      expect(commandBySlash(spec.slash.toUpperCase())).toBe(spec);
      expect(commandBySlash(spec.slash[0].toUpperCase() + spec.slash.slice(1))).toBe(spec);
    }
  });

  it.each(['foo', 'say', 'hello', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])('knows no slash command %j', (slash) => {
    expect(commandBySlash(slash)).toBeUndefined();
  });

  it.each(['foo', 'ping', 'pong', 'welcome', 'error', 'constructor', '__proto__', 'toString'])('knows no command type %j', (type) => {
    expect(commandByType(type)).toBeUndefined();
  });

  it('shows how to use a command, in its text form when it has one', () => {
    expect(usage(commandByType('msg')!)).toBe('/msg name text');
    expect(usage(commandByType('join')!)).toBe('/join #room');
    expect(usage(commandByType('part')!)).toBe('/part [#room]');
    expect(usage(commandByType('rooms')!)).toBe('/rooms');
    expect(usage(commandByType('say')!)).toBe('say text');
  });

  it('lists in its usage every field a command needs, and only optional fields in brackets', () => {
    for (const spec of COMMANDS) {
      const required = Object.values(spec.fields).filter((type) => type === 'string').length;
      const optional = Object.values(spec.fields).filter((type) => type === 'string?').length;
      const words = spec.args === '' ? [] : spec.args.split(' ');
      expect(words.filter((word) => !word.startsWith('['))).toHaveLength(required);
      // The room of say and me is for JSON clients; text users talk to their current room.
      expect(words.filter((word) => word.startsWith('[')).length).toBeLessThanOrEqual(optional);
    }
    expect(commandByType('part')!.fields).toEqual({ room: 'string?' });
    expect(commandByType('names')!.fields).toEqual({ room: 'string?' });
  });
});

describe('text mode commands', () => {
  /** One line for every slash command, and the command it must become. */
  const commands: Array<[string, ClientCommand]> = [
    ['/join #dev', { type: 'join', room: '#dev' }],
    ['/join dev', { type: 'join', room: 'dev' }],
    ['/part', { type: 'part' }],
    ['/part #dev', { type: 'part', room: '#dev' }],
    ['/rooms', { type: 'rooms' }],
    ['/names', { type: 'names' }],
    ['/names #dev', { type: 'names', room: '#dev' }],
    ['/msg bob psst, over here', { type: 'msg', to: 'bob', text: 'psst, over here' }],
    ['/me waves', { type: 'me', text: 'waves' }],
    ['/nick alicia', { type: 'nick', name: 'alicia' }],
    ['/help', { type: 'help' }],
    ['/quit', { type: 'quit' }],
    // Case and surrounding spaces do not matter.
    ['/JOIN #dev', { type: 'join', room: '#dev' }],
    ['/Names   #dev  ', { type: 'names', room: '#dev' }],
    ['  /help', { type: 'help' }],
    ['/msg   bob    two  spaces  ', { type: 'msg', to: 'bob', text: 'two  spaces' }],
    ['/QUIT', { type: 'quit' }],
  ];

  it.each(commands)('reads %j', (line, command) => {
    expect(text(line)).toEqual(command);
  });

  it('has a test line for every slash command', () => {
    const tested = new Set(commands.map(([line]) => line.trim().split(/\s/)[0].slice(1).toLowerCase()));
    for (const spec of COMMANDS) if (spec.slash !== null) expect(tested).toContain(spec.slash);
  });

  const usageErrors: Array<[string, string]> = [
    ['/join', '/join #room'],
    ['/join #a #b', '/join #room'],
    ['/part #a #b', '/part [#room]'],
    ['/rooms extra', '/rooms'],
    ['/names #a #b', '/names [#room]'],
    ['/msg', '/msg name text'],
    ['/msg bob', '/msg name text'],
    ['/msg bob   ', '/msg name text'],
    // Nothing left once cleaned: there is no message.
    ['/msg bob \u0007\u202e', '/msg name text'],
    ['/me', '/me action'],
    ['/me \u200b', '/me action'],
    ['/nick', '/nick newname'],
    ['/nick two words', '/nick newname'],
    ['/help me', '/help'],
    ['/quit now', '/quit'],
  ];

  it.each(usageErrors)('answers %j with how to use the command', (line, form) => {
    expect(text(line)).toEqual(usageError(form));
  });

  it('cleans and limits the text of /msg and /me as it does a message', () => {
    expect(text('/msg bob a\tb\u001bc\u202ed')).toEqual({ type: 'msg', to: 'bob', text: 'a bcd' });
    expect(text('/me waves\u0000')).toEqual({ type: 'me', text: 'waves' });
    expect(text(`/msg bob ${'x'.repeat(MAX_MESSAGE)}`)).toEqual({ type: 'msg', to: 'bob', text: 'x'.repeat(MAX_MESSAGE) });
    for (const line of [`/msg bob ${'x'.repeat(MAX_MESSAGE + 1)}`, `/me ${'x'.repeat(MAX_MESSAGE + 1)}`]) {
      expect(text(line)).toEqual({ type: 'error', code: 'message_too_long', message: expect.stringContaining(`${MAX_MESSAGE}`) });
    }
  });

  it('leaves names and rooms for the room to check', () => {
    expect(text('/join #bad\u0007room')).toEqual({ type: 'join', room: '#bad\u0007room' });
    expect(text('/nick __proto__')).toEqual({ type: 'nick', name: '__proto__' });
    expect(text('/msg nobody hi')).toEqual({ type: 'msg', to: 'nobody', text: 'hi' });
  });

  it.each([
    ['//text', '/text'],
    ['//join #dev', '/join #dev'],
    ['//', '/'],
    ['///', '//'],
    ['  //x', '  /x'],
  ])('sends %j, escaped, as the message %j', (line, message) => {
    expect(text(line)).toEqual({ type: 'say', text: message });
  });

  it.each(['/foo', '/foo bar', '/say hi', '/hello alice', '/constructor', '/__proto__ x'])('refuses the unknown command %j, naming it', (line) => {
    const name = line.split(' ')[0];
    expect(text(line)).toEqual({
      type: 'error',
      code: 'unknown_command',
      message: `unknown command ${name}; /help lists the commands`,
    });
  });

  it('shortens a long unknown command name in its error', () => {
    const result = text(`/${'x'.repeat(500)}`);
    expect(result).toEqual({ type: 'error', code: 'unknown_command', message: expect.stringContaining(`/${'x'.repeat(20)};`) });
  });

  it('quotes an unknown command back without its control characters (no ESC or BEL reaches the terminal)', () => {
    const result = text('/da\u001b[31mnce\u0007 now');
    expect(result).toEqual({ type: 'error', code: 'unknown_command', message: 'unknown command /da[31mnce; /help lists the commands' });
  });

  it.each(['/', ' / ', '/ join #dev'])('refuses %j, which names no command', (line) => {
    expect(text(line)).toEqual({ type: 'error', code: 'unknown_command', message: expect.stringContaining('/help') });
  });

  it('answers a command before the user has a name by asking for the name (but lets them quit)', () => {
    expect(decodeTextLine('/join #dev', false, MAX_MESSAGE)).toEqual({
      type: 'error',
      code: 'not_registered',
      message: 'choose a name first: type your name and press Enter',
    });
    expect(decodeTextLine('/quit', false, MAX_MESSAGE)).toEqual({ type: 'quit' });
    expect(decodeTextLine('{quit}', false, MAX_MESSAGE)).toEqual({ type: 'quit' });
  });
});

describe('JSON mode commands', () => {
  /** A frame for every command, with and without its optional fields, and the command it must become. */
  const frames: Array<[object, ClientCommand]> = [
    [{ type: 'hello', name: 'alice' }, { type: 'hello', name: 'alice' }],
    [{ type: 'say', text: 'hi' }, { type: 'say', text: 'hi' }],
    [{ type: 'say', text: 'hi', room: '#dev' }, { type: 'say', text: 'hi', room: '#dev' }],
    [{ type: 'me', text: 'waves' }, { type: 'me', text: 'waves' }],
    [{ type: 'me', text: 'waves', room: '#dev' }, { type: 'me', text: 'waves', room: '#dev' }],
    [{ type: 'join', room: '#dev' }, { type: 'join', room: '#dev' }],
    [{ type: 'part' }, { type: 'part' }],
    [{ type: 'part', room: '#dev' }, { type: 'part', room: '#dev' }],
    [{ type: 'rooms' }, { type: 'rooms' }],
    [{ type: 'names' }, { type: 'names' }],
    [{ type: 'names', room: '#dev' }, { type: 'names', room: '#dev' }],
    [{ type: 'msg', to: 'bob', text: 'psst' }, { type: 'msg', to: 'bob', text: 'psst' }],
    [{ type: 'nick', name: 'alicia' }, { type: 'nick', name: 'alicia' }],
    [{ type: 'help' }, { type: 'help' }],
    [{ type: 'quit' }, { type: 'quit' }],
  ];

  it.each(frames)('reads %j', (frame, command) => {
    expect(json(frame)).toEqual(command);
  });

  it('has a test frame for every command', () => {
    expect(new Set(frames.map(([, command]) => command.type))).toEqual(new Set(ALL_TYPES));
  });

  it('reads the heartbeat frames, which are not commands', () => {
    expect(json({ type: 'ping' })).toEqual({ type: 'ping' });
    expect(json({ type: 'pong' })).toEqual({ type: 'pong' });
    expect(json({ type: 'ping', extra: [1, 2] })).toEqual({ type: 'ping' });
  });

  it('ignores fields a command does not have, so a client cannot pass anything else on', () => {
    expect(json({ type: 'rooms', room: '#dev' })).toEqual({ type: 'rooms' });
    expect(json({ type: 'say', text: 'hi', from: 'mallory', ts: 0, id: 1, history: true })).toEqual({ type: 'say', text: 'hi' });
    expect(json({ type: 'msg', to: 'bob', text: 'hi', action: true })).toEqual({ type: 'msg', to: 'bob', text: 'hi' });
  });

  it.each<[object, string]>([
    [{ type: 'hello' }, 'name'],
    [{ type: 'hello', name: 42 }, 'name'],
    [{ type: 'say' }, 'text'],
    [{ type: 'say', text: ['hi'] }, 'text'],
    [{ type: 'say', text: 'hi', room: null }, 'room'],
    [{ type: 'say', text: 'hi', room: 7 }, 'room'],
    [{ type: 'me', text: 'waves', room: false }, 'room'],
    [{ type: 'join' }, 'room'],
    [{ type: 'join', room: { name: '#dev' } }, 'room'],
    [{ type: 'part', room: 1 }, 'room'],
    [{ type: 'names', room: [] }, 'room'],
    [{ type: 'msg', to: 'bob' }, 'text'],
    [{ type: 'msg', text: 'hi' }, 'to'],
    [{ type: 'msg', to: null, text: 'hi' }, 'to'],
    [{ type: 'nick', name: true }, 'name'],
  ])('refuses %j, naming the field it needs', (frame, field) => {
    expect(json(frame)).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining(`"${field}"`) });
  });

  it('says which fields may be left out', () => {
    expect(json({ type: 'part', room: 1 })).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining('(or none)') });
    expect(json({ type: 'join', room: 1 })).toEqual({ type: 'error', code: 'bad_frame', message: expect.not.stringContaining('(or none)') });
  });

  it('reads only a frame\'s own fields: a "__proto__" key is data, not a field', () => {
    expect(json('{"__proto__":{"type":"quit"}}')).toEqual({ type: 'error', code: 'bad_frame', message: expect.any(String) });
    expect(json('{"type":"say","__proto__":{"text":"hi"}}')).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining('"text"') });
  });

  it('does not take a missing field from a polluted Object.prototype', () => {
    const polluted = Object.prototype as unknown as Record<string, unknown>;
    Object.defineProperty(polluted, 'room', { value: '#evil', configurable: true, writable: true });
    Object.defineProperty(polluted, 'text', { value: 'injected', configurable: true, writable: true });
    try {
      expect(json({ type: 'join' })).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining('"room"') });
      expect(json({ type: 'say' })).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining('"text"') });
      expect(json({ type: 'part' })).toEqual({ type: 'part' });
      expect(Object.hasOwn(json({ type: 'part' }) as object, 'room')).toBe(false);
      // Text mode builds its commands the same way.
      expect(Object.hasOwn(text('/part') as object, 'room')).toBe(false);
      expect(Object.hasOwn(text('/names') as object, 'text')).toBe(false);
    } finally {
      delete polluted.room;
      delete polluted.text;
    }
  });

  it.each(['not json', '{"type":"say"', '[]', '["say"]', 'null', '42', '"say"', '{}', '{"type":5}', '{"type":null}'])(
    'refuses the malformed frame %s',
    (line) => {
      expect(json(line)).toEqual({ type: 'error', code: 'bad_frame', message: expect.any(String) });
    },
  );

  it.each(['foo', 'welcome', 'error', 'joined', '__proto__', 'constructor', 'toString', 'SAY', ''])('refuses the unknown type %j', (type) => {
    expect(json({ type })).toEqual({ type: 'error', code: 'unknown_type', message: expect.stringContaining('unknown frame type') });
  });

  it('cleans message text as text mode does, lone surrogates included', () => {
    expect(json({ type: 'say', text: 'a\tb\u001b\nc\u202e' })).toEqual({ type: 'say', text: 'a bc' });
    expect(json('{"type":"me","text":"x\\ud800"}')).toEqual({ type: 'me', text: 'x\ufffd' });
    expect(json({ type: 'msg', to: 'bob', text: '*** fake\r\nnotice' })).toEqual({ type: 'msg', to: 'bob', text: '*** fakenotice' });
  });

  it('refuses blank message text instead of ignoring it', () => {
    expect(json({ type: 'say', text: ' \u200b ' })).toEqual({ type: 'error', code: 'bad_frame', message: expect.stringContaining('non-blank') });
    for (const frame of [{ type: 'me', text: '' }, { type: 'msg', to: 'bob', text: '\u0007' }]) {
      expect(json(frame)).toEqual({ type: 'error', code: expect.stringMatching(/^bad_/), message: expect.any(String) });
    }
  });

  it('refuses text over the limit, for every command that carries text', () => {
    const long = 'x'.repeat(MAX_MESSAGE + 1);
    for (const frame of [{ type: 'say', text: long }, { type: 'me', text: long, room: '#dev' }, { type: 'msg', to: 'bob', text: long }]) {
      expect(json(frame)).toEqual({ type: 'error', code: 'message_too_long', message: expect.stringContaining(`${MAX_MESSAGE}`) });
    }
    expect(json({ type: 'say', text: '😀'.repeat(MAX_MESSAGE) })).toEqual({ type: 'say', text: '😀'.repeat(MAX_MESSAGE) });
  });
});
