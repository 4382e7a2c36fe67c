import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Opener {
  command: string;
  args: string[];
}

/** The first executable called `name` on `PATH`, if any. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = path.join(dir, name + ext);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * How to open a URL here, or why we cannot: `open` on macOS, url.dll on Windows, `xdg-open` elsewhere
 * (only with a graphical display: without one it would pick a text browser and take the terminal).
 */
export function findOpener(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Opener | string {
  if (platform === 'darwin') return which('open', env, platform) ? { command: 'open', args: [url] } : 'there is no `open` command';
  // `start` is a cmd built-in whose quoting differs from spawn's; url.dll opens the default browser directly.
  if (platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no graphical display (DISPLAY is not set)';
  const xdg = which('xdg-open', env, platform);
  return xdg ? { command: xdg, args: [url] } : 'xdg-open is not installed (Debian: apt install xdg-utils)';
}

/**
 * `--open`: starts the browser and resolves with one line for the terminal — what was done, or
 * plainly why not. Never throws and never waits for the browser.
 */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Promise<string> {
  const opener = findOpener(url, env, platform);
  if (typeof opener === 'string') return Promise.resolve(`cannot open a browser: ${opener}; open ${url} yourself`);
  return new Promise((resolve) => {
    const child = spawn(opener.command, opener.args, { stdio: 'ignore', detached: true, env });
    child.once('error', (err) => resolve(`cannot open a browser: ${path.basename(opener.command)} failed (${err.message}); open ${url} yourself`));
    child.once('spawn', () => {
      child.unref();
      resolve(`opening ${url} in your browser (${path.basename(opener.command)})`);
    });
  });
}
