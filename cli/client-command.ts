import { runClient } from '../client/index.js';
import { flag } from './flags.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';

const spec = {
  host: flag.string('127.0.0.1', 'chat server address'),
  port: flag.int(5555, 'chat server (TCP) port', { min: 1, max: 65535 }),
  nick: flag.string('', 'nickname, sent again after every reconnect; empty: type it at the prompt', { maxLength: 64 }),
  settle: flag.duration(500, 'pipe mode: after stdin ends, exit once nothing has arrived for this long', { min: 0, max: 60_000 }),
  retryMax: flag.duration(10_000, 'longest wait between reconnect attempts (jittered, doubling from 0.5s)', { min: 500, max: 3_600_000 }),
};

export const clientCommand: Command = {
  summary: 'interactive terminal chat client (colours, reconnect, rooms restored); scriptable through a pipe',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse client [flags]', summary: clientCommand.summary, footer: EXAMPLE });
    if (f === undefined) return 0;
    return runClient({ host: f.host, port: f.port, nick: f.nick, settleMs: f.settle, backoff: { minMs: 500, maxMs: f.retryMax } });
  },
};

const EXAMPLE = `
On a terminal: type a message for your active room, or a command (/join ROOM, /pm NICK TEXT,
/rooms, /users, /help). Ctrl-D or /quit exits. Colours follow each nickname; NO_COLOR=1 turns
them off. If the server goes away the client retries with backoff and, back on line, logs in again
with the same nickname: the server puts it back in its rooms.

With stdin not a terminal it sends each line and prints what arrives, then exits:
  printf '/join dev\\nhello\\n' | chatpulse client --nick bot`;
