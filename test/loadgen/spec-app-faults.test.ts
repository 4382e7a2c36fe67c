// Faults of a spec-driven app, for both transports (JSON frames over ws, Socket.IO): a stalled app shows
// in corrected latency and is not called loss; an app that crashes and comes back gets its clients back.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadSpec, runLoad, type LoadgenTickReport } from '../../loadgen/index.js';
import { killLeftovers, ROOT } from '../helpers/cli.js';
import { startExampleApp } from '../helpers/example-app.js';
import { crashDisconnects } from '../helpers/crash.js';
import { sleep } from '../helpers/line-client.js';

test.after.each(killLeftovers);

const APPS = ['ws-json-chat', 'socketio-chat'] as const;
const specOf = (app: (typeof APPS)[number]) => loadSpec(fs.readFileSync(path.join(ROOT, 'examples', app, 'spec.json'), 'utf8'), 'spec.json');
const load = { clients: 20, rooms: 2, rate: 5, ramp: 300, pm: 0, switch: 0, users: 0, workers: 1, interval: 250, seed: 9 };

for (const name of APPS) {
  test(`${name}: a 1 s stall (SIGSTOP) shows in corrected latency and loses nothing`, async () => {
    const app = await startExampleApp(name);
    try {
      const run = runLoad({ ...load, duration: 4000, lossTimeout: 4000, targets: [app.url], spec: specOf(name) });
      await sleep(1500);
      process.kill(app.pid, 'SIGSTOP');
      await sleep(1000);
      process.kill(app.pid, 'SIGCONT');
      const s = await run;
      const c = s.latency.corrected;
      assert.ok(c.max >= 800, `corrected max ${c.max} ms covers the stall`);
      assert.ok(c.p50 < 200, `the median stays small (${c.p50} ms): only messages around the stall waited`);
      assert.equal([s.messages.lost, s.messages.unexpected], [0, 0], JSON.stringify(s.messages));
      assert.is(s.messages.received, s.messages.expected);
    } finally {
      await app.stop().catch(() => undefined);
    }
  });

  test(`${name}: killed (SIGKILL) and restarted on its port, every client reconnects and traffic resumes`, async () => {
    const first = await startExampleApp(name);
    let second: Awaited<ReturnType<typeof startExampleApp>> | undefined;
    const ticks: LoadgenTickReport[] = [];
    try {
      const run = runLoad({ ...load, duration: 6000, lossTimeout: 1000, targets: [first.url], spec: specOf(name) }, { onTick: (r) => ticks.push(r) });
      await sleep(1500);
      await first.kill();
      const killedAt = Date.now();
      await sleep(700);
      second = await startExampleApp(name, [], first.port);
      const s = await run;
      assert.ok(s.clients.reconnects >= load.clients, `reconnects ${s.clients.reconnects}`);
      assert.ok(crashDisconnects(s) >= load.clients, `the crash is named: ${JSON.stringify(s.errors)}`);
      const after = ticks.filter((t) => t.time > killedAt + 1500).reduce((a, t) => a + t.received, 0);
      assert.ok(after > 100, `deliveries after the restart: ${after}`);
      const did = await second.stop();
      assert.ok(did.delivered > 100, `the new app delivered ${did.delivered}`);
    } finally {
      await first.kill().catch(() => undefined);
      await second?.stop().catch(() => undefined);
    }
  });
}

test.run();
