// `chatpulse compare` across protocols: eight targets of five protocols — chatpulse over TCP and over
// WebSocket, the Socket.IO example, Prosody (XMPP MUC), Mosquitto (MQTT), InspIRCd, ngircd and
// ircd-hybrid (IRC) — under one seeded schedule, one table.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killLeftovers, ROOT, runCli } from '../helpers/cli.js';
import { startExampleApp } from '../helpers/example-app.js';
import { startTestHub } from '../helpers/hub.js';
import { hybridBin, inspircdBin, ngircdBin, startHybrid, startInspircd, startNgircd } from '../helpers/irc-servers.js';
import { mosquittoBin, startMosquitto } from '../helpers/mosquitto.js';
import { prosodyBin, startProsody } from '../helpers/prosody.js';
import { needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const bins = { insp: inspircdBin(), ng: ngircdBin(), hybrid: hybridBin(), mosquitto: mosquittoBin(), prosody: prosodyBin() };

test.after.each(killLeftovers);

needing(test, ...Object.values(bins))('compare: eight targets of five protocols, one seeded schedule, one table — nothing lost anywhere', async () => {
  const stops: (() => Promise<unknown>)[] = [];
  const tmp = tempDir();
  try {
    const hub = await startTestHub();
    stops.push(() => hub.stop());
    const sio = await startExampleApp('socketio-chat');
    stops.push(() => sio.stop());
    const xmpp = await startProsody(bins.prosody as string);
    stops.push(() => xmpp.stop());
    const mqtt = await startMosquitto(bins.mosquitto as string);
    stops.push(() => mqtt.stop());
    const insp = await startInspircd(bins.insp as string);
    stops.push(() => insp.stop());
    const ng = await startNgircd(bins.ng as string);
    stops.push(() => ng.stop());
    const hybrid = await startHybrid(bins.hybrid as string);
    stops.push(() => hybrid.stop());
    const targets = [
      `tcp=chatpulse://127.0.0.1:${hub.chatPort}`, `ws=${hub.httpUrl.replace(/^http/, 'ws')}/chat/ws`,
      `socketio=${sio.url}?spec=${ROOT}/examples/socketio-chat/spec.json`, `prosody=${xmpp.url}`, `mosquitto=${mqtt.url}`,
      `inspircd=${insp.url}`, `ngircd=${ng.url}`, `hybrid=${hybrid.url}`,
    ];
    // Half a message a second per client: under ngircd's per-client command delay. That delay still
    // holds a client's first lines (registration, JOIN, NAMES, first messages) up to ~2 s on a busy
    // machine: the loss timeout is longer, so such a message is late, not lost.
    const p = runCli([
      'compare', ...targets.flatMap((t) => ['--target', t]),
      '--clients', '10', '--rooms', '2', '--rate', '0.5', '--duration', '2500ms', '--ramp', '500ms', '--switch', '0',
      '--workers', '1', '--loss-timeout', '5s', '--pause', '100ms', '--results-dir', tmp.dir,
    ]);
    const { code } = await p.exited(120_000);
    assert.is(code, 0, p.stderr());
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    const rows = parse(fs.readFileSync(`${dir}/compare.csv`, 'utf8').slice(1), { columns: true }) as Record<string, string>[];
    assert.equal(rows.map((r) => [r.target, r.protocol]), [
      ['tcp', 'chatpulse'], ['ws', 'chatpulse'], ['socketio', 'socketio'], ['prosody', 'xmpp'], ['mosquitto', 'mqtt'],
      ['inspircd', 'irc'], ['ngircd', 'irc'], ['hybrid', 'irc'],
    ]);
    for (const r of rows) {
      const [received, expected, ambiguous] = [Number(r.received), Number(r.expected), Number(r.ambiguous)];
      assert.equal([r.lost, r.unexpected, r.duplicated], ['0', '0', '0'], JSON.stringify(r));
      assert.ok(received >= expected && received <= expected + ambiguous && expected > 20, JSON.stringify(r));
    }
    assert.is(new Set(rows.map((r) => r.sent)).size, 1, `one seeded schedule, the same sends everywhere: ${rows.map((r) => r.sent)}`);
    const md = fs.readFileSync(`${dir}/compare.md`, 'utf8');
    for (const [name, proto] of [['prosody', 'xmpp'], ['mosquitto', 'mqtt'], ['hybrid', 'irc']]) assert.match(md, new RegExp(`\\| ${name} \\| ${proto} \\| 1 \\|`));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    tmp.cleanup();
  }
});

test.run();
