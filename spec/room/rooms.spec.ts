import { LOBBY } from '../../src/protocol/limits';
import { createRoom } from '../../src/room/room';
import { DEFAULT_ROOM_CONFIG } from '../../src/room/state';
import {
  action,
  bye,
  conn,
  createTestScheduler,
  entered,
  error,
  hello,
  join,
  joined,
  left,
  me,
  message,
  nameList,
  names,
  part,
  parted,
  quit,
  received$,
  roomList,
  rooms,
  say,
  to,
  welcome,
} from './room-helpers';

// Marble tests of rooms: each hot() stands in for one connection's input$; one column is one frame
// (1 ms) of virtual time, `ts` values are frame numbers, and a group `(ab)` takes as many columns as
// it has characters, so inputs are spaced to keep the diagrams aligned.
describe('rooms', () => {
  it('creates a room on /join and makes it current; only the joiner is told', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----j---x----', { a: hello('alice'), j: join('#dev'), x: say('hi') });
      const bob = hot('  --b----------r-', { b: hello('bob'), r: rooms });
      const expected = ' -a(bc)d---e--f';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#dev', ['alice'])),
        // Plain lines go to the current room, which is #dev now.
        e: to([1], message('alice', 'hi', 10, 1, '#dev')),
        f: to([2], roomList([['#dev', 1], [LOBBY, 2]])),
      });
    });
  });

  it('switches to a room one is already in when joining it again, and tells nobody else', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----j------l-x-d', { a: hello('alice'), j: join('#dev'), l: join('#lobby'), x: say('back'), d: join('DEV') });
      const bob = hot('  --b-----j---------', { b: hello('bob'), j: join('#dev') });
      const expected = ' -a(bc)d-(ef)-g-h-i';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#dev', ['alice'])),
        e: to([2], entered('#dev', ['alice', 'bob'])),
        f: to([1], joined('bob', 8, '#dev')),
        g: to([1], entered(LOBBY, ['alice', 'bob'])),
        h: to([1, 2], message('alice', 'back', 15, 1)),
        // Room names are case-insensitive and the `#` is optional; the room keeps its spelling.
        i: to([1], entered('#dev', ['alice', 'bob'])),
      });
    });
  });

  it("tells a room's members, and only them, who joins and leaves it", () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----j--------p---', { a: hello('alice'), j: join('#dev'), p: part() });
      const bob = hot('  --b--------j-------x', { b: hello('bob'), j: join('#dev'), x: say('anyone?') });
      const carol = hot('-------c------------', { c: hello('carol') });
      const expected = ' -a(bc)d(ef)(gh)(ij)k';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#dev', ['alice'])),
        e: to([3], welcome('carol', ['alice', 'bob', 'carol'])),
        f: to([1, 2], joined('carol', 7)),
        g: to([2], entered('#dev', ['alice', 'bob'])),
        h: to([1], joined('bob', 11, '#dev')),
        i: to([1], parted('#dev', LOBBY)),
        j: to([2], left('alice', 'part', 15, '#dev')),
        k: to([2], message('bob', 'anyone?', 19, 1, '#dev')),
      });
    });
  });

  it('parts the current or a named room, falls back to the newest room left, and removes empty rooms', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----jkprP---qsRxy', {
        a: hello('alice'),
        j: join('#dev'),
        k: join('#ops'),
        p: part(),
        r: rooms,
        P: part('#LOBBY'),
        q: part(),
        s: say('hello?'),
        R: rooms,
        x: part('#nowhere'),
        y: part('bad room'),
      });
      const bob = hot('  --b----------------', { b: hello('bob') });
      const expected = ' -a(bc)defg(hi)jklmn';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#dev', ['alice'])),
        e: to([1], entered('#ops', ['alice'])),
        // #ops was current; #dev, joined after the lobby, becomes current. Nobody is left in #ops to tell.
        f: to([1], parted('#ops', '#dev')),
        g: to([1], roomList([['#dev', 1], [LOBBY, 2]])),
        h: to([1], parted(LOBBY, '#dev')),
        i: to([2], left('alice', 'part', 10, LOBBY)),
        j: to([1], parted('#dev', null)),
        k: to([1], error('not_in_room', 'you are in no room: /join #room first')),
        l: to([1], roomList([[LOBBY, 1]])),
        m: to([1], error('not_in_room', 'you are not in #nowhere: /join #nowhere first')),
        n: to([1], error('room_invalid', expect.stringContaining('"bad room"'))),
      });
    });
  });

  it('lists rooms sorted by name whatever their case, each with its count', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----z-----mr', { a: hello('alice'), z: join('#Zed'), m: join('Mid'), r: rooms });
      const bob = hot('  --b----lz-----', { b: hello('bob'), l: join('#alpha'), z: join('#zed') });
      const expected = ' -a(bc)de(fg)hi';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#Zed', ['alice'])),
        e: to([2], entered('#alpha', ['bob'])),
        f: to([2], entered('#Zed', ['alice', 'bob'])),
        g: to([1], joined('bob', 8, '#Zed')),
        h: to([1], entered('#Mid', ['alice'])),
        i: to([1], roomList([['#alpha', 1], [LOBBY, 2], ['#Mid', 1], ['#Zed', 2]])),
      });
    });
  });

  it('names who is in the current room or any named room, sorted ignoring case', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a--------jnN-----', { a: hello('alice'), j: join('#dev'), n: names(), N: names('lobby') });
      const bob = hot('  --b----------n----', { b: hello('Bob'), n: names() });
      const carol = hot('------c-------xyz-', { c: hello('carol'), x: names('#nowhere'), y: names('bad room'), z: names('#DEV') });
      const expected = ' -a(bc)(de)fghijkl';

      const room = createRoom(cold('(abc)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('Bob', ['alice', 'Bob'])),
        c: to([1], joined('Bob', 2)),
        d: to([3], welcome('carol', ['alice', 'Bob', 'carol'])),
        e: to([1, 2], joined('carol', 6)),
        f: to([1], entered('#dev', ['alice'])),
        g: to([1], nameList('#dev', ['alice'])),
        h: to([1], nameList(LOBBY, ['alice', 'Bob', 'carol'])),
        i: to([2], nameList(LOBBY, ['alice', 'Bob', 'carol'])),
        j: to([3], error('no_such_room', 'there is no room #nowhere; /rooms lists them')),
        k: to([3], error('room_invalid', expect.stringContaining('"bad room"'))),
        // Any existing room, not only one's own.
        l: to([3], nameList('#dev', ['alice'])),
      });
    });
  });

  it('sends say and /me to the current room or to a named room one is in, and refuses other rooms', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----jxyzw---', {
        a: hello('alice'),
        j: join('#dev'),
        x: say('hi'),
        y: say('lobby hi', '#lobby'),
        z: me('waves'),
        w: me('nods', 'LOBBY'),
      });
      const bob = hot('  --b--------pqr', { b: hello('bob'), p: say('x', '#dev'), q: me('y', '#nowhere'), r: say('z', 'bad room') });
      const expected = ' -a(bc)defghijk';

      const room = createRoom(cold('(ab)', { a: conn(1, alice), b: conn(2, bob) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([1], entered('#dev', ['alice'])),
        e: to([1], message('alice', 'hi', 7, 1, '#dev')),
        f: to([1, 2], message('alice', 'lobby hi', 8, 2)),
        g: to([1], action('alice', 'waves', 9, 3, '#dev')),
        h: to([1, 2], action('alice', 'nods', 10, 4)),
        i: to([2], error('not_in_room', 'you are not in #dev: /join #dev first')),
        j: to([2], error('not_in_room', 'you are not in #nowhere: /join #nowhere first')),
        k: to([2], error('room_invalid', expect.stringContaining('"bad room"'))),
      });
    });
  });

  it('refuses to join more rooms than allowed, and an invalid room; switching and parting still work', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-ajklpmx', {
        a: hello('alice'),
        j: join('#a'),
        k: join('#b'),
        l: join('#lobby'),
        p: part('#a'),
        m: join('#b'),
        x: join('#not a room'),
      });
      const expected = ' -abcdefg';

      const config = { ...DEFAULT_ROOM_CONFIG, maxRoomsPerUser: 2 };
      const room = createRoom(cold('a', { a: conn(1, alice) }), { config });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([1], entered('#a', ['alice'])),
        c: to([1], error('too_many_rooms', 'you are in 2 rooms, the most allowed; /part one first')),
        d: to([1], entered(LOBBY, ['alice'])),
        e: to([1], parted('#a', LOBBY)),
        f: to([1], entered('#b', ['alice'])),
        g: to([1], error('room_invalid', expect.stringMatching(/^room "#not a room" is invalid: /))),
      });
    });
  });

  it('keeps rooms above the announce limit quiet: no join or leave notices, counts without lists, exact names', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a-------j----', { a: hello('alice'), j: join('#lobby') });
      const bob = hot('  --b---------q-', { b: hello('bob'), q: quit });
      const carol = hot('------c-n-q---', { c: hello('carol'), n: names(), q: quit });
      const dave = hot(' -------d---q--', { d: hello('dave'), q: quit });
      const expected = ' -a(bc)defghi(jk)';

      const config = { ...DEFAULT_ROOM_CONFIG, announceLimit: 2 };
      const room = createRoom(cold('(abcd)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol), d: conn(4, dave) }), { config });
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        // The third member makes the lobby quiet: carol and dave arrive unannounced.
        d: to([3], welcome('carol', [], 3)),
        e: to([4], welcome('dave', [], 4)),
        f: to([3], nameList(LOBBY, ['alice', 'bob', 'carol', 'dave'])),
        g: to([1], entered(LOBBY, [], 4)),
        // Leaving a quiet room is not announced either (the left event goes to nobody).
        h: to([3], bye('Goodbye, carol!')),
        i: to([4], bye('Goodbye, dave!')),
        // Two members are not too many to announce.
        j: to([2], bye('Goodbye, bob!')),
        k: to([1], left('bob', 'quit', 12)),
      });
    });
  });

  it('tells everyone who shared any room with a leaver, once, naming every room it was in', () => {
    createTestScheduler().run(({ hot, cold, expectObservable }) => {
      const alice = hot('-a----------------j----o----|', { a: hello('alice'), j: join('#dev'), o: join('#ops') });
      const bob = hot('  --b----------------j----o----', { b: hello('bob'), j: join('#dev'), o: join('#ops') });
      const carol = hot('------c----------------------', { c: hello('carol') });
      const dave = hot(' ----------d---p--------------', { d: hello('dave'), p: part() });
      const expected = ' -a(bc)(de)(fg)(hi)j(kl)m(no)p';

      const room = createRoom(cold('(abcd)', { a: conn(1, alice), b: conn(2, bob), c: conn(3, carol), d: conn(4, dave) }));
      expectObservable(received$(room)).toBe(expected, {
        a: to([1], welcome('alice', ['alice'])),
        b: to([2], welcome('bob', ['alice', 'bob'])),
        c: to([1], joined('bob', 2)),
        d: to([3], welcome('carol', ['alice', 'bob', 'carol'])),
        e: to([1, 2], joined('carol', 6)),
        f: to([4], welcome('dave', ['alice', 'bob', 'carol', 'dave'])),
        g: to([1, 2, 3], joined('dave', 10)),
        h: to([4], parted(LOBBY, null)),
        i: to([1, 2, 3], left('dave', 'part', 14, LOBBY)),
        j: to([1], entered('#dev', ['alice'])),
        k: to([2], entered('#dev', ['alice', 'bob'])),
        l: to([1], joined('bob', 19, '#dev')),
        m: to([1], entered('#ops', ['alice'])),
        n: to([2], entered('#ops', ['alice', 'bob'])),
        o: to([1], joined('bob', 24, '#ops')),
        // bob shares three rooms with alice and carol one: each is told once. dave, in no room, is not.
        p: to([2, 3], left('alice', 'disconnect', 28)),
      });
    });
  });
});
