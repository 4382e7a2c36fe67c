import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeControl, findControl } from '../../protocol/controls.js';
import { LineDecoder } from '../../protocol/line-decoder.js';
import { Prng } from '../../loadgen/prng.js';

function decode(chunks: Buffer[], maxLine = 4096) {
  const out: string[] = [];
  let overflows = 0;
  const d = new LineDecoder(maxLine, { onLine: (l) => out.push(l.toString('utf8')), onOverflow: () => overflows++ });
  for (const c of chunks) d.push(c);
  return { out, overflows, pending: d.pendingBytes };
}

const input = Buffer.from('привет мир\r\nhello\n\nдобро-пожаловать 🎉\n', 'utf8');
const expected = ['привет мир', 'hello', '', 'добро-пожаловать 🎉'];

test('whole input gives each line, CR before LF dropped', () => {
  assert.equal(decode([input]).out, expected);
});

test('split at every byte position (two chunks) gives the same lines', () => {
  for (let i = 1; i < input.length; i++) {
    const r = decode([input.subarray(0, i), input.subarray(i)]);
    assert.equal(r.out, expected, `split at ${i}`);
  }
});

test('one byte per chunk gives the same lines', () => {
  const chunks = [...input].map((b) => Buffer.from([b]));
  assert.equal(decode(chunks).out, expected);
});

test('split at every pair of positions (three chunks)', () => {
  for (let i = 1; i < input.length; i += 3) {
    for (let j = i + 1; j < input.length; j += 5) {
      const r = decode([input.subarray(0, i), input.subarray(i, j), input.subarray(j)]);
      assert.equal(r.out, expected, `split at ${i},${j}`);
    }
  }
});

test('an unfinished line is held, not emitted', () => {
  const r = decode([Buffer.from('abc\ndef')]);
  assert.equal(r.out, ['abc']);
  assert.is(r.pending, 3);
});

test('a line over the limit is refused once and the next line still arrives', () => {
  const long = Buffer.from(`${'x'.repeat(20)}\nok\n`);
  const r = decode([long], 10);
  assert.equal(r.out, ['ok']);
  assert.is(r.overflows, 1);
});

test('an over-long line split across many chunks is refused before it is buffered', () => {
  const got: string[] = [];
  let overflows = 0;
  const d = new LineDecoder(100, { onLine: (l) => got.push(l.toString()), onOverflow: () => overflows++ });
  for (let i = 0; i < 1000; i++) d.push(Buffer.alloc(1000, 0x61));
  assert.is(d.pendingBytes, 0, 'nothing buffered while discarding');
  assert.is(overflows, 1, 'refused once');
  d.push(Buffer.from('tail of the long line\nok\n'));
  assert.equal(got, ['ok'], 'the next line arrives');
});

test('exactly max bytes (with CRLF split before LF) is accepted', () => {
  const r = decode([Buffer.from(`${'y'.repeat(10)}\r`), Buffer.from('\n')], 10);
  assert.equal(r.out, ['y'.repeat(10)]);
  assert.is(r.overflows, 0);
});

test('lines inside a read whose bytes are valid UTF-8 come pre-checked; the first line, split ones and reads with bad bytes do not', () => {
  const got: [string, boolean][] = [];
  const d = new LineDecoder(100, { onLine: (l, checked) => got.push([l.toString('utf8'), checked]), onOverflow: () => {} }, true);
  d.push(Buffer.from('first\nsecond ü\nthird\npart'));
  d.push(Buffer.from('ial\nnext\n'));
  assert.equal(got.splice(0), [['first', false], ['second ü', true], ['third', true], ['partial', false], ['next', true]]);
  const e = Buffer.from('€');
  d.push(Buffer.concat([Buffer.from('a\nb\n'), e.subarray(0, 1)]));
  d.push(Buffer.concat([e.subarray(1), Buffer.from('\nc\nd\n')]));
  assert.equal(got.splice(0), [['a', false], ['b', true], ['€', false], ['c', true], ['d', true]], 'a character split across reads');
  d.push(Buffer.from([0x61, 10, 0x62, 10, 0xff, 10, 0x63, 10, 0x64, 10]));
  assert.ok(got.every(([, checked]) => !checked), 'one bad byte: every line is left to the receiver to check');
  assert.is(got.length, 5);
  const plain: boolean[] = [];
  new LineDecoder(100, { onLine: (_l, checked) => plain.push(checked), onOverflow: () => {} }).push(Buffer.from('a\nb\nc\n'));
  assert.equal(plain, [false, false, false], 'a decoder made without checkUtf8 checks nothing');
});

test('the per-read pre-check also covers control characters: a read with one leaves every line to the receiver', () => {
  const got: [string, boolean][] = [];
  const d = new LineDecoder(100, { onLine: (l, checked) => got.push([l.toString('utf8'), checked]), onOverflow: () => {} }, true);
  d.push(Buffer.from('a\r\nb\tc\r\nd\r\n'));
  assert.equal(got.splice(0), [['a', false], ['b\tc', true], ['d', true]], 'CRLF endings and tab are not controls');
  for (const bad of ['\x1b', '\r', '\x07', '\x00', '\x7f', '\u009b']) {
    d.push(Buffer.from(`a\nb${bad}x\nc\n`));
    assert.equal(got.splice(0).map(([, checked]) => checked), [false, false, false], JSON.stringify(bad));
  }
});

test('findControl: C0 but tab, DEL and C1 (C2 80–C2 9F) found on bytes; other characters pass', () => {
  const at = (s: string) => {
    const b = Buffer.from(s);
    return findControl(b, 0, b.length);
  };
  assert.is(at('plain ascii\twith tab, é, 🎉, \u00a0 and \u00c2'), -1);
  assert.is(at('ok\r\n'), -1, 'CR right before LF is a line ending');
  assert.is(at('a\rb'), 1);
  assert.is(at('ab\r'), 2, 'a CR at the very end is not followed by LF');
  assert.is(at('é\x1b[2J'), 2);
  const c1 = Buffer.from('xy\u0085z');
  assert.is(findControl(c1, 0, c1.length), 2);
  assert.is(describeControl(c1, 2), 'U+0085');
  assert.is(describeControl(Buffer.from([0x7f]), 0), 'U+007F');
  assert.is(describeControl(Buffer.from([0]), 0), 'U+0000');
});

test('findControl on long ranges (read a word at a time) finds exactly what a byte-by-byte reading finds, at every alignment', () => {
  // The rule, restated byte by byte: C0 but tab and LF, a CR not followed by LF (within the range), DEL, C2 80–9F.
  const expected = (b: Uint8Array, start: number, end: number): number => {
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      const next = i + 1 < end ? (b[i + 1] as number) : -1;
      if (c === 0x09 || c === 0x0a) continue;
      if (c === 0x0d && next === 0x0a) continue;
      if (c < 0x20 || c === 0x7f) return i;
      if (c === 0xc2 && next >= 0x80 && next <= 0x9f) return i;
    }
    return -1;
  };
  const alphabet = [0x61, 0x20, 0x7e, 0x09, 0x0a, 0x0d, 0x00, 0x1b, 0x1f, 0x7f, 0xc2, 0x80, 0x85, 0x9f, 0xa0, 0xc3, 0xa9, 0xf0, 0xff];
  const rng = new Prng(11, 2, 3);
  const pick = () => alphabet[Math.floor(rng.next() * alphabet.length)] as number;
  const pool = Buffer.alloc(4096);
  let hits = 0;
  for (let round = 0; round < 4000; round++) {
    const offset = Math.floor(rng.next() * 64);
    const length = Math.floor(rng.next() * 1200); // word-at-a-time from 512 bytes, byte by byte below
    const view = pool.subarray(offset, offset + length);
    // Mostly plain text with a few special bytes, so that most words pass and some do not.
    const specials = rng.next() < 0.3 ? 0 : 1 + Math.floor(rng.next() * 3);
    view.fill(0x61);
    for (let k = 0; k < specials && length > 0; k++) view[Math.floor(rng.next() * length)] = pick();
    const start = Math.floor(rng.next() * Math.min(length + 1, 8));
    const end = length - Math.floor(rng.next() * Math.min(length - start + 1, 8));
    const want = expected(view, start, end);
    if (want !== -1) hits++;
    assert.is(findControl(view, start, end), want, `offset ${offset} length ${length} [${start}, ${end}): ${view.subarray(start, end).toString('hex')}`);
  }
  assert.ok(hits > 1000 && hits < 3500, `both outcomes tried (${hits} of 4000 found one)`);
});

test('findControl: a CR-LF or a C2 85 across every word boundary and at the very end of the range', () => {
  for (let pos = 530; pos < 548; pos++) {
    for (const [pair, expectFound] of [[[0x0d, 0x0a], false], [[0xc2, 0x85], true], [[0xc2, 0xa0], false], [[0x0d, 0x61], true]] as const) {
      const b = Buffer.alloc(600, 0x61);
      b[pos] = pair[0];
      b[pos + 1] = pair[1];
      for (const shift of [0, 1, 2, 3]) {
        const view = Buffer.concat([Buffer.alloc(shift), b]).subarray(shift);
        assert.is(findControl(view, 0, 600), expectFound ? pos : -1, `${pair.map((x) => x.toString(16))} at ${pos}, shift ${shift}`);
        // The range ends between the two bytes: a CR or C2 at its last byte has no partner inside it.
        assert.is(findControl(view, 0, pos + 1), pair[0] === 0x0d ? pos : -1, `range ending after ${pos}`);
      }
    }
  }
});

test('ranges: push(chunk, endsLine, from, to) reads only chunk[from, to); pushLine takes a line as it is, after a held part too', () => {
  const got: string[] = [];
  const d = new LineDecoder(64, { onLine: (l) => got.push(l.toString()), onOverflow: () => got.push('overflow') });
  const read = Buffer.from('xxab\ncdyy');
  d.push(read, true, 2, 7); // 'ab\ncd' as one frame: two lines
  d.push(read, false, 7, 8); // 'y' held as part of a line
  d.pushLine(Buffer.from('zz\r'), 0, 3); // ends the held line
  d.pushLine(Buffer.from('[one]\r'), 1, 6);
  assert.equal(got, ['ab', 'cd', 'yzz', 'one]']);
});

test('a chunk that ends a line (a WebSocket frame) is a line without a \\n, handed over as a view of the frame', () => {
  const out: string[] = [];
  const views: boolean[] = [];
  const d = new LineDecoder(16, { onLine: (l) => out.push(l.toString('utf8')), onOverflow: () => out.push('!overflow') });
  const frame = Buffer.from('hello\r');
  d.push(frame, true);
  const frame2 = Buffer.from('x');
  d.push(frame2, true);
  d.push(Buffer.alloc(0), true);
  d.push(Buffer.from('a\nb'), true);
  d.push(Buffer.from('c\n'), true);
  d.push(Buffer.from('x'.repeat(17)), true);
  d.push(Buffer.from('after'), true);
  d.push(Buffer.from('half'));
  d.push(Buffer.from('-done'), true);
  assert.equal(out, ['hello', 'x', '', 'a', 'b', 'c', '!overflow', 'after', 'half-done']);
  // A view, not a copy: the decoder did not buffer the frame on the way.
  const seen: Buffer[] = [];
  const v = new LineDecoder(16, { onLine: (l) => seen.push(l), onOverflow: () => {} });
  v.push(frame2, true);
  views.push(seen[0]?.buffer === frame2.buffer && seen[0]?.byteOffset === frame2.byteOffset);
  assert.equal(views, [true]);
  assert.equal(d.pendingBytes, 0);
});

test('onLineAt gets each line where it lies: the same lines, `checked` flags and overflows as onLine, at every split', () => {
  const run = (chunks: Buffer[], ranges: boolean): string[] => {
    const got: string[] = [];
    const handlers = ranges
      ? { onLine: () => got.push('onLine called'), onLineAt: (b: Buffer, s: number, e: number, checked: boolean) => got.push(`${b.toString('utf8', s, e)}|${checked}`), onOverflow: () => got.push('overflow') }
      : { onLine: (l: Buffer, checked: boolean) => got.push(`${l.toString('utf8')}|${checked}`), onOverflow: () => got.push('overflow') };
    const d = new LineDecoder(64, handlers, true);
    for (const c of chunks) d.push(c);
    return got;
  };
  const input = Buffer.from(`a\nпривет\r\nb\tc\n${'x'.repeat(70)}\nok\n`, 'utf8');
  // The first line starts before the read's first newline, so it is left for the receiver to check.
  assert.equal(run([input], true), ['a|false', 'привет|true', 'b\tc|true', 'overflow', 'ok|true']);
  for (let i = 1; i < input.length; i++) {
    const chunks = [input.subarray(0, i), input.subarray(i)];
    assert.equal(run(chunks, true), run(chunks, false), `split at ${i}`);
  }
});

test.run();
