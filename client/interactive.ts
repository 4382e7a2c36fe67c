import { colorEnabled, styleLine, styleNotice } from './colors.js';
import { LineSocket } from './line-socket.js';
import type { ClientOptions } from './options.js';
import { SessionState } from './session-state.js';
import { TerminalUi } from './terminal-ui.js';

/**
 * The interactive client: a prompt, coloured lines, and a connection that comes back by itself.
 * After each reconnect it says `/nick` again; the server's grace restore gives the rooms back.
 * Resolves with the exit code (0 on Ctrl-D, Ctrl-C or /quit).
 */
export function runInteractive(opts: ClientOptions): Promise<number> {
  const color = colorEnabled(opts.env, opts.output);
  const state = new SessionState();
  state.nick = opts.nick || null;
  const ui = new TerminalUi({ input: opts.input, output: opts.output, prompt: state.prompt() });
  let quitting = false;
  let loggedInOnce = false;
  let takenRetries = 0;

  return new Promise((resolve) => {
    const socket = new LineSocket({ host: opts.host, port: opts.port, backoff: opts.backoff }, {
      onConnect: () => {
        ui.print(styleNotice(`* connected to ${opts.host}:${opts.port}`, color));
      },
      onLine: (line) => {
        // The greeting asks for a nickname: answer it with the one we know (first login or reconnect).
        if (line.startsWith('* Welcome to chatpulse') && state.nick !== null) socket.send(`/nick ${state.nick}`);
        if (state.update(line)) ui.setPrompt(state.prompt());
        if (state.nick !== null && state.active !== null) takenRetries = 0;
        ui.print(styleLine(line, color));
        // After a reconnect our old session may not be noticed gone yet: ask again a few times.
        if (state.taken !== null && state.taken === state.nick && loggedInOnce && takenRetries++ < 5) {
          state.taken = null;
          setTimeout(() => state.active === null && socket.send(`/nick ${state.nick}`), 2000).unref();
        }
        if (state.taken !== null && !loggedInOnce) state.nick = null; // the user types another /nick
        if (state.active !== null) loggedInOnce = true;
      },
      onDown: ({ wasConnected, error, retryInMs }) => {
        if (quitting) return finish();
        state.disconnected();
        ui.setPrompt(state.prompt());
        const what = wasConnected ? 'disconnected' : `cannot connect to ${opts.host}:${opts.port}${error ? ` (${error})` : ''}`;
        ui.print(styleNotice(`* ${what} — retrying in ${(Number(retryInMs) / 1000).toFixed(1)}s`, color));
      },
    });

    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      socket.close();
      ui.close();
      resolve(0);
    };
    const quit = () => {
      if (quitting) return;
      quitting = true;
      if (!socket.send('/quit')) return finish();
      // Wait for the server's "* Bye" and close, but not forever.
      setTimeout(finish, 1000).unref();
    };

    ui.onLine((line) => {
      if (line.trim() === '/quit') return quit();
      if (line.trim() === '') return;
      if (!socket.send(line)) ui.print(styleNotice('* not connected; the line was not sent', color));
    });
    ui.onEnd(quit);
    socket.start();
  });
}
