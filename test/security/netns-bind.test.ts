import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import { findTool, missing, needing } from '../helpers/require-tool.js';
import * as assert from 'uvu/assert';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/**
 * A real non-loopback bind, without touching the machine's network: a private network namespace
 * (`unshare -rn`, no root needed where user namespaces are allowed) whose loopback device also holds
 * 10.77.0.1. The server binds that address and a driver in the same namespace plays the remote user.
 */
const ADDR = '10.77.0.1';
const DRIVER = `
import { spawn } from 'node:child_process';
const [bin, dir] = process.argv.slice(1);
const srv = spawn(process.execPath, [bin, 'server', '--host', '${ADDR}', '--http-host', '${ADDR}', '--port', '0', '--http-port', '0', '--results-dir', dir]);
let out = '';
srv.stdout.setEncoding('utf8').on('data', (d) => (out += d));
const link = await new Promise((resolve, reject) => {
  const t = setInterval(() => {
    const m = /token required \\(generated; --token to choose one\\): (http:\\S+)/.exec(out);
    if (m) { clearInterval(t); resolve(m[1]); }
  }, 20);
  setTimeout(() => reject(new Error('no token line: ' + out)), 10000);
});
const base = new URL(link);
const api = new URL('/api/runs', base);
const r = {};
r.banner = out;
r.noToken = (await fetch(api)).status;
const redirect = await fetch(link, { redirect: 'manual' });
r.linkStatus = redirect.status;
const cookie = (redirect.headers.get('set-cookie') || '').split(';')[0];
r.withCookie = (await fetch(api, { headers: { cookie } })).status;
r.metricsNoToken = (await fetch(new URL('/metrics', base))).status;
srv.kill('SIGINT');
await new Promise((res) => srv.on('exit', res));
console.log(JSON.stringify(r));
`;

/** `unshare -rn` works here (user namespaces allowed); otherwise a SKIP line, or under CI=true a throw. */
function netnsAvailable(): boolean {
  const tools = [findTool('unshare', 'util-linux'), findTool('ip', 'iproute2')];
  if (tools.includes(undefined)) return false;
  const probe = spawnSync('unshare', ['-rn', 'true'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  missing(`user network namespaces are not available here (unshare -rn failed: ${probe.stderr.trim()}); the injected-address tests cover the rule`);
  return false;
}

needing(test, netnsAvailable())('bound to a real non-loopback address: a token is generated, printed as a link, and required', () => {
  const tmp = tempDir();
  try {
    const script = `ip link set lo up && ip addr add ${ADDR}/32 dev lo && exec "${process.execPath}" --input-type=module -e "$DRIVER" "${BIN}" "${tmp.dir}"`;
    const res = spawnSync('unshare', ['-rn', 'sh', '-c', script], { env: { ...process.env, DRIVER }, encoding: 'utf8', timeout: 25_000 });
    assert.is(res.status, 0, res.stderr);
    const r = JSON.parse(res.stdout.trim().split('\n').pop() as string);
    assert.match(r.banner, new RegExp(`dashboard on http://${ADDR.replace(/\./g, '\\.')}:\\d+`));
    assert.match(r.banner, new RegExp(`\\?token=[A-Za-z0-9_-]{43}`));
    assert.match(r.banner, /warning: chat on 10\.77\.0\.1 is plain TCP/);
    assert.equal({ noToken: r.noToken, linkStatus: r.linkStatus, withCookie: r.withCookie, metricsNoToken: r.metricsNoToken }, { noToken: 401, linkStatus: 303, withCookie: 200, metricsNoToken: 401 });
  } finally {
    tmp.cleanup();
  }
});

test.run();
