/**
 * A purpose-built TCP peer that speaks just enough of the chatpulse protocol for the load generator
 * (nick, join, leave, users, pm, room messages) and misbehaves on cue: it can pause (queue every line
 * it reads for a while, like a stop-the-world GC), drop, duplicate or reorder room deliveries.
 */
import net from 'node:net';

export interface PeerMisbehaviour {
  /** Drop every Nth room delivery line (counted over all receivers). */
  dropEvery?: number;
  /** Send every Nth room delivery line twice. */
  duplicateEvery?: number;
  /** Hold every Nth room delivery line back until the next one to the same receiver has gone. */
  reorderEvery?: number;
  /** Answer every PM `! no such user` (whether the target is there or not). */
  refusePms?: boolean;
}

interface Peer {
  socket: net.Socket;
  nick: string | null;
  rooms: Set<string>;
  active: string | null;
  held: string | null;
  buf: string;
}

export class FakeChatPeer {
  readonly server: net.Server;
  port = 0;
  /** Room delivery lines written, dropped, duplicated, reordered (what the peer did). */
  readonly did = { delivered: 0, dropped: 0, duplicated: 0, reordered: 0, messages: 0 };
  readonly #peers = new Set<Peer>();
  readonly #rooms = new Map<string, Set<Peer>>();
  #pausedUntil = 0;
  #queue: [Peer, string][] = [];
  #deliveries = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(readonly misbehave: PeerMisbehaviour = {}) {
    this.server = net.createServer((socket) => this.#accept(socket));
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Stop processing input for `ms`; everything read meanwhile is handled when it ends. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Date.now() + ms;
    this.#resumeTimer = setTimeout(() => {
      this.#pausedUntil = 0;
      const q = this.#queue;
      this.#queue = [];
      for (const [p, line] of q) this.#line(p, line);
    }, ms);
  }

  async close(): Promise<void> {
    clearTimeout(this.#resumeTimer);
    for (const p of this.#peers) p.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  #accept(socket: net.Socket): void {
    const p: Peer = { socket, nick: null, rooms: new Set(), active: null, held: null, buf: '' };
    this.#peers.add(p);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.write('* Welcome to chatpulse. Choose a nickname with /nick NAME\n');
    socket.on('data', (d: string) => {
      p.buf += d;
      let nl: number;
      while ((nl = p.buf.indexOf('\n')) >= 0) {
        const line = p.buf.slice(0, nl);
        p.buf = p.buf.slice(nl + 1);
        if (this.#pausedUntil > 0) this.#queue.push([p, line]);
        else this.#line(p, line);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#peers.delete(p);
      for (const r of [...p.rooms]) this.#leave(p, r);
    });
  }

  #send(p: Peer, line: string): void {
    if (!p.socket.destroyed) p.socket.write(`${line}\n`);
  }

  #line(p: Peer, line: string): void {
    const sp = line.indexOf(' ');
    const cmd = line.startsWith('/') ? (sp < 0 ? line : line.slice(0, sp)) : '';
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    if (cmd === '/nick') {
      p.nick = arg;
      this.#send(p, `* Welcome, ${arg}. You are in #main. Type /help for the commands.`);
      this.#join(p, 'main');
    } else if (cmd === '/join') {
      this.#join(p, arg);
    } else if (cmd === '/leave') {
      if (p.rooms.has(arg)) this.#send(p, `* ${p.nick} left #${arg}`);
      this.#leave(p, arg);
    } else if (cmd === '/users') {
      const m = [...(this.#rooms.get(arg) ?? [])].map((x) => x.nick);
      this.#send(p, `* users in #${arg} (${m.length}): ${m.join(', ')}`);
    } else if (cmd === '/pm') {
      const to = arg.slice(0, arg.indexOf(' '));
      const text = arg.slice(arg.indexOf(' ') + 1);
      const target = [...this.#peers].find((x) => x.nick === to);
      if (!target || this.misbehave.refusePms) return this.#send(p, `! no such user '${to}'`);
      this.#send(target, `[PM from ${p.nick}] ${text}`);
      this.#send(p, `[PM to ${to}] ${text}`);
    } else if (cmd === '/quit') {
      this.#send(p, '* Bye');
      p.socket.end();
    } else if (cmd === '' && p.active) {
      this.did.messages++;
      for (const m of this.#rooms.get(p.active) ?? []) this.#deliver(m, `[${p.active}] ${m === p ? 'You' : p.nick}: ${line}`);
    }
  }

  #deliver(to: Peer, line: string): void {
    const n = ++this.#deliveries;
    const { dropEvery, duplicateEvery, reorderEvery } = this.misbehave;
    if (dropEvery && n % dropEvery === 0) {
      this.did.dropped++;
      return;
    }
    if (reorderEvery && n % reorderEvery === 0 && to.held === null) {
      to.held = line;
      this.did.reordered++;
      setTimeout(() => this.#flushHeld(to), 50);
      return;
    }
    this.#send(to, line);
    this.did.delivered++;
    if (duplicateEvery && n % duplicateEvery === 0) {
      this.#send(to, line);
      this.did.duplicated++;
    }
    this.#flushHeld(to);
  }

  #flushHeld(to: Peer): void {
    if (to.held === null) return;
    this.#send(to, to.held);
    this.did.delivered++;
    to.held = null;
  }

  #join(p: Peer, room: string): void {
    let members = this.#rooms.get(room);
    if (!members) this.#rooms.set(room, (members = new Set()));
    p.active = room;
    if (members.has(p)) return this.#send(p, `* #${room} is now your active room`);
    members.add(p);
    p.rooms.add(room);
    for (const m of members) this.#send(m, `* ${p.nick} joined #${room}`);
  }

  #leave(p: Peer, room: string): void {
    const members = this.#rooms.get(room);
    if (!members?.delete(p)) return;
    p.rooms.delete(room);
    if (p.active === room) p.active = null;
    for (const m of members) this.#send(m, `* ${p.nick} left #${room}`);
  }
}
