import { HistoryRecipient, HistoryReplay, HistoryStore } from '../../src/cluster/history-replay';
import { MessageEvent, ServerEvent } from '../../src/protocol/frames';
import { LOBBY } from '../../src/protocol/limits';
import { recipients, RoomInput } from '../../src/room/events';
import { reduceRoom } from '../../src/room/reducer';
import { ConnId, DEFAULT_ROOM_CONFIG, initialRoomState, RoomConfig, RoomState } from '../../src/room/state';
import { Logger } from '../../src/support/logger';
import { SharedEncoding } from '../../src/protocol/shared-encoding';

/** Messages replayed per room, as `--history` would set it. */
const HISTORY = 3;

/** In a cluster the reducer keeps no history itself (server.ts sets it to 0): Redis does. */
const CLUSTER_ROOM_CONFIG: RoomConfig = { ...DEFAULT_ROOM_CONFIG, historyLength: 0 };

/** Connections on this node, and one on another node (its deliveries are not ours to make). */
const ALICE = 1;
const CAROL = 2;
const BOB = 3 * 2 ** 32 + 1;

interface Read {
  readonly roomKey: string;
  readonly beforeId: number;
  readonly count: number;
  resolve(messages: MessageEvent[]): void;
  reject(err: Error): void;
}

/** A history store whose reads stay pending until the test answers them. */
class FakeStore implements HistoryStore {
  readonly kept: Array<{ roomKey: string; message: MessageEvent }> = [];
  readonly reads: Read[] = [];

  keep(roomKey: string, message: MessageEvent): void {
    this.kept.push({ roomKey, message });
  }

  recent(roomKey: string, beforeId: number, count: number): Promise<MessageEvent[]> {
    return new Promise((resolve, reject) => this.reads.push({ roomKey, beforeId, count, resolve, reject }));
  }

  /** The messages kept for a room with ids below `beforeId`, as Redis would answer. */
  stored(roomKey: string, beforeId: number): MessageEvent[] {
    return this.kept.filter((k) => k.roomKey === roomKey && k.message.id < beforeId).map((k) => k.message).slice(-HISTORY);
  }
}

class FakeRecipient implements HistoryRecipient {
  readonly events: ServerEvent[] = [];
  constructor(readonly id: ConnId) {}
  deliver(encoding: SharedEncoding): void {
    this.events.push(encoding.event);
  }
}

function createLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, error() {}, warn: (message) => warnings.push(message), info() {}, debug() {} };
}

/**
 * A node as server.ts drives the replay: every input of the shared log is folded by the reducer, its
 * transition recorded, and each delivery handed to the replay for the recipients that live here.
 */
class Node {
  state: RoomState = initialRoomState;
  private ts = 0;
  readonly store = new FakeStore();
  readonly log = createLog();
  readonly replay: HistoryReplay;
  readonly local = new Map<ConnId, FakeRecipient>();

  constructor(localIds: ConnId[], length = HISTORY) {
    for (const id of localIds) this.local.set(id, new FakeRecipient(id));
    this.replay = new HistoryReplay(this.store, length, this.log);
  }

  apply(from: ConnId, command: Record<string, unknown> & { type: string }): void {
    const before = this.state;
    const transition = reduceRoom(before, { ...command, from, ts: ++this.ts } as RoomInput, CLUSTER_ROOM_CONFIG);
    this.state = transition.state;
    this.replay.record(transition);
    for (const delivery of transition.deliveries) {
      const encoding = new SharedEncoding(delivery.event);
      for (const id of recipients(delivery.to)) {
        const recipient = this.local.get(id);
        if (recipient) this.replay.deliver(recipient, encoding, before, this.state);
      }
    }
  }

  events(id: ConnId): ServerEvent[] {
    return this.local.get(id)!.events;
  }
}

/** Lets a settled read's callbacks run (the replay delivers, then releases what it held). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const message = (from: string, text: string, id: number, room = LOBBY): MessageEvent => ({ type: 'message', room, from, text, ts: expect.any(Number), id });
const history = (event: MessageEvent): MessageEvent => ({ ...event, history: true });

describe('HistoryReplay', () => {
  it('sends history right after the welcome, and holds later deliveries to that connection until then', async () => {
    const node = new Node([ALICE]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(BOB, { type: 'say', text: 'one' });
    node.apply(BOB, { type: 'say', text: 'two' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });

    expect(node.store.reads).toEqual([expect.objectContaining({ roomKey: '#lobby', beforeId: 3, count: HISTORY })]);
    expect(node.events(ALICE).map((e) => e.type)).toEqual(['welcome']);

    // Said after alice arrived: live, so it must come after the history even though it is here first.
    node.apply(BOB, { type: 'say', text: 'three' });
    node.apply(BOB, { type: 'me', text: 'waves' });
    expect(node.events(ALICE).map((e) => e.type)).toEqual(['welcome']);

    node.store.reads[0].resolve(node.store.stored('#lobby', 3));
    await settle();
    expect(node.events(ALICE)).toEqual([
      expect.objectContaining({ type: 'welcome', name: 'alice' }),
      history(message('bob', 'one', 1)),
      history(message('bob', 'two', 2)),
      message('bob', 'three', 3),
      { ...message('bob', 'waves', 4), action: true },
    ]);

    // Nothing held any more: the next delivery goes straight through.
    node.apply(BOB, { type: 'say', text: 'four' });
    expect(node.events(ALICE).at(-1)).toEqual(message('bob', 'four', 5));
    expect(node.store.reads).toHaveLength(1);
  });

  it('marks replayed messages as history in the room as the arrival names it', async () => {
    const node = new Node([ALICE]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(BOB, { type: 'join', room: '#Dev' });
    node.apply(BOB, { type: 'say', text: 'hi', room: '#Dev' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.store.reads[0].resolve([]);
    await settle();

    node.apply(ALICE, { type: 'join', room: 'dev' });
    expect(node.store.reads[1]).toEqual(expect.objectContaining({ roomKey: '#dev', beforeId: 2 }));
    // A store that kept the room under another spelling still replays it under the room's name.
    node.store.reads[1].resolve([{ ...message('bob', 'hi', 1, '#dev') }]);
    await settle();
    expect(node.events(ALICE).slice(-2)).toEqual([expect.objectContaining({ type: 'entered', room: '#Dev' }), history(message('bob', 'hi', 1, '#Dev'))]);
  });

  it('does not hold other connections while one waits for its history', async () => {
    const node = new Node([ALICE, CAROL]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(CAROL, { type: 'hello', name: 'carol' });
    node.store.reads[0].resolve([]);
    await settle();

    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(BOB, { type: 'say', text: 'live' });
    expect(node.events(CAROL).slice(-2)).toEqual([expect.objectContaining({ type: 'joined', name: 'alice' }), message('bob', 'live', 1)]);
    expect(node.events(ALICE).map((e) => e.type)).toEqual(['welcome']);

    node.store.reads[1].resolve([]);
    await settle();
    expect(node.events(ALICE)).toEqual([expect.objectContaining({ type: 'welcome' }), message('bob', 'live', 1)]);
  });

  it('fetches nothing when a join only switches to a room the user is already in', async () => {
    const node = new Node([ALICE]);
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(ALICE, { type: 'join', room: '#dev' });
    node.store.reads[0].resolve([]);
    await settle();
    node.store.reads[1].resolve([]);
    await settle();
    expect(node.store.reads).toHaveLength(2);

    node.apply(ALICE, { type: 'join', room: LOBBY });
    node.apply(ALICE, { type: 'say', text: 'back in the lobby' });
    expect(node.store.reads).toHaveLength(2);
    expect(node.events(ALICE).slice(-2)).toEqual([expect.objectContaining({ type: 'entered', room: LOBBY }), message('alice', 'back in the lobby', 1)]);
  });

  it('fetches again when the user comes back to a room they had left', async () => {
    const node = new Node([ALICE]);
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.store.reads[0].resolve([]);
    await settle();
    node.apply(ALICE, { type: 'say', text: 'x' });
    node.apply(ALICE, { type: 'part' });
    node.apply(ALICE, { type: 'join', room: LOBBY });
    expect(node.store.reads[1]).toEqual(expect.objectContaining({ roomKey: '#lobby', beforeId: 2 }));
  });

  it('gives two arrivals in a row each their own history, in order, before later deliveries', async () => {
    const node = new Node([ALICE]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(BOB, { type: 'join', room: '#dev' });
    node.apply(BOB, { type: 'say', text: 'lobby 1', room: LOBBY });
    node.apply(BOB, { type: 'say', text: 'dev 2', room: '#dev' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(BOB, { type: 'say', text: 'dev 3', room: '#dev' });
    node.apply(ALICE, { type: 'join', room: '#dev' });
    node.apply(BOB, { type: 'say', text: 'dev 4', room: '#dev' });
    node.apply(BOB, { type: 'say', text: 'lobby 5', room: LOBBY });
    expect(node.events(ALICE).map((e) => e.type)).toEqual(['welcome']);

    node.store.reads[0].resolve(node.store.stored('#lobby', node.store.reads[0].beforeId));
    await settle();
    // The second arrival's read asks for what was said before *it*, not before the first.
    const dev = node.store.reads.find((read) => read.roomKey === '#dev')!;
    expect(dev.beforeId).toBe(4);
    dev.resolve(node.store.stored('#dev', dev.beforeId));
    await settle();

    expect(node.events(ALICE)).toEqual([
      expect.objectContaining({ type: 'welcome' }),
      history(message('bob', 'lobby 1', 1)),
      expect.objectContaining({ type: 'entered', room: '#dev' }),
      history(message('bob', 'dev 2', 2, '#dev')),
      history(message('bob', 'dev 3', 3, '#dev')),
      message('bob', 'dev 4', 4, '#dev'),
      message('bob', 'lobby 5', 5),
    ]);
  });

  it('says the history could not be read when the store fails, then sends what it held', async () => {
    const node = new Node([ALICE]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(BOB, { type: 'say', text: 'lost' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(BOB, { type: 'say', text: 'live' });

    node.store.reads[0].reject(new Error('Command timed out'));
    await settle();
    expect(node.events(ALICE)).toEqual([
      expect.objectContaining({ type: 'welcome' }),
      { type: 'error', code: 'unavailable', message: expect.stringContaining(LOBBY) },
      message('bob', 'live', 2),
    ]);
    expect(node.log.warnings).toEqual([expect.stringContaining('Command timed out')]);

    // And the connection is not stuck waiting afterwards.
    node.apply(BOB, { type: 'say', text: 'next' });
    expect(node.events(ALICE).at(-1)).toEqual(message('bob', 'next', 3));
  });

  it('never reads or keeps anything when the history length is 0', () => {
    const node = new Node([ALICE], 0);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(BOB, { type: 'say', text: 'one' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(ALICE, { type: 'join', room: '#dev' });
    node.apply(BOB, { type: 'say', text: 'two' });

    expect(node.store.reads).toEqual([]);
    expect(node.store.kept).toEqual([]);
    expect(node.events(ALICE).map((e) => e.type)).toEqual(['welcome', 'entered', 'message']);
  });

  it('keeps room messages, each under its room`s key, and not private ones', () => {
    const node = new Node([]);
    node.apply(BOB, { type: 'hello', name: 'bob' });
    node.apply(ALICE, { type: 'hello', name: 'alice' });
    node.apply(BOB, { type: 'join', room: '#Dev' });
    node.apply(BOB, { type: 'say', text: 'in the lobby', room: LOBBY });
    node.apply(BOB, { type: 'msg', to: 'alice', text: 'psst' });
    node.apply(BOB, { type: 'me', text: 'waves', room: '#Dev' });
    node.apply(ALICE, { type: 'msg', to: 'alice', text: 'note to self' });
    node.apply(ALICE, { type: 'names' });

    expect(node.store.kept).toEqual([
      { roomKey: '#lobby', message: message('bob', 'in the lobby', 1) },
      { roomKey: '#dev', message: { ...message('bob', 'waves', 3, '#Dev'), action: true } },
    ]);
  });
});
