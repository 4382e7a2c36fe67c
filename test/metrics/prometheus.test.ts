import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wantsOpenMetrics } from '../../metrics/index.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';

async function scrape(url: string, accept?: string) {
  const res = await fetch(`${url}/metrics`, accept ? { headers: { accept } } : {});
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const DESIGN_TYPES: Record<string, string> = {
  chat_messages_total: 'counter', chat_room_members: 'gauge', chat_room_joins_total: 'counter',
  chat_room_leaves_total: 'counter', chat_private_messages_total: 'counter', chat_deliveries_total: 'counter',
  chat_connections: 'gauge', chat_connections_open: 'gauge', chat_connections_total: 'counter', chat_bytes_received_total: 'counter',
  chat_bytes_sent_total: 'counter', chat_errors_total: 'counter', chat_disconnects_total: 'counter',
  chat_fanout_seconds: 'histogram', chat_slow_consumer_disconnects_total: 'counter',
};

test('Accept negotiation: OpenMetrics only when preferred', () => {
  assert.is(wantsOpenMetrics(undefined), false);
  assert.is(wantsOpenMetrics('*/*'), false);
  assert.is(wantsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
  assert.is(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), true);
  assert.is(wantsOpenMetrics('text/plain;version=0.0.4,application/openmetrics-text;q=0.5'), false);
  assert.is(wantsOpenMetrics('application/openmetrics-text;q=0'), false);
});

test('real /metrics: DESIGN names and types, per-room counters from real clients, default process metrics', async () => {
  const s = await startTestHub({ interval: 100 });
  const ann = await LineClient.login(s.chatPort, 'ann');
  const bob = await LineClient.login(s.chatPort, 'bob');
  try {
    await ann.ask('/join dev', '* ann joined #dev');
    await bob.ask('/join dev', '* bob joined #dev');
    for (let i = 0; i < 5; i++) await ann.ask(`hello ${i}`, `[dev] You: hello ${i}`);
    await ann.ask('/pm bob psst', '[PM to bob] psst');
    await ann.ask('/nick b@d', /^! invalid nickname/);
    const m = await eventually(async () => {
      const e = parseExposition((await scrape(s.httpUrl)).text);
      return e.value('chat_messages_total', { room: 'dev' }) === 5 && e.value('chat_private_messages_total') === 1 ? e : undefined;
    }, 'dev messages in /metrics');
    for (const [name, type] of Object.entries(DESIGN_TYPES)) assert.is(m.types.get(name), type, name);
    assert.is(m.value('chat_room_members', { room: 'dev' }), 2);
    assert.is(m.value('chat_room_joins_total', { room: 'dev' }), 2);
    assert.is(m.value('chat_room_members', { room: 'main' }), 2, 'joining dev keeps them in main');
    assert.is(m.value('chat_room_leaves_total', { room: 'main' }), 0);
    assert.is(m.value('chat_connections'), 2);
    assert.is(m.value('chat_connections_open'), 2);
    assert.is(m.value('chat_connections_total'), 2);
    assert.is(m.value('chat_deliveries_total'), 10);
    assert.is(m.value('chat_fanout_seconds_count'), 5);
    assert.ok((m.value('chat_bytes_received_total') ?? 0) > 50);
    assert.ok((m.value('chat_bytes_sent_total') ?? 0) > 200);
    assert.ok((m.value('chat_errors_total', { reason: 'bad_name' }) ?? 0) >= 1);
    assert.ok(m.value('process_cpu_user_seconds_total') !== undefined, 'default metrics on');
    assert.ok(m.types.get('nodejs_eventloop_lag_seconds'), 'default nodejs metrics');

    bob.close();
    const after = await eventually(async () => {
      const e = parseExposition((await scrape(s.httpUrl)).text);
      return e.value('chat_connections_open') === 1 ? e : undefined;
    }, 'bob gone');
    assert.is(after.value('chat_disconnects_total', { reason: 'closed' }), 1);
    assert.is(after.value('chat_room_leaves_total', { room: 'dev' }), 1);
    assert.is(after.value('chat_room_members', { room: 'dev' }), 1);
  } finally {
    ann.close();
    bob.close();
    await s.stop();
  }
});

test('OpenMetrics when Accept asks for it; the classic format is unchanged afterwards', async () => {
  const s = await startTestHub({ interval: 100 });
  const ann = await LineClient.login(s.chatPort, 'ann');
  try {
    await ann.ask('hi', '[main] You: hi');
    await eventually(async () => parseExposition((await scrape(s.httpUrl)).text).value('chat_messages_total', { room: 'main' }) === 1 || undefined, 'a tick');
    const om = await scrape(s.httpUrl, 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5');
    assert.is(om.status, 200);
    assert.match(om.type, /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.text.endsWith('# EOF\n'));
    assert.match(om.text, /^# TYPE chat_messages counter$/m);
    assert.match(om.text, /^chat_messages_total\{room="main"\} 1$/m);
    // Both of DESIGN's names: the gauge, and the counter as an unknown family of its full name (as a
    // counter its family would be `chat_connections`, the gauge's).
    assert.match(om.text, /^# TYPE chat_connections gauge\nchat_connections 1$/m);
    assert.match(om.text, /^# TYPE chat_connections_total unknown\nchat_connections_total 1$/m);
    assert.not.match(om.text, /^# TYPE chat_connections counter$/m);
    assert.match(om.text, /^chat_connections_open 1$/m);
    const plain = await scrape(s.httpUrl);
    assert.match(plain.type, /^text\/plain; version=0\.0\.4/);
    assert.match(plain.text, /^# TYPE chat_messages_total counter$/m);
    assert.match(plain.text, /^# TYPE chat_connections gauge\nchat_connections 1$/m);
    assert.match(plain.text, /^# TYPE chat_connections_total counter\nchat_connections_total 1$/m, 'a counter again after an OpenMetrics scrape');
    assert.not.match(plain.text, /# EOF/);
  } finally {
    ann.close();
    await s.stop();
  }
});

test('10 000 random room names leave the series count bounded', async () => {
  const metricRooms = 8;
  const s = await startTestHub({ interval: 100, metricRooms, maxRate: 0 });
  const c = await LineClient.login(s.chatPort, 'storm');
  try {
    const names = Array.from({ length: 10_000 }, (_, i) => `r${Math.random().toString(36).slice(2, 10)}${i}`);
    c.socket.write(names.map((n) => `/join ${n}\nx\n/leave ${n}\n`).join(''));
    await c.ask('/rooms', /^\* rooms \(1\)/, 20_000);
    const m = await eventually(async () => {
      const e = parseExposition((await scrape(s.httpUrl)).text);
      const sum = e.series('chat_messages_total').reduce((a, x) => a + x.value, 0);
      return sum === 10_000 ? e : undefined;
    }, 'all 10 000 messages counted', 10_000);
    for (const name of ['chat_messages_total', 'chat_room_joins_total', 'chat_room_leaves_total', 'chat_room_members']) {
      const series = m.series(name);
      assert.ok(series.length <= metricRooms + 1, `${name}: ${series.length} series`);
      assert.ok(series.some((x) => x.labels.room === '_other'), `${name} has _other`);
    }
    assert.is(m.series('chat_room_joins_total').reduce((a, x) => a + x.value, 0), 10_001);
    assert.ok(s.hub.metrics !== undefined && s.hub.metrics.aggregator.trackedRooms <= metricRooms + 1);
    const rows = s.hub.db.prepare('SELECT count(DISTINCT room) AS n FROM room_samples').get() as { n: number };
    assert.ok(rows.n <= metricRooms + 1, `${rows.n} distinct rooms in samples`);
  } finally {
    c.close();
    await s.stop();
  }
});

test('--no-metrics: the chat runs with no subscriber; /metrics answers 404 with a JSON error', async () => {
  const s = await startTestHub({ noMetrics: true });
  const ann = await LineClient.login(s.chatPort, 'ann');
  try {
    await ann.ask('hi', '[main] You: hi');
    assert.is(s.hub.metrics, undefined);
    for (const name of ['message', 'join', 'flush'] as const) assert.is(s.hub.events.has(name), false, name);
    const r = await scrape(s.httpUrl);
    assert.is(r.status, 404);
    assert.equal(JSON.parse(r.text), { error: 'metrics are off (server started with --no-metrics)' });
  } finally {
    ann.close();
    await s.stop();
  }
});

test.run();
