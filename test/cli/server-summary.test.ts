import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadgenTickReport } from '../../loadgen/index.js';
import type { RunTotals } from '../../metrics/index.js';
import { buildServerSummary, serverSummaryMarkdown } from '../../cli/server-summary.js';
import { redactConfig } from '../../cli/hub.js';

/** A stored run's totals as readRunTotals gives them (only what the summary shows matters here). */
const totals: RunTotals = {
  ticks: 10, firstTime: 1_000, lastTime: 10_000, durationS: 10, messages: 40, privateMessages: 2, deliveries: 400, joins: 12, leaves: 2,
  bytesIn: 1234, bytesOut: 56789, errors: 1, activeS: 4, mpsMean: 4, mpsMeanActive: 10, mpsPeak: 20, peakConnections: 10, peakMembers: 10,
  counters: { messagesTotal: 40, privateMessagesTotal: 2, deliveriesTotal: 400, connectionsTotal: 10, errorsTotal: 1 },
  errorsByReason: { rate_limit: 1 }, disconnectsByReason: {}, rooms: [],
};

const report = (source: string, sent: number, lost: number, errors: Record<string, number>): LoadgenTickReport => {
  const p = { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, count: 6 };
  return {
    type: 'loadgen-tick', source, target: 'chatpulse://127.0.0.1:5555', time: 0, elapsedS: 9.5, clients: 7, sent: 1, received: 2,
    sentTotal: sent, receivedTotal: sent * 9, expectedTotal: sent * 9 + lost, lostTotal: lost, duplicatedTotal: 0, reorderedTotal: 1,
    latencyMs: { corrected: p, uncorrected: p }, errors, saturated: false,
  };
};

test("a server run's summary: a row per generator it is given, its errors summed, and how many more the hub forgot", () => {
  const s = buildServerSummary({
    runId: 'r1', folder: 'results/r1', startedAt: Date.UTC(2026, 11, 6, 12), endedAt: Date.UTC(2026, 11, 6, 12, 0, 10),
    config: { label: 'x', maxRate: 0, history: 1000, interval: 1000, window: 5 }, chat: '127.0.0.1:5555', dashboard: 'http://127.0.0.1:8080/',
    server: totals, reports: [{ ...report('a|b', 30, 2, { timeout: 2, refused: 1 }), unexpectedTotal: 4, ambiguousTotal: 5, waiting: 6 }, report('c', 10, 0, {})], sourcesSeen: 5, combinedLatency: null, files: ['summary.md'],
  });
  assert.equal(s.generators.map((g) => [g.source, g.sent, g.received, g.expected, g.lost, g.errorsTotal]), [['a|b', 30, 270, 272, 2, 3], ['c', 10, 90, 90, 0, 0]]);
  // received − expected is explained by them; an older generator that did not say reads null (– in the table).
  assert.equal(s.generators.map((g) => [g.unexpected, g.ambiguous, g.unsent]), [[4, 5, 6], [null, null, null]]);
  assert.equal([s.startedAt, s.endedAt, s.durationS], ['2026-12-06T12:00:00.000Z', '2026-12-06T12:00:10.000Z', 10]);
  const md = serverSummaryMarkdown(s);
  assert.match(md, '| rate limit | none |');
  assert.match(md, '| a\\|b | chatpulse://127.0.0.1:5555 | 9.50 s | 7 | 30 | 270 | 272 | 2 | 0 | 1 | 4 | 5 | 6 | 3 (timeout 2, refused 1) |', 'a | in a source is text, not a column');
  assert.match(md, '| c | chatpulse://127.0.0.1:5555 | 9.50 s | 7 | 10 | 90 | 90 | 0 | 0 | 1 | – | – | – | 0 |');
  assert.match(md, 'No latency figures: no generator reported its histograms.');
  assert.match(md, '| errors | 1 (rate_limit 1) |');
  assert.match(md, '3 more reported earlier: only the 32 heard from most recently are kept.');
});

test('what a generator sent is text in summary.md, one line each, and credentials in its target are not kept', () => {
  const evil = { ...report('x\n# heading [link](http://e)', 1, 0, { 'kind|<b>\r\n## h': 1 }), target: 'xmpp://bob:hunter2@h:5222?muc=c&password=hunter2&domain=d' };
  const s = buildServerSummary({
    runId: 'r2', folder: 'f', startedAt: 0, endedAt: 0, config: {}, chat: '', dashboard: '', server: totals, reports: [evil],
    sourcesSeen: 1, combinedLatency: null, files: [],
  });
  assert.is(s.generators[0]?.target, 'xmpp://(set)@h:5222?muc=c&password=(set)&domain=d');
  const md = serverSummaryMarkdown(s);
  assert.not.match(md, 'hunter2');
  assert.not.match(md, /^#+ (heading|h)/m, 'no heading injected');
  assert.match(md, '| x # heading \\[link\\](http://e) |');
  assert.match(md, '1 (kind\\|\\<b\\>  ## h 1) |');
  assert.not.match(md, /more reported earlier/);
});

test("a run's stored config keeps no secret: the token, the TLS material, a Redis URL's password", () => {
  assert.equal(redactConfig({ port: 1, token: 'abc', tls: { key: 'KEY' }, redis: 'rediss://user:pw@10.0.0.1:6379/0' }),
    { port: 1, token: '(set)', redis: 'rediss://(set)@10.0.0.1:6379/0' });
  assert.equal(redactConfig({ token: '', redis: 'redis://127.0.0.1:6379' }), { redis: 'redis://127.0.0.1:6379' }, 'nothing to hide: as given');
});

test.run();
