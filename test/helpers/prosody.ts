import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './redis.js';
import { findTool } from './require-tool.js';
import { superviseServer } from './server-process.js';
import { tempDir } from './temp.js';

/** The binary, or undefined (skip with a line naming the Debian package; under CI=true: throws). */
export const prosodyBin = () => findTool('prosody', 'prosody');

export interface ProsodyServer {
  port: number;
  pid: number;
  /** `xmpp://127.0.0.1:PORT?domain=localhost&muc=conference.localhost` (anonymous login). */
  url: string;
  /** The same server with SASL PLAIN on `plain.localhost` (any password is accepted there). */
  plainUrl: string;
  log(): string;
  /** SIGKILL, as a crash; resolves when the process is gone (its temp dir stays for a restart). */
  kill(): Promise<void>;
  /** SIGTERM (SIGKILL after 2 s), then the temp dir is removed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Prosody (Debian's 0.12) in the foreground on a free loopback port (or `port`, to restart on the same
 * one), with its config and data in a temp dir. Each setting below that departs from Debian's
 * /etc/prosody/prosody.cfg.lua says why a load test needs it.
 */
export async function startProsody(bin: string, opts: { port?: number } = {}): Promise<ProsodyServer> {
  const tmp = tempDir('chatpulse-prosody-');
  const port = opts.port ?? (await freePort());
  const conf = path.join(tmp.dir, 'prosody.cfg.lua');
  fs.mkdirSync(path.join(tmp.dir, 'data'));
  fs.mkdirSync(path.join(tmp.dir, 'certs'));
  fs.writeFileSync(conf, `-- Written by test/helpers/prosody.ts for one test run.
-- As root Prosody would switch to the 'prosody' user, which cannot write this temp dir; the test's
-- own user is fine (the setting is ignored when not root).
run_as_root = true
pidfile = "${tmp.dir}/prosody.pid"
data_path = "${tmp.dir}/data"
certificates = "${tmp.dir}/certs"
log = { { levels = { min = "info" }, to = "console" } }

c2s_ports = { ${port} }
c2s_interfaces = { "127.0.0.1" }
-- Loopback: no TLS (the loadgen speaks no STARTTLS), and PLAIN allowed without it for plain.localhost.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true

-- Debian enables mod_limits with c2s = { rate = "10kb/s" }: it throttles what the server reads from
-- each client, so a client at a high --rate or --size waits in Prosody's read buffer, and that wait
-- would show as the server's latency. Not loaded here: the loadgen's own schedule is the limit.
-- (Core Prosody 0.12 has no MUC message throttle; mod_muc_limits is a community module, not used.)
modules_enabled = { "saslauth", "ping", "disco" }
-- No s2s listener (it would take port 5269, shared by every test and any system Prosody), and no
-- offline storage of messages to users who have left.
modules_disabled = { "s2s", "offline" }

VirtualHost "localhost"
  authentication = "anonymous"

-- For the SASL PLAIN path: mod_auth_insecure accepts every user and password (test use only).
VirtualHost "plain.localhost"
  authentication = "insecure"
  insecure_open_authentication = "Yes please, I know what I'm doing!"

Component "conference.localhost" "muc"
  -- By default a new room is locked until its creator submits the configuration form (XEP-0045
  -- §10.1.2), and every other join is refused meanwhile: the virtual clients create rooms by joining.
  muc_room_locking = false
`);
  const child = spawn(bin, ['-F', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = await superviseServer('prosody', child, port, () => tmp.cleanup());
  const base = `xmpp://127.0.0.1:${port}`;
  return {
    port,
    pid: proc.pid,
    url: `${base}?domain=localhost&muc=conference.localhost`,
    plainUrl: `${base}?domain=plain.localhost&muc=conference.localhost&auth=plain&password=secret`,
    log: proc.output,
    kill: proc.kill,
    stop: proc.stop,
  };
}
