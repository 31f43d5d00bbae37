import { map } from 'rxjs';
import { COMMANDS } from '../../src/protocol/commands';
import { LOBBY } from '../../src/protocol/limits';
import { createRoom } from '../../src/room/room';
import { DEFAULT_ROOM_CONFIG } from '../../src/room/state';
import {
  action,
  conn,
  createTestScheduler,
  entered,
  error,
  hello,
  help,
  history,
  join,
  joined,
  left,
  me,
  message,
  msg,
  nick,
  part,
  parted,
  privateMessage,
  received$,
  renamed,
  say,
  to,
  welcome,
} from './room-helpers';

// Marble tests of the commands about people rather than rooms. Each hot() stands in for one
// connection's input$; one column is one frame (1 ms), `ts` values are frame numbers, and a group
// `(ab)` takes as many columns as it has characters.
describe('private messages', () => {
  it('reach only their recipient and their sender, whatever rooms they are in', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--------mxyzs----w', {
        a: hello('alice'),
        m: msg('BOB', 'psst'),
        x: msg('nobody', 'hi'),
        y: msg('bad name!', 'x'),
        z: msg('alice', 'note to self'),
        s: say('hi'),
        w: msg('bob', 'still there?'),
      });
      const bob = hot('  --b------------p----', { b: hello('bob'), p: part() });
      const carol = hot('------c-------------', { c: hello('carol') });
      const expected = ' -a(bc)(de)fghij(kl)m';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([3], welcome('carol', ['alice', 'bob', 'carol'])),
        e: to([1, 2], joined('carol', 6)),
        // The recipient is found ignoring case, and named as they chose.
        f: to([1, 2], privateMessage('alice', 'bob', 'psst', 10, 1)),
        g: to([1], error('no_such_user', 'nobody named "nobody" is online')),
        h: to([1], error('no_such_user', 'nobody named "bad name!" is online')),
        // A message to oneself arrives once.
        i: to([1], privateMessage('alice', 'alice', 'note to self', 13, 2)),
        // Room and private messages share one sequence of ids.
        j: to([1, 2, 3], message('alice', 'hi', 14, 3)),
        k: to([2], parted(LOBBY, null)),
        l: to([1, 3], left('bob', 'part', 15, LOBBY)),
        // bob is in no room, and still reachable.
        m: to([1, 2], privateMessage('alice', 'bob', 'still there?', 19, 4)),
      });
    });
  });

  it('are never kept in a room history', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----sm-----', { a: hello('alice'), s: say('public'), m: msg('bob', 'secret') });
      const bob = hot('  --b----------', { b: hello('bob') });
      const carol = hot('--------c----', { c: hello('carol') });
      const expected = ' -a(bc)de(fgh)';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1, 2], message('alice', 'public', 6, 1)),
        e: to([1, 2], privateMessage('alice', 'bob', 'secret', 7, 2)),
        f: to([3], welcome('carol', ['alice', 'bob', 'carol'])),
        g: to([3], history(message('alice', 'public', 6, 1))),
        h: to([1, 2], joined('carol', 8)),
      });
    });
  });
});

describe('history', () => {
  it("replays a room's last messages to a newcomer, marked as history, before the others are told", () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-aotrw------jd-----', {
        a: hello('alice'),
        o: say('one'),
        t: say('two'),
        r: say('three'),
        w: me('waves'),
        j: join('#dev'),
        d: say('in dev'),
      });
      const bob = hot('  ------b-------j----', { b: hello('bob'), j: join('#dev') });
      const expected = ' -abcde(fghi)jk(lmn)';

      const config = { ...DEFAULT_ROOM_CONFIG, historyLength: 2 };
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }), { config });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], message('alice', 'one', 2, 1)),
        c: to([1], message('alice', 'two', 3, 2)),
        d: to([1], message('alice', 'three', 4, 3)),
        e: to([1], action('alice', 'waves', 5, 4)),
        f: to([2], welcome('bob', ['alice', 'bob'])),
        // The last two, with their own time, id and kind.
        g: to([2], history(message('alice', 'three', 4, 3))),
        h: to([2], history(action('alice', 'waves', 5, 4))),
        i: to([1], joined('bob', 6)),
        j: to([1], entered('#dev', ['alice'])),
        k: to([1], message('alice', 'in dev', 13, 5, '#dev')),
        // Each room has its own history.
        l: to([2], entered('#dev', ['alice', 'bob'])),
        m: to([2], history(message('alice', 'in dev', 13, 5, '#dev'))),
        n: to([1], joined('bob', 14, '#dev')),
      });
    });
  });

  it('keeps no history when its length is 0', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-ax---', { a: hello('alice'), x: say('x') });
      const bob = hot('  ---b--', { b: hello('bob') });
      const expected = ' -ab(cd)';

      const config = { ...DEFAULT_ROOM_CONFIG, historyLength: 0 };
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }), { config });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], message('alice', 'x', 2, 1)),
        c: to([2], welcome('bob', ['alice', 'bob'])),
        d: to([1], joined('bob', 3)),
      });
    });
  });

  it('forgets the history of a room that has emptied', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-ajsp-----', { a: hello('alice'), j: join('#dev'), s: say('gone'), p: part() });
      const bob = hot('  -----b---j', { b: hello('bob'), j: join('#dev') });
      const expected = ' -abcd(ef)g';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], entered('#dev', ['alice'])),
        c: to([1], message('alice', 'gone', 3, 1, '#dev')),
        d: to([1], parted('#dev', LOBBY)),
        e: to([2], welcome('bob', ['alice', 'bob'])),
        f: to([1], joined('bob', 5)),
        // #dev was empty, so it is a new room with no history.
        g: to([2], entered('#dev', ['bob'])),
      });
    });
  });
});

describe('message of the day', () => {
  it('comes with every welcome when configured', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--', { a: hello('alice') });
      const bob = hot('  --b-', { b: hello('bob') });
      const expected = ' -a(bc)';

      const config = { ...DEFAULT_ROOM_CONFIG, motd: 'Be nice.' };
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }), { config });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'], 1, 'Be nice.')),
        b: to([2], welcome('bob', ['alice', 'bob'], 2, 'Be nice.')),
        c: to([1], joined('bob', 2)),
      });
    });
  });

  it('is absent from the welcome when none is configured', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-', { a: hello('alice') });
      const expected = ' -a-';

      const room = createRoom(cold('a', { a: conn(1, alice) }));
      expectObservable(received$(room).pipe(map(({ event }) => Object.keys(event).sort().join(',')))).toBe(expected, {
        a: 'count,name,room,type,users',
      });
    });
  });
});

describe('/nick', () => {
  it('renames by the rules of registration and tells everyone who shares a room, once', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--------j------------x--yz---', { a: hello('alice'), j: join('#dev'), x: nick('alicia'), y: nick('Alicia'), z: nick('Alicia') });
      const bob = hot('  --b--------j------------xy--z--', { b: hello('bob'), j: join('#dev'), x: nick('ALICIA'), y: nick('bad name'), z: nick('alice') });
      const carol = hot('------c------------------------', { c: hello('carol') });
      const dave = hot(' ---------------d---p---------mn', { d: hello('dave'), p: part(), m: msg('alice', 'hi'), n: nick('Dave2') });
      const expected = ' -a(bc)(de)f(gh)(ij)(kl)mnopqrst';

      const room = createRoom(cold('(abcd)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol), d: conn(4, dave) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([3], welcome('carol', ['alice', 'bob', 'carol'])),
        e: to([1, 2], joined('carol', 6)),
        f: to([1], entered('#dev', ['alice'])),
        g: to([2], entered('#dev', ['alice', 'bob'])),
        h: to([1], joined('bob', 11, '#dev')),
        i: to([4], welcome('dave', ['alice', 'bob', 'carol', 'dave'])),
        j: to([1, 2, 3], joined('dave', 15)),
        k: to([4], parted(LOBBY, null)),
        l: to([1, 2, 3], left('dave', 'part', 19, LOBBY)),
        // bob shares two rooms with alice and is told once; dave shares none and is not told.
        m: to([1, 2, 3], renamed('alice', 'alicia', 23)),
        n: to([2], error('name_taken', 'name "ALICIA" is taken')),
        o: to([2], error('name_invalid', expect.stringMatching(/^name "bad name" is invalid: /))),
        // A change of case of one's own name is allowed; no change at all is not.
        p: to([1, 2, 3], renamed('alicia', 'Alicia', 26)),
        q: to([1], error('bad_command', 'you are already called Alicia')),
        // The old name is free again, and now names bob.
        r: to([1, 2, 3], renamed('bob', 'alice', 28)),
        s: to([2, 4], privateMessage('dave', 'alice', 'hi', 29, 1)),
        t: to([4], renamed('dave', 'Dave2', 30)),
      });
    });
  });

  it('is refused before one has a name', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const anon = hot('-n-', { n: nick('alice') });
      const expected = '-a-';

      const room = createRoom(cold('a', { a: conn(1, anon) }));
      expectObservable(received$(room)).toBe(expected, { a: to([1], error('not_registered', 'choose a name first')) });
    });
  });
});

describe('/help', () => {
  it('lists every slash command of the registry, with its arguments and help, to the asker only', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----h', { a: hello('alice'), h: help });
      const bob = hot('  --b----', { b: hello('bob') });
      const expected = ' -a(bc)d';

      const commands = COMMANDS.filter((spec) => spec.slash !== null).map((spec) => ({ command: `/${spec.slash}`, args: spec.args, help: spec.help }));
      expect(commands.map((c) => c.command)).toEqual(['/join', '/part', '/rooms', '/names', '/msg', '/me', '/nick', '/help', '/quit']);
      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], { type: 'help', commands }),
      });
    });
  });
});
