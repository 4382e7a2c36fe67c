import * as hdr from 'hdr-histogram-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IngestError, parseIngestFrame } from '../../dashboard/index.js';
import type { LoadgenTickReport } from '../../loadgen/report.js';

const pct = { p50: 1.5, p90: 3, p99: 7.25, p999: 9, max: 12, count: 100 };
function report(over: Record<string, unknown> = {}): Record<string, unknown> {
  const r: LoadgenTickReport = {
    type: 'loadgen-tick', source: 'lg-1', target: 'chatpulse://127.0.0.1:5555', time: 1_700_000_000_000, elapsedS: 3,
    clients: 10, sent: 5, received: 50, sentTotal: 15, receivedTotal: 150, expectedTotal: 150, lostTotal: 0,
    duplicatedTotal: 0, reorderedTotal: 0, latencyMs: { corrected: pct, uncorrected: pct }, errors: { connect: 1 }, saturated: false,
  };
  return { ...r, ...over };
}

function rejects(text: string, re: RegExp) {
  try {
    parseIngestFrame(text);
  } catch (err) {
    assert.instance(err, IngestError);
    assert.match((err as Error).message, re);
    return;
  }
  assert.unreachable(`accepted ${text.slice(0, 80)}`);
}

test('a well-formed report is returned with exactly the contract fields', () => {
  const parsed = parseIngestFrame(JSON.stringify({ ...report(), extra: 'x'.repeat(100), __proto__: { evil: 1 } }));
  assert.equal(parsed, report() as unknown as LoadgenTickReport);
  assert.not.ok('extra' in parsed);
  // Optional (older loadgens send none): kept when sent.
  const full = report({ unexpectedTotal: 3, ambiguousTotal: 40, waiting: 7 });
  assert.equal(parseIngestFrame(JSON.stringify(full)), full as unknown as LoadgenTickReport);
  assert.not.ok('unexpectedTotal' in parsed);
});

test('not JSON, wrong type, arrays and null are refused', () => {
  rejects('{nope', /not JSON/);
  rejects('[]', /frame must be an object/);
  rejects('null', /frame must be an object/);
  rejects(JSON.stringify(report({ type: 'hello' })), /type must be "loadgen-tick"/);
});

test('numbers must be finite and non-negative; the message names the field', () => {
  rejects(JSON.stringify(report()).replace('"sent":5', '"sent":1e999'), /^sent must be a finite number/);
  rejects(JSON.stringify(report({ clients: -1 })), /^clients must be/);
  rejects(JSON.stringify(report({ ambiguousTotal: -1 })), /^ambiguousTotal must be/);
  rejects(JSON.stringify(report({ unexpectedTotal: 'x' })), /^unexpectedTotal must be/);
  rejects(JSON.stringify(report({ waiting: -2 })), /^waiting must be/);
  rejects(JSON.stringify(report({ time: '1' })), /^time must be/);
  rejects(JSON.stringify(report({ latencyMs: { corrected: { ...pct, p99: null }, uncorrected: pct } })), /^latencyMs\.corrected\.p99 must be/);
  rejects(JSON.stringify(report({ latencyMs: { corrected: pct } })), /^latencyMs\.uncorrected must be an object/);
  rejects(JSON.stringify(report({ errors: { x: 'many' } })), /^errors\.x must be/);
});

test('strings and maps are bounded', () => {
  rejects(JSON.stringify(report({ source: '' })), /source must not be empty/);
  rejects(JSON.stringify(report({ source: 'a'.repeat(201) })), /source must be a string of at most 200/);
  const many: Record<string, number> = {};
  for (let i = 0; i < 65; i++) many[`k${i}`] = i;
  rejects(JSON.stringify(report({ errors: many })), /errors has 65 kinds/);
  rejects(JSON.stringify(report({ saturated: 'yes' })), /saturated must be true or false/);
});

test('an error kind named __proto__ stays a plain key', () => {
  const parsed = parseIngestFrame(JSON.stringify(report()).replace('"connect":1', '"__proto__":2'));
  assert.is(Object.getPrototypeOf(parsed.errors), Object.prototype);
  assert.equal(Object.keys(parsed.errors), ['__proto__']);
});

test('histograms are optional; when sent, each is checked under the wire limits and the message names it', () => {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  h.recordValue(1234);
  const histograms = { corrected: hdr.encodeIntoCompressedBase64(h), uncorrected: '' };
  assert.equal(parseIngestFrame(JSON.stringify(report({ histograms }))).histograms, histograms);
  assert.not.ok('histograms' in parseIngestFrame(JSON.stringify(report())), 'an older loadgen\'s report stays valid');
  rejects(JSON.stringify(report({ histograms: 'x' })), /^histograms must be an object/);
  rejects(JSON.stringify(report({ histograms: { corrected: '' } })), /^histograms\.uncorrected must be a base64 string/);
  rejects(JSON.stringify(report({ histograms: { ...histograms, uncorrected: 'A'.repeat(30_000) } })), /^histograms\.uncorrected is 30000 base64 characters \(max 28000\)$/);
  rejects(JSON.stringify(report({ histograms: { ...histograms, corrected: 'SGVsbG8=' } })), /^histograms\.corrected is not a compressed HdrHistogram/);
});

test('hostile text is kept as text (rendering is the page\'s job)', () => {
  const parsed = parseIngestFrame(JSON.stringify(report({ source: '<img src=x onerror=alert(1)>' })));
  assert.is(parsed.source, '<img src=x onerror=alert(1)>');
});

test.run();
