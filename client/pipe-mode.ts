import readline from 'node:readline';
import { colorEnabled, styleLine } from './colors.js';
import { LineSocket } from './line-socket.js';
import type { ClientOptions } from './options.js';
import { SessionState } from './session-state.js';

/** Stays under the server's default --max-rate (50 lines/s), so a long script is not rate-limited. */
const LINES_PER_SECOND = 40;

/**
 * Scripting mode (stdin not a terminal): log in with --nick, send each input line in order, print
 * every line that arrives, and exit once stdin has ended and the server has gone quiet for
 * `settleMs`. Exit 0, or 1 when the server cannot be reached, drops us, or refuses the nickname
 * (taken, invalid or reserved).
 */
export function runPipe(opts: ClientOptions): Promise<number> {
  const color = colorEnabled(opts.env, opts.output);
  const state = new SessionState();
  const queue: string[] = [];
  let inputEnded = false;
  let ready = opts.nick === '';
  let sentQuit = false;
  let lastActivity = Date.now();
  let done = false;

  return new Promise((resolve) => {
    const finish = (code: number, message?: string) => {
      if (done) return;
      done = true;
      clearInterval(pump);
      if (message) opts.errors.write(`chatpulse client: ${message}\n`);
      socket.close();
      input.close();
      void socket.closed().then(() => resolve(code));
    };

    const socket = new LineSocket({ host: opts.host, port: opts.port, reconnect: false }, {
      onConnect: () => {},
      onLine: (line) => {
        lastActivity = Date.now();
        opts.output.write(`${styleLine(line, color)}\n`);
        if (line.startsWith('* Welcome to chatpulse') && opts.nick !== '') socket.send(`/nick ${opts.nick}`);
        state.update(line);
        if (!ready && state.nick !== null) ready = true;
        if (!ready && state.taken !== null) finish(1, `nickname '${state.taken}' is taken`);
        // Any other refusal before the login (a bad or reserved name): nothing would ever be sent.
        else if (!ready && opts.nick !== '' && line.startsWith('! ')) finish(1, `not logged in as --nick '${opts.nick}': ${line.slice(2)}`);
      },
      onDown: ({ wasConnected, error }) => {
        // Never connected is a failure even with nothing to send (empty stdin): the server is not there.
        if (!wasConnected) return finish(1, `cannot connect to ${opts.host}:${opts.port}${error ? ` (${error})` : ''}`);
        if (sentQuit || (inputEnded && queue.length === 0)) return finish(0);
        finish(1, 'the server closed the connection');
      },
    });

    const input = readline.createInterface({ input: opts.input, terminal: false });
    input.on('line', (line) => queue.push(line));
    input.on('close', () => {
      inputEnded = true;
      lastActivity = Date.now();
    });

    const pump = setInterval(() => {
      if (!ready || !socket.connected) return;
      const line = queue.shift();
      if (line !== undefined) {
        if (line.trim() === '/quit') sentQuit = true;
        socket.send(line);
        lastActivity = Date.now();
        return;
      }
      if (inputEnded && Date.now() - lastActivity >= opts.settleMs) finish(0);
    }, 1000 / LINES_PER_SECOND);
    socket.start();
  });
}
