/**
 * Bench scenario 5: N idle connections logged in across R rooms, then 1 % of them active. The server
 * and the driver (bench/connections-driver.ts) are separate processes, each started under the open-file
 * limit it needs (bench/fd-limits.ts). Figures: accept rate, time until all joined, server RSS growth
 * per connection after a forced GC, the driver's own memory per client, and the corrected p99 of
 * deliveries with 1 % of the clients sending 1 message/s.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import type { ActiveReply, ActiveRequest, ConnectReply, ConnectRequest } from './connections-driver.js';
import { planConnections, somaxconn, type ConnectionPlan } from './fd-limits.js';
import { spawnNode, startChatpulse, type ServerProcess } from './processes.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface ConnectionsOptions {
  /** Connections asked for; fewer run when the open-file limit is lower (see `plan.shortfall`). */
  connections: number;
  rooms: number;
  /** Seconds of the active phase's measurement (after a 3 s warm-up). */
  activeSeconds: number;
  log(line: string): void;
}

export interface ConnectionsResult extends ConnectReply {
  plan: ConnectionPlan;
  perAddress: number;
  addresses: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  bytesPerConnection: number;
  /** Of which JS heap in use (from the server's own /metrics after the GC). */
  heapBytesPerConnection: number;
  active: ActiveReply & { senders: number; serverCores: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's RSS and JS heap in use after a full GC (SIGUSR2, see gc-on-signal.ts) and a settle. */
async function settled(server: ServerProcess): Promise<{ rss: number; heap: number }> {
  await sleep(500);
  server.child.kill('SIGUSR2');
  await sleep(1000);
  const text = await (await fetch(`http://127.0.0.1:${server.httpPort}/metrics`)).text();
  const heap = Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN);
  return { rss: server.rssBytes(), heap };
}

function ask<T>(driver: ChildProcess, msg: ConnectRequest | ActiveRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error(`driver exited (${driver.exitCode ?? driver.signalCode})`));
    driver.once('exit', onExit);
    driver.once('message', (m: { ok: boolean; value?: T; error?: string }) => {
      driver.off('exit', onExit);
      if (m.ok) resolve(m.value as T);
      else reject(new Error(m.error));
    });
    driver.send(msg);
  });
}

export async function measureConnections(o: ConnectionsOptions): Promise<ConnectionsResult> {
  const plan = planConnections(o.connections);
  if (plan.shortfall) o.log(plan.shortfall);
  const n = plan.connections;
  // Ports 2000–31999 of each source address: below the ephemeral range (32768– by default), where
  // the servers other programs start on port 0 land.
  const firstPort = 2000;
  const perAddress = 30_000;
  const addresses = Math.ceil(n / perAddress);
  o.log(`${n.toLocaleString('en-US')} clients from ${addresses} source address(es) 127.0.0.2… (≤ ${perAddress.toLocaleString('en-US')} each, ports ${firstPort}–${firstPort + perAddress - 1}), ulimit -n ${plan.fdLimit} per process, somaxconn ${somaxconn()}`);
  const server = await startChatpulse([], { node: ['--expose-gc', '--import', path.join(HERE, 'gc-on-signal.js')], fdLimit: plan.fdLimit });
  const driver = spawnNode([path.join(HERE, 'connections-driver.js')], { node: ['--expose-gc'], fdLimit: plan.fdLimit, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const before = await settled(server);
    const joined = await ask<ConnectReply>(driver, { cmd: 'connect', port: server.port, connections: n, rooms: o.rooms, parallel: 500, perAddress, firstPort });
    const after = await settled(server);
    const senders = Math.max(1, Math.round(n / 100));
    // The server's CPU over the warm-up and the measurement, in cores, beside the driver's own.
    const cpu0 = server.cpuSeconds();
    const t0 = performance.now();
    const active = await ask<ActiveReply>(driver, { cmd: 'active', senders, rate: 1, rooms: o.rooms, warmupMs: 3000, measureMs: o.activeSeconds * 1000 });
    const serverCores = (server.cpuSeconds() - cpu0) / ((performance.now() - t0) / 1000);
    return {
      ...joined, plan, perAddress, addresses, rssBeforeBytes: before.rss, rssAfterBytes: after.rss,
      bytesPerConnection: (after.rss - before.rss) / n, heapBytesPerConnection: (after.heap - before.heap) / n,
      active: { ...active, senders, serverCores },
    };
  } finally {
    if (driver.connected) driver.send({ cmd: 'close' });
    await Promise.race([new Promise((r) => driver.once('exit', r)), sleep(5000)]);
    if (driver.exitCode === null) driver.kill('SIGKILL');
    await server.stop();
  }
}
