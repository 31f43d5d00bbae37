import { readInputLine } from '../../src/client/input-line';

describe('readInputLine', () => {
  it('says any line that is not a command, as typed', () => {
    expect(readInputLine('  hello there ')).toEqual({ kind: 'command', command: { type: 'say', text: '  hello there ' } });
    expect(readInputLine('   ')).toBeNull();
  });

  it('sends //text as the line /text', () => {
    expect(readInputLine('//shrug')).toEqual({ kind: 'command', command: { type: 'say', text: '/shrug' } });
  });

  it('leaves on /quit and {quit}', () => {
    expect(readInputLine('/quit')).toEqual({ kind: 'quit' });
    expect(readInputLine(' {quit} ')).toEqual({ kind: 'quit' });
    expect(readInputLine('/QUIT')).toEqual({ kind: 'quit' });
  });

  it('turns slash commands into their frames with the server’s own registry', () => {
    expect(readInputLine('/join #dev')).toEqual({ kind: 'command', command: { type: 'join', room: '#dev' } });
    expect(readInputLine('/part')).toEqual({ kind: 'command', command: { type: 'part' } });
    expect(readInputLine('/msg bob see you at 5')).toEqual({ kind: 'command', command: { type: 'msg', to: 'bob', text: 'see you at 5' } });
    expect(readInputLine('/me waves')).toEqual({ kind: 'command', command: { type: 'me', text: 'waves' } });
    expect(readInputLine('/nick alicia')).toEqual({ kind: 'command', command: { type: 'nick', name: 'alicia' } });
    expect(readInputLine('/names #dev')).toEqual({ kind: 'command', command: { type: 'names', room: '#dev' } });
    expect(readInputLine('/rooms')).toEqual({ kind: 'command', command: { type: 'rooms' } });
    expect(readInputLine('/help')).toEqual({ kind: 'command', command: { type: 'help' } });
  });

  it('explains unknown commands and wrong usage instead of sending them', () => {
    expect(readInputLine('/teleport mars')).toEqual({ kind: 'invalid', message: 'unknown command /teleport; /help lists the commands' });
    expect(readInputLine('/msg bob')).toEqual({ kind: 'invalid', message: 'usage: /msg name text' });
    expect(readInputLine('/join')).toEqual({ kind: 'invalid', message: 'usage: /join #room' });
    expect(readInputLine('/quit now')).toEqual({ kind: 'invalid', message: 'usage: /quit' });
  });
});
