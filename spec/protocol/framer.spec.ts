import { from, Observable, Subject, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { FramerOutput, frameLines, LineFramer } from '../../src/protocol/framer';
import { byteByByte, bytes, failure, frame, frameChunks, splitAt } from './framer-helpers';

const MAX = 64;

describe('LineFramer', () => {
  describe('fragmentation', () => {
    it('delivers lines fed one byte at a time', () => {
      expect(frameChunks(byteByByte(bytes('hello\nworld\n')), MAX)).toEqual([frame('hello'), frame('world')]);
    });

    it('delivers many frames from one chunk, in order', () => {
      const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
      expect(frameChunks([bytes(lines.map((l) => `${l}\n`).join(''))], MAX)).toEqual(lines.map(frame));
    });

    it('joins a line split across many chunks, with several lines per chunk', () => {
      const chunks = ['al', 'ice\nb', 'o', 'b\ncar', 'ol\nda', 've\n'].map(bytes);
      expect(frameChunks(chunks, MAX)).toEqual(['alice', 'bob', 'carol', 'dave'].map(frame));
    });

    it('does not emit a line before its newline arrives', () => {
      const framer = new LineFramer(MAX);
      const out: FramerOutput[] = [];
      framer.push(bytes('partial'), (o) => out.push(o));
      expect(out).toEqual([]);
      framer.push(bytes(' line\n'), (o) => out.push(o));
      expect(out).toEqual([frame('partial line')]);
    });

    it('keeps its own copy of an open line, so the sender may reuse the chunk memory', () => {
      const framer = new LineFramer(MAX);
      const out: FramerOutput[] = [];
      const chunk = Buffer.from('abc');
      framer.push(chunk, (o) => out.push(o));
      chunk.fill(0x78); // a socket may hand the same memory back with other data in it
      framer.push(bytes('\n'), (o) => out.push(o));
      expect(out).toEqual([frame('abc')]);
    });

    it('accepts plain Uint8Array chunks, including views into a larger buffer', () => {
      const backing = new Uint8Array(bytes('xxhi\nthere\nyy'));
      const view = backing.subarray(2, 11);
      expect(frameChunks([view], MAX)).toEqual([frame('hi'), frame('there')]);
    });

    it.each([
      ['2-byte', 'é'],
      ['3-byte', '€'],
      ['4-byte', '😀'],
    ])('joins a %s UTF-8 character split across chunks at every position', (_, char) => {
      const line = bytes(`a${char}b${char}\n`);
      for (let cut = 0; cut <= line.length; cut++) {
        expect(frameChunks(splitAt(line, [cut]), MAX)).toEqual([frame(`a${char}b${char}`)]);
      }
      for (let first = 1; first < line.length; first++) {
        for (let second = first; second < line.length; second++) {
          expect(frameChunks(splitAt(line, [first, second]), MAX)).toEqual([frame(`a${char}b${char}`)]);
        }
      }
      expect(frameChunks(byteByByte(line), MAX)).toEqual([frame(`a${char}b${char}`)]);
    });
  });

  describe('line endings and empty lines', () => {
    it('accepts both \\n and \\r\\n, mixed, and removes them from the frame', () => {
      expect(frameChunks([bytes('one\r\ntwo\nthree\r\n')], MAX)).toEqual(['one', 'two', 'three'].map(frame));
    });

    it('handles \\r\\n split between chunks', () => {
      expect(frameChunks([bytes('one\r'), bytes('\ntwo\r'), bytes('\n')], MAX)).toEqual(['one', 'two'].map(frame));
    });

    it('ends a line at a lone \\r, as old terminals and some telnet modes send', () => {
      expect(frameChunks([bytes('one\rtwo\rthree\r')], MAX)).toEqual(['one', 'two', 'three'].map(frame));
      expect(frameChunks(byteByByte(bytes('one\rtwo\r')), MAX)).toEqual(['one', 'two'].map(frame));
    });

    it('takes \\r NUL (telnet) as one line end, also split between chunks', () => {
      const input = Buffer.concat([bytes('one'), Buffer.from([0x0d, 0x00]), bytes('two'), Buffer.from([0x0d, 0x00])]);
      expect(frameChunks([input], MAX)).toEqual(['one', 'two'].map(frame));
      expect(frameChunks(byteByByte(input), MAX)).toEqual(['one', 'two'].map(frame));
    });

    it('keeps a NUL that does not follow a \\r as a character', () => {
      expect(frameChunks([Buffer.from([0x61, 0x0a, 0x00, 0x62, 0x0a])], MAX)).toEqual([frame('a'), frame('\u0000b')]);
    });

    it('takes \\r\\r\\n as an empty line after a line', () => {
      expect(frameChunks([bytes('a\r\r\n')], MAX)).toEqual([frame('a'), frame('')]);
    });

    it('takes \\n\\r as two line ends (an LF, then a lone CR)', () => {
      expect(frameChunks([bytes('a\n\rb\n')], MAX)).toEqual([frame('a'), frame(''), frame('b')]);
    });

    it('says whether the peer has ended a line yet, and whether a line is open', () => {
      const framer = new LineFramer(MAX);
      const out: FramerOutput[] = [];
      framer.push(bytes('name'), (o) => out.push(o));
      expect([framer.hasSentLineEnd, framer.hasOpenLine]).toEqual([false, true]);
      framer.endLine((o) => out.push(o));
      expect([framer.hasSentLineEnd, framer.hasOpenLine]).toEqual([false, false]);
      framer.push(bytes('hi\r'), (o) => out.push(o));
      expect([framer.hasSentLineEnd, framer.hasOpenLine]).toEqual([true, false]);
      expect(out).toEqual([frame('name'), frame('hi')]);
    });

    it('emits empty lines as empty frames', () => {
      expect(frameChunks([bytes('\n\r\n\n')], MAX)).toEqual([frame(''), frame(''), frame('')]);
      expect(frameChunks(byteByByte(bytes('a\n\nb\n')), MAX)).toEqual([frame('a'), frame(''), frame('b')]);
    });

    it('emits nothing for an empty stream, and nothing extra after a final newline', () => {
      expect(frameChunks([], MAX)).toEqual([]);
      expect(frameChunks([new Uint8Array(0)], MAX)).toEqual([]);
      expect(frameChunks([bytes('last\n')], MAX)).toEqual([frame('last')]);
    });

    it('emits a final unterminated line when the stream ends', () => {
      expect(frameChunks([bytes('first\nno newline')], MAX)).toEqual([frame('first'), frame('no newline')]);
      expect(frameChunks(byteByByte(bytes('x')), MAX)).toEqual([frame('x')]);
    });

    it('does not emit the unterminated line if the stream has not ended', () => {
      expect(frameChunks([bytes('first\nopen')], MAX, false)).toEqual([frame('first')]);
    });
  });

  describe('size limit', () => {
    const LIMIT = 8;
    const exactly = 'x'.repeat(LIMIT);
    const oneOver = 'x'.repeat(LIMIT + 1);

    it('accepts a line of exactly the limit and rejects one byte more', () => {
      expect(frameChunks([bytes(`${exactly}\n`)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(`${oneOver}\n`)], LIMIT)).toEqual([failure('frame_too_large')]);
    });

    it('does not count the \\r of a \\r\\n against the limit', () => {
      expect(frameChunks([bytes(`${exactly}\r\n`)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(`${oneOver}\r\n`)], LIMIT)).toEqual([failure('frame_too_large')]);
    });

    it('does not count a lone \\r against the limit: it ends the line', () => {
      expect(frameChunks([bytes(`${exactly}\r`)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(`${exactly}\r\0`)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(`${oneOver}\rok\r`)], LIMIT)).toEqual([failure('frame_too_large'), frame('ok')]);
    });

    it('gives the same answer at the boundary however the line is chunked', () => {
      const cases: Array<[string, FramerOutput[]]> = [
        [`${exactly}\nok\n`, [frame(exactly), frame('ok')]],
        [`${exactly}\r\nok\n`, [frame(exactly), frame('ok')]],
        [`${oneOver}\nok\n`, [failure('frame_too_large') as FramerOutput, frame('ok')]],
        [`${oneOver}\r\nok\n`, [failure('frame_too_large') as FramerOutput, frame('ok')]],
        [`${exactly}x\rok\nok\n`, [failure('frame_too_large') as FramerOutput, frame('ok'), frame('ok')]],
        [`${exactly}\rok\r\0`, [frame(exactly), frame('ok')]],
      ];
      for (const [text, expected] of cases) {
        const input = bytes(text);
        for (let cut = 0; cut <= input.length; cut++) {
          expect(frameChunks(splitAt(input, [cut]), LIMIT)).toEqual(expected);
        }
        expect(frameChunks(byteByByte(input), LIMIT)).toEqual(expected);
      }
    });

    it('counts bytes, not characters', () => {
      // '€' is three bytes: two of them and two ASCII letters are exactly eight bytes.
      expect(frameChunks([bytes('€€ab\n')], LIMIT)).toEqual([frame('€€ab')]);
      expect(frameChunks([bytes('€€abc\n')], LIMIT)).toEqual([failure('frame_too_large')]);
    });

    it('applies the limit to a final unterminated line too', () => {
      expect(frameChunks([bytes(exactly)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(`${exactly}\r`)], LIMIT)).toEqual([frame(exactly)]);
      expect(frameChunks([bytes(oneOver)], LIMIT)).toEqual([failure('frame_too_large')]);
      expect(frameChunks(byteByByte(bytes(`ok\n${oneOver}`)), LIMIT)).toEqual([frame('ok'), failure('frame_too_large')]);
    });

    it('recovers after an oversized line: the next line is delivered intact', () => {
      const input = bytes(`${'y'.repeat(100)}\nafter\n`);
      expect(frameChunks([input], LIMIT)).toEqual([failure('frame_too_large'), frame('after')]);
      expect(frameChunks(byteByByte(input), LIMIT)).toEqual([failure('frame_too_large'), frame('after')]);
    });

    it('reports each oversized line once', () => {
      const input = bytes(`${oneOver}\n${oneOver}${oneOver}\nok\n${oneOver}`);
      expect(frameChunks(byteByByte(input), LIMIT)).toEqual([
        failure('frame_too_large'),
        failure('frame_too_large'),
        frame('ok'),
        failure('frame_too_large'),
      ]);
    });

    it('enforces the limit while buffering: megabytes without a newline cost one error, reported early', () => {
      const limit = 16 * 1024;
      const framer = new LineFramer(limit);
      const out: FramerOutput[] = [];
      const emit = (o: FramerOutput) => out.push(o);
      const chunk = Buffer.alloc(1000, 0x61);
      let fed = 0;
      let fedWhenReported = -1;
      while (fed < 5 * 1024 * 1024) {
        framer.push(chunk, emit);
        fed += chunk.length;
        if (fedWhenReported < 0 && out.length > 0) fedWhenReported = fed;
      }
      // The error comes as soon as the open line passes the limit, not when its newline finally arrives:
      // the framer knew the line was lost without keeping it.
      expect(fedWhenReported).toBeGreaterThan(limit);
      expect(fedWhenReported).toBeLessThanOrEqual(limit + chunk.length + 1);
      expect(out).toEqual([failure('frame_too_large')]);

      framer.push(bytes('tail of the huge line\nnext line\n'), emit);
      framer.end(emit);
      expect(out).toEqual([failure('frame_too_large'), frame('next line')]);
    });

    it('rejects one huge chunk without a newline at once', () => {
      const framer = new LineFramer(MAX);
      const out: FramerOutput[] = [];
      framer.push(Buffer.alloc(5 * 1024 * 1024, 0x61), (o) => out.push(o));
      expect(out).toEqual([failure('frame_too_large')]);
      // The discarded line's remainder is not a frame when the stream ends.
      framer.end((o) => out.push(o));
      expect(out).toEqual([failure('frame_too_large')]);
    });
  });

  describe('invalid UTF-8', () => {
    const invalid: Array<[string, number[]]> = [
      ['a bad continuation byte', [0x61, 0xc3, 0x28]],
      ['a stray continuation byte', [0x80, 0x61]],
      ['an overlong two-byte NUL', [0xc0, 0x80]],
      ['an overlong three-byte slash', [0xe0, 0x80, 0xaf]],
      ['an overlong four-byte encoding', [0xf0, 0x80, 0x80, 0xaf]],
      ['an encoded lone high surrogate', [0xed, 0xa0, 0x80]],
      ['an encoded lone low surrogate', [0xed, 0xbf, 0xbf]],
      ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a 0xFF byte', [0x61, 0xff]],
      ['a character truncated at the end of the line', [0x61, 0xe2, 0x82]],
    ];

    it.each(invalid)('rejects %s with bad_utf8 and carries on with the next line', (_, sequence) => {
      const input = Buffer.concat([Buffer.from(sequence), bytes('\nnext\n')]);
      expect(frameChunks([input], MAX)).toEqual([failure('bad_utf8'), frame('next')]);
      expect(frameChunks(byteByByte(input), MAX)).toEqual([failure('bad_utf8'), frame('next')]);
    });

    it('rejects a character truncated at the end of the stream', () => {
      expect(frameChunks([bytes('ok\n'), Buffer.from([0x61, 0xf0, 0x9f, 0x98])], MAX)).toEqual([
        frame('ok'),
        failure('bad_utf8'),
      ]);
    });

    it('keeps a NUL byte (valid UTF-8) for the sanitizer to deal with', () => {
      expect(frameChunks([Buffer.from([0x61, 0x00, 0x62, 0x0a])], MAX)).toEqual([frame('a\u0000b')]);
    });
  });
});

describe('frameLines', () => {
  it('frames a byte stream and completes after the final unterminated line', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const bytes$ = cold('-a-b--c-|', { a: bytes('hel'), b: bytes('lo\nwor'), c: bytes('ld\r\n!') });
      expectObservable(bytes$.pipe(frameLines(MAX))).toBe('---b--c-(d|)', {
        b: frame('hello'),
        c: frame('world'),
        d: frame('!'),
      });
    });
  });

  it('emits framing errors as values and keeps going', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const bytes$ = cold('-a-b-c|', { a: bytes('x'.repeat(6)), b: bytes('x\nok\n'), c: Buffer.from([0xc0, 0x80, 0x0a]) });
      expectObservable(bytes$.pipe(frameLines(4))).toBe('-a-b-c|', {
        a: failure('frame_too_large'),
        b: frame('ok'),
        c: failure('bad_utf8'),
      } as Record<string, FramerOutput>);
    });
  });

  it('passes an error of the byte stream on, without a partial line', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const bytes$ = cold('-a-b-#', { a: bytes('one\n'), b: bytes('partial') }, new Error('reset'));
      expectObservable(bytes$.pipe(frameLines(MAX))).toBe('-a---#', { a: frame('one') }, new Error('reset'));
    });
  });

  it('gives each subscription its own framer', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const bytes$ = cold('-a-b|', { a: bytes('sha'), b: bytes('red\n') }).pipe(frameLines(MAX));
      expectObservable(bytes$).toBe('---a|', { a: frame('shared') });
      expectObservable(bytes$).toBe('---a|', { a: frame('shared') });
    });
  });

  it('stops reading the source when unsubscribed', () => {
    const source = new Subject<Uint8Array>();
    const seen: FramerOutput[] = [];
    const subscription = source.pipe(frameLines(MAX)).subscribe((o) => seen.push(o));
    source.next(bytes('one\n'));
    subscription.unsubscribe();
    expect(source.observed).toBe(false);
    source.next(bytes('two\n'));
    expect(seen).toEqual([frame('one')]);
  });

  describe('a pause ends the line of a peer that has never ended one (idleLineMs)', () => {
    const IDLE = 200;
    const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const options = { maxFrameBytes: MAX, idleLineMs: IDLE };

    it('takes each write of a client that sends no line ends as one line: the name, each message, {quit}', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        // The original chat clients: one write per message, a few hundred ms apart, no newline.
        const bytes$ = cold('a 299ms b 299ms c', { a: bytes('giulia'), b: bytes('ciao a tutti'), c: bytes('{quit}') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('200ms x 299ms y 299ms z', {
          x: frame('giulia'),
          y: frame('ciao a tutti'),
          z: frame('{quit}'),
        });
      });
    });

    it('times the pause from the last byte: a write that arrives in pieces stays one line', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 99ms b 99ms c', { a: bytes('ciao '), b: bytes('a '), c: bytes('tutti') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('400ms x', { x: frame('ciao a tutti') });
      });
    });

    it('never cuts the lines of a client that has ended a line: slow pieces make one message', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 299ms b 299ms c 299ms d', {
          a: bytes('alice\n'),
          b: bytes('slow '),
          c: bytes('but '),
          d: bytes('whole\n'),
        });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('x 899ms y', { x: frame('alice'), y: frame('slow but whole') });
      });
    });

    it('counts a lone CR as a line end: a CR client is a line client', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 299ms b 299ms c', { a: bytes('bob\r'), b: bytes('half '), c: bytes('line\r') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('x 599ms y', { x: frame('bob'), y: frame('half line') });
      });
    });

    it('becomes a line client at its first line end, even after pause-ended lines', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 299ms b 299ms c 299ms d', { a: bytes('carol'), b: bytes('hi\n'), c: bytes('wait '), d: bytes('for it\n') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('200ms w 99ms x 599ms y', {
          w: frame('carol'),
          x: frame('hi'),
          y: frame('wait for it'),
        });
      });
    });

    it('ends a pause-delimited line that was too long as an error, then reads the next write', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 299ms b', { a: bytes('x'.repeat(MAX + 1)), b: bytes('next') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('e 499ms y', {
          e: failure('frame_too_large'),
          y: frame('next'),
        } as Record<string, FramerOutput>);
      });
    });

    it('does nothing at a pause when turned off (0), and ends the open line only when the stream ends', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 999ms |', { a: bytes('giulia') });
        expectObservable(bytes$.pipe(frameLines({ maxFrameBytes: MAX, idleLineMs: 0 }))).toBe('1000ms (x|)', { x: frame('giulia') });
      });
    });

    it('ends the open line once when the stream ends before the pause, with no timer left behind', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const bytes$ = cold('a 50ms |', { a: bytes('bye') });
        expectObservable(bytes$.pipe(frameLines(options))).toBe('51ms (x|)', { x: frame('bye') });
      });
    });
  });

  it('works as an ordinary operator on a synchronous source', () => {
    let result: FramerOutput[] = [];
    const source: Observable<Uint8Array> = from(byteByByte(bytes('a\r\nb\n\nc')));
    source.pipe(frameLines(MAX), toArray()).subscribe((all) => (result = all));
    expect(result).toEqual(['a', 'b', '', 'c'].map(frame));
  });
});
