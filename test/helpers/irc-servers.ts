import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './redis.js';
import { findTool } from './require-tool.js';
import { tempDir } from './temp.js';

export interface IrcServer {
  name: string;
  port: number;
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/** The binary, or undefined (skip with a line naming the Debian package; under CI=true: throws). */
export const inspircdBin = () => findTool('inspircd', 'inspircd');
export const ngircdBin = () => findTool('ngircd', 'ngircd');

/**
 * InspIRCd 3 on a free loopback port with a config in a temp dir. For a load test an operator raises
 * the per-connection flood (`threshold`, `commandrate`) and sendq/recvq limits for 127.0.0.1; pass a
 * low `threshold` to get "Excess Flood" disconnects instead.
 */
export async function startInspircd(bin: string, opts: { threshold?: number; commandrate?: number } = {}): Promise<IrcServer> {
  const tmp = tempDir('chatpulse-inspircd-');
  const port = await freePort();
  const conf = path.join(tmp.dir, 'inspircd.conf');
  const threshold = opts.threshold ?? 1_000_000;
  const commandrate = opts.commandrate ?? 1_000_000;
  fs.writeFileSync(conf, `<server name="irc.test" description="chatpulse test" network="Test">
<bind address="127.0.0.1" port="${port}" type="clients">
<connect name="load" allow="127.0.0.1" timeout="30" pingfreq="120" threshold="${threshold}" commandrate="${commandrate}" fakelag="no"
  hardsendq="16777216" softsendq="1048576" recvq="1048576" localmax="100000" globalmax="100000" maxchans="50"
  resolvehostnames="no" useident="no" limit="100000">
<dns server="127.0.0.1" timeout="1">
<pid file="${tmp.dir}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${tmp.dir}/inspircd.log">
<module name="cap">
<module name="ircv3">
<module name="ircv3_echomessage">
<channels users="50" opers="60">
<performance softlimit="20000" somaxconn="1024" netbuffersize="65536">
<security hideserver="" userstats="Pu" maxtargets="20">
<options prefixquit="Quit: ">
`);
  const args = [`--config=${conf}`, '--nofork', ...(process.getuid?.() === 0 ? ['--runasroot'] : [])];
  return launch('inspircd', bin, args, port, tmp);
}

/** ngircd with its default flood handling; DNS and ident off so that registration is quick. */
export async function startNgircd(bin: string): Promise<IrcServer> {
  const tmp = tempDir('chatpulse-ngircd-');
  fs.chmodSync(tmp.dir, 0o755); // ngircd drops root for 'nobody' before it reads the MOTD
  const port = await freePort();
  const conf = path.join(tmp.dir, 'ngircd.conf');
  fs.writeFileSync(conf, `[Global]
\tName = irc.ngtest
\tInfo = chatpulse test
\tListen = 127.0.0.1
\tPorts = ${port}
\tMotdPhrase = chatpulse test
\tPidFile = ${tmp.dir}/ngircd.pid
[Limits]
\tMaxConnectionsIP = 0
\tMaxConnections = 0
\tMaxJoins = 50
[Options]
\tDNS = no
\tIdent = no
\tPAM = no
`);
  fs.chmodSync(conf, 0o644);
  return launch('ngircd', bin, ['-n', '-f', conf], port, tmp);
}

async function launch(name: string, bin: string, args: string[], port: number, tmp: { dir: string; cleanup(): void }): Promise<IrcServer> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)));
  const stop = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        tmp.cleanup();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(t);
        done();
      });
      child.kill('SIGTERM');
    });
  const started = Date.now();
  while (!(await canConnect(port))) {
    if (Date.now() - started > 8000 || child.exitCode !== null) {
      await stop();
      throw new Error(`${name} did not start on port ${port}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, port, url: `irc://127.0.0.1:${port}`, log: () => out, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
