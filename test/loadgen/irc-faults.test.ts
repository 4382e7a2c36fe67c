// Faults of real IRC servers (InspIRCd, ngircd, ircd-hybrid): a stalled server shows in corrected
// latency and loses nothing; a server killed and started again on its port gets its clients back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad, type LoadgenTickReport } from '../../loadgen/index.js';
import { hybridBin, inspircdBin, ngircdBin, startHybrid, startInspircd, startNgircd, type IrcServer, type StartOptions } from '../helpers/irc-servers.js';
import { crashDisconnects } from '../helpers/crash.js';
import { sleep } from '../helpers/line-client.js';
import { needing } from '../helpers/require-tool.js';

const SERVERS: [string, string | undefined, (bin: string, o?: StartOptions) => Promise<IrcServer>][] = [
  ['InspIRCd', inspircdBin(), startInspircd],
  ['ngircd', ngircdBin(), startNgircd],
  ['ircd-hybrid', hybridBin(), startHybrid],
];
// Half a message a second per client: under ngircd's per-client command delay, so that what shows is the fault.
const load = { protocol: 'irc', clients: 20, rooms: 2, rate: 0.5, ramp: 500, pm: 0, switch: 0, users: 0, workers: 1, interval: 250, seed: 4 };

for (const [name, bin, start] of SERVERS) {
  needing(test, bin)(`${name}: a 1 s stall (SIGSTOP) shows in corrected latency and loses nothing`, async () => {
    const srv = await start(bin as string);
    try {
      const run = runLoad({ ...load, duration: 5000, lossTimeout: 4000, port: srv.port });
      await sleep(2000);
      process.kill(srv.pid, 'SIGSTOP');
      await sleep(1000);
      process.kill(srv.pid, 'SIGCONT');
      const s = await run;
      // 10 messages/s in all, on a Poisson schedule: the first one due in the stall is due a Poisson gap
      // after it starts (more than 200 ms in one run in 7, more than 500 ms in one in 150), and waits for the rest.
      assert.ok(s.latency.corrected.max >= 500, `corrected max ${s.latency.corrected.max} ms covers the stall`);
      assert.equal([s.messages.lost, s.messages.unexpected], [0, 0], JSON.stringify(s.messages));
      assert.ok(s.messages.received >= s.messages.expected && s.messages.received <= s.messages.expected + s.messages.ambiguous, JSON.stringify(s.messages));
    } finally {
      process.kill(srv.pid, 'SIGCONT');
      await srv.stop();
    }
  });

  needing(test, bin)(`${name}: killed (SIGKILL) and started again on its port, every client reconnects and traffic resumes`, async () => {
    const first = await start(bin as string);
    let second: IrcServer | undefined;
    const ticks: LoadgenTickReport[] = [];
    try {
      const run = runLoad({ ...load, rate: 1, duration: 8000, lossTimeout: 1000, port: first.port }, { onTick: (r) => ticks.push(r) });
      await sleep(2000);
      await first.kill();
      const killedAt = Date.now();
      await sleep(500);
      second = await start(bin as string, { port: first.port });
      const s = await run;
      assert.ok(s.clients.reconnects >= load.clients, `reconnects ${s.clients.reconnects}`);
      assert.ok(crashDisconnects(s) >= load.clients, `the crash is named: ${JSON.stringify(s.errors)}`);
      const after = ticks.filter((t) => t.time > killedAt + 2500).reduce((a, t) => a + t.received, 0);
      assert.ok(after > 20, `deliveries after the restart: ${after}`);
    } finally {
      await first.stop(); // after kill(): removes its temp dir
      await second?.stop();
    }
  });
}

test.run();
