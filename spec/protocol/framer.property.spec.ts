import fc from 'fast-check';
import { FramerOutput } from '../../src/protocol/framer';
import { byteByByte, frameChunks, splitAt } from './framer-helpers';

/** Enough runs to find boundary cases, few enough that the file takes a couple of seconds. */
const NUM_RUNS = 300;

/** Small limits, so that random lines often land on, just under and just over them. */
const maxFrameBytes = fc.integer({ min: 1, max: 24 });

/**
 * Byte streams built from pieces that matter to a framer: text (any code point, so 1–4 byte characters),
 * line endings, lone `\r`, and raw bytes that are often invalid UTF-8.
 */
const byteStream = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }).map((text) => Buffer.from(text, 'utf8')),
      fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\0').map((text) => Buffer.from(text, 'utf8')),
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => new Uint8Array(Buffer.concat(pieces)));

/** A stream together with random places to cut it into chunks. */
const chunkedStream = byteStream.chain((bytes) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 })
    .map((cuts) => ({ bytes, chunks: splitAt(bytes, [...cuts].sort((a, b) => a - b)) })),
);

/** Lines as the protocol counts them: each LF, CR, CRLF or CR NUL ends one, and a final unterminated line counts. */
function countLines(bytes: Uint8Array): number {
  let lines = 0;
  let open = false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) {
      lines += 1;
      open = false;
      if (bytes[i] === 0x0d && (bytes[i + 1] === 0x0a || bytes[i + 1] === 0x00)) i += 1;
    } else {
      open = true;
    }
  }
  return lines + (open ? 1 : 0);
}

describe('LineFramer properties', () => {
  it('never throws, and gives the same frames however the stream is chunked', () => {
    fc.assert(
      fc.property(chunkedStream, maxFrameBytes, ({ bytes, chunks }, max) => {
        const whole = frameChunks([bytes], max);
        expect(frameChunks(chunks, max)).toEqual(whole);
        expect(frameChunks(byteByByte(bytes), max)).toEqual(whole);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('emits exactly one frame or error per line, and no frame over the limit', () => {
    fc.assert(
      fc.property(chunkedStream, maxFrameBytes, ({ bytes, chunks }, max) => {
        const out = frameChunks(chunks, max);
        expect(out).toHaveLength(countLines(bytes));
        for (const output of out) {
          if (output.kind === 'frame') {
            expect(Buffer.byteLength(output.text, 'utf8')).toBeLessThanOrEqual(max);
            expect(output.text).not.toContain('\n');
          }
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('delivers well-formed lines exactly, rejecting only those over the limit', () => {
    const line = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !/[\r\n\0]/.test(text));
    // No lone CR here: a CR line end followed by an empty LF-terminated line is, rightly, one CRLF.
    const terminator = fc.constantFrom('\n', '\r\n', '\r\0');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, terminator), { maxLength: 10 }),
        fc.boolean(),
        maxFrameBytes,
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, endWithTerminator, max, cutSeeds) => {
          const text =
            lines.map(([content, end]) => content + end).join('') + (endWithTerminator ? '' : 'tail');
          const bytes = Buffer.from(text, 'utf8');
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (bytes.length + 1)))].sort((a, b) => a - b);
          const expected: FramerOutput[] = [...lines.map(([content]) => content), ...(endWithTerminator ? [] : ['tail'])].map(
            (content) =>
              Buffer.byteLength(content, 'utf8') <= max
                ? { kind: 'frame', text: content }
                : expect.objectContaining({ kind: 'error', code: 'frame_too_large' }),
          );
          expect(frameChunks(splitAt(bytes, cuts), max)).toEqual(expected);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
