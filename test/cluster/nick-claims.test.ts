import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { NickClaims } from '../../server/nick-claims.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { findTool } from '../helpers/require-tool.js';

const redisBin = findTool('redis-server', 'redis-server');
let redis: RedisProcess;
let conns: Redis[] = [];

const t = suite('nick claims');
t.before.each(async () => {
  if (redisBin) redis = await startRedis(redisBin);
});
t.after.each(async () => {
  for (const c of conns) c.disconnect();
  conns = [];
  await redis?.stop();
});

/** A node's claims: bus id `busId`, its own clock, `up` switchable, its log and lost nicknames listed. */
function node(busId: string, t0: number) {
  const r = new Redis(redis.url);
  conns.push(r);
  const state = { up: true, now: t0 };
  const log: string[] = [];
  const lost: string[] = [];
  const claims = new NickClaims({ redis: r, up: () => state.up, busId, prefix: 't', ttlMs: 5000, log: (l) => log.push(l), now: () => state.now });
  /** One heartbeat's re-claim, as redis-cluster.ts sends it (after one other command). */
  const beat = async (nicks: string[]) => {
    const p = r.pipeline();
    p.ping();
    const asked = claims.reclaim(p, nicks);
    claims.settle(asked, await p.exec(), 1, (n) => lost.push(n));
    return asked.length;
  };
  return { r, state, log, lost, claims, beat };
}

if (redisBin) {
  t('a claim holds the skeleton key with `<login ms, 15 digits> <bus id>` for the TTL; lookalikes are refused', async () => {
    const a = node('aaaa', 1234);
    const b = node('bbbb', 5678);
    assert.is(a.claims.key('Ann'), 't:nick:ann');
    assert.ok(await a.claims.claim('Ann'));
    assert.is(await a.r.get('t:nick:ann'), '000000000001234 aaaa');
    const ttl = await a.r.pttl('t:nick:ann');
    assert.ok(ttl > 0 && ttl <= 5000, String(ttl));
    assert.not.ok(await b.claims.claim('ANN'));
    assert.not.ok(await b.claims.claim('\u0430nn'), 'Cyrillic а');
    assert.is(await a.r.get('t:nick:ann'), '000000000001234 aaaa');
  });

  t('release deletes only a claim that is still ours', async () => {
    const a = node('aaaa', 1);
    assert.ok(await a.claims.claim('bob'));
    await a.r.set('t:nick:bob', 'someone else');
    a.claims.release('bob');
    assert.ok(await a.claims.claim('cat'));
    a.claims.release('cat');
    await a.r.ping(); // same connection: the releases ran before this
    assert.is(await a.r.get('t:nick:bob'), 'someone else');
    assert.is(await a.r.get('t:nick:cat'), null);
  });

  t('after a split the earlier login keeps the name, whichever node re-claims first; the later is told once', async () => {
    const a = node('aaaa', 1000);
    const b = node('bbbb', 2000);
    a.state.up = b.state.up = false;
    assert.ok(await a.claims.claim('ann'), 'cut off: local rules');
    assert.ok(await b.claims.claim('ANN'));
    assert.is(await a.r.get('t:nick:ann'), null, 'nothing written while down');
    a.state.up = b.state.up = true;
    assert.is(await b.beat(['ANN']), 1);
    assert.is(await a.r.get('t:nick:ann'), '000000000002000 bbbb');
    await a.beat(['ann']);
    assert.is(await a.r.get('t:nick:ann'), '000000000001000 aaaa', 'the earlier login takes it over');
    assert.equal(b.lost, []);
    await b.beat(['ANN']);
    assert.equal(b.lost, ['ANN']);
    assert.equal(b.log, ["redis: nickname 'ANN' is held by an earlier login on another node; this node's user gives way"]);
    assert.is(await b.beat(['ANN']), 0, 'a lost name is not re-asserted');
    assert.equal(b.lost, ['ANN'], 'told once');
    await a.beat(['ann']);
    assert.equal(a.lost, []);
    assert.is(await a.r.get('t:nick:ann'), '000000000001000 aaaa');
    // Renamed away, then taken again later: b asserts afresh, stamped with its clock now (later).
    await b.beat([]);
    b.state.now = 3000;
    assert.is(await b.beat(['ANN']), 1);
    assert.equal(b.lost, ['ANN', 'ANN'], 'still the later login');
  });
}

t.run();
