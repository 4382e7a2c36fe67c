import { spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './redis.js';
import { findTool } from './require-tool.js';
import { superviseServer } from './server-process.js';
import { tempDir } from './temp.js';

export interface IrcServer {
  name: string;
  port: number;
  url: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
}

/** `port`: listen there (to restart a server in place); default a free one. */
export interface StartOptions {
  port?: number;
}

/** The binary, or undefined (skip with a line naming the Debian package; under CI=true: throws). */
export const inspircdBin = () => findTool('inspircd', 'inspircd');
export const ngircdBin = () => findTool('ngircd', 'ngircd');
export const hybridBin = () => findTool('ircd-hybrid', 'ircd-hybrid');

/**
 * InspIRCd 3 on a free loopback port with a config in a temp dir. For a load test an operator raises
 * the per-connection flood (`threshold`, `commandrate`) and sendq/recvq limits for 127.0.0.1; pass a
 * low `threshold` to get "Excess Flood" disconnects instead.
 */
export async function startInspircd(bin: string, opts: StartOptions & { threshold?: number; commandrate?: number } = {}): Promise<IrcServer> {
  const tmp = tempDir('chatpulse-inspircd-');
  const port = opts.port ?? (await freePort());
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
export async function startNgircd(bin: string, opts: StartOptions = {}): Promise<IrcServer> {
  const tmp = tempDir('chatpulse-ngircd-');
  fs.chmodSync(tmp.dir, 0o755); // ngircd drops root for 'nobody' before it reads the MOTD
  const port = opts.port ?? (await freePort());
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

/**
 * ircd-hybrid 8 on a free loopback port with a config in a temp dir. Every loadgen client comes from
 * 127.0.0.1: its auth {} block lifts flood control (`can_flood`) and the connect throttle is off —
 * those two are what a load test cannot do without (measured: see below). It offers no
 * `echo-message` (8.2.43's CAP LS: account-notify away-notify cap-notify chghost extended-join
 * invite-notify multi-prefix userhost-in-names), so the expected recipients are the other members.
 * It refuses to start as root ("This server won't run as root/superuser", no switch), so as root it
 * runs as the Debian package's own `irc` user, as its init script does.
 */
export async function startHybrid(bin: string, opts: StartOptions = {}): Promise<IrcServer> {
  const tmp = tempDir('chatpulse-hybrid-');
  const as = process.getuid?.() === 0 ? systemUser('irc') : undefined;
  if (as) fs.chownSync(tmp.dir, as.uid, as.gid); // it writes its pid file, log and ban databases here
  const port = opts.port ?? (await freePort());
  const conf = path.join(tmp.dir, 'ircd.conf');
  fs.writeFileSync(conf, `serverinfo {
\tname = "irc.hybtest";
\tdescription = "chatpulse test";
\tnetwork_name = "Test";
\thub = no;
\t# Default 9, and a longer NICK is cut, not refused: from client 10000 on (lgabc10000) the cut
\t# nicknames collide and registration stalls on 433s.
\tmax_nick_length = 30;
\t# Debian's ircd.conf sets 512.
\tdefault_max_clients = 10000;
};
admin { name = "chatpulse test"; };
class {
\tname = "load";
\t# Debian's ircd.conf allows 2 clients per IP (8 network-wide), 16 per /24 and 100 in its class,
\t# with a 100 kB sendq; here every client is 127.0.0.1. (A class that leaves these out has no
\t# per-IP limit and a 9 MB sendq.)
\tnumber_per_ip_local = 100000;
\tnumber_per_ip_global = 100000;
\tnumber_per_cidr = 100000;
\tmax_number = 100000;
\tsendq = 16 megabytes;
};
listen { host = "127.0.0.1"; port = ${port}; };
auth {
\tuser = "*@127.0.0.1";
\tclass = "load";
\t# Without it a channel or nickname receiving more than 10 messages a second (general {}
\t# default_floodcount) drops the rest with only a "throttled due to flooding" NOTICE to the sender:
\t# 20 clients at 0.5 msg/s in 2 rooms lost 2.4 %, 100 at 1 msg/s 88 %, and no error is counted.
\t# And a client's lines are parsed at 2 a second after a 10-line burst, the rest waiting in its
\t# recvq (2560 bytes, then "Excess Flood"): 10 clients at 5 msg/s in one room had a p99 of 7-8 s.
\tflags = can_flood;
};
general {
\t# No ident (RFC 1413) query, so registration does not wait for one. The reverse DNS lookup has no
\t# switch: each client waits for the resolver's answer (at most 30 s) before it is registered.
\tdisable_auth = yes;
\t# 0 = off. By default a second connection from one IP within a second is refused ("trying to
\t# (re)connect too fast -- throttled"): 100 clients over a 1 s ramp peaked at 7.
\tthrottle_time = 0;
};
`);
  fs.chmodSync(conf, 0o644);
  const file = (name: string) => path.join(tmp.dir, name);
  const args = ['-foreground', '-configfile', conf, '-pidfile', file('ircd.pid'), '-logfile', file('ircd.log'),
    '-klinefile', file('kline.db'), '-dlinefile', file('dline.db'), '-xlinefile', file('xline.db'), '-resvfile', file('resv.db')];
  return launch('ircd-hybrid', bin, args, port, tmp, as);
}

/** A system user's ids from /etc/passwd (`irc` is a static Debian user, 39:39). */
function systemUser(name: string): { uid: number; gid: number } {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`no '${name}' user in /etc/passwd to run the server as`);
  return { uid: Number(uid), gid: Number(gid) };
}

async function launch(
  name: string,
  bin: string,
  args: string[],
  port: number,
  tmp: { dir: string; cleanup(): void },
  as?: Pick<SpawnOptions, 'uid' | 'gid'>,
): Promise<IrcServer> {
  const child = spawn(bin, args, { ...as, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = await superviseServer(name, child, port, () => tmp.cleanup());
  return { name, port, url: `irc://127.0.0.1:${port}`, pid: proc.pid, log: proc.output, stop: proc.stop, kill: proc.kill };
}
