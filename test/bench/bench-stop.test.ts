/**
 * `chatpulse bench` stopped from outside (SIGTERM, SIGINT): the servers it started stop with it, and
 * their throwaway folders go, instead of running on under init. The real bin, a real quick scenario.
 */
import fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

test.after.each(killLeftovers);

/** Pids whose parent is `ppid`, from /proc. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(entry));
    } catch {}
  }
  return out;
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal}: the bench exits ${code}, and the server it had started is gone with its folder`, async () => {
    const tmp = tempDir();
    try {
      const folders = () => fs.readdirSync('/tmp').filter((d) => d.startsWith('chatpulse-bench-'));
      const earlier = new Set(folders());
      const p = runCli(['bench', '--quick', '--only', 'fanout', '--results-dir', tmp.dir]);
      const pid = p.child.pid as number;
      let kids: number[] = [];
      for (let i = 0; i < 300 && kids.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        kids = childrenOf(pid);
      }
      assert.ok(kids.length > 0, `no child process started: ${p.stdout()}${p.stderr()}`);
      // Until a chatpulse server is up and has made its folder (the scenario starts with the bare server).
      let mine: string[] = [];
      for (let i = 0; i < 300 && mine.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        mine = folders().filter((d) => !earlier.has(d));
      }
      assert.ok(mine.length > 0, 'the server made its folder');
      kids = childrenOf(pid);
      p.child.kill(signal);
      const exit = await p.exited(20_000);
      assert.is(exit.code, code, p.stderr());
      assert.match(p.stderr(), new RegExp(`chatpulse bench: stopped by ${signal}; the servers it started were stopped too`));
      for (let i = 0; i < 50 && kids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(kids.filter(alive), [], 'children still running');
      assert.equal(mine.filter((d) => fs.existsSync(`/tmp/${d}`)), [], 'its /tmp folders removed');
    } finally {
      tmp.cleanup();
    }
  });
}

test.run();
