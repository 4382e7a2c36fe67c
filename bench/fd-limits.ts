/**
 * What a many-connection bench needs from the OS, read rather than assumed: the open-file limits
 * (Node has no getrlimit; /proc/self/limits has both), the ephemeral port range (how many clients one
 * source address can hold) and the listen backlog cap. A child started under `ulimit -n N` may raise its
 * soft limit up to the hard one, never past it: without CAP_SYS_RESOURCE that is the ceiling.
 */
import fs from 'node:fs';

export interface FdLimits {
  soft: number;
  hard: number;
}

/** Open-file limits of this process; Infinity for `unlimited`. */
export function readFdLimits(text = fs.readFileSync('/proc/self/limits', 'utf8')): FdLimits {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) throw new Error('no "Max open files" line in /proc/self/limits');
  const num = (s: string) => (s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: num(m[1] as string), hard: num(m[2] as string) };
}

function readNumbers(file: string): number[] {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** Ports one source address can use for outgoing connections (ip_local_port_range), 28,232 by default. */
export function ephemeralPorts(): number {
  const [lo, hi] = readNumbers('/proc/sys/net/ipv4/ip_local_port_range');
  return lo !== undefined && hi !== undefined ? hi - lo + 1 : 28_232;
}

/** net.core.somaxconn: the kernel caps every listen backlog at it. */
export function somaxconn(): number {
  return readNumbers('/proc/sys/net/core/somaxconn')[0] ?? 4096;
}

/** File descriptors a process holds besides its sockets (stdio, epoll, SQLite, pipes, libuv): a margin. */
export const FD_MARGIN = 100;

export interface ConnectionPlan {
  /** Connections that will run: `wanted`, or the most the hard limit allows. */
  connections: number;
  /** Soft limit to start each child (server, driver) under. */
  fdLimit: number;
  /** Why fewer than wanted run, with the command that would allow them; undefined when all run. */
  shortfall?: string;
}

/**
 * Server and driver are separate processes, each holding one socket per connection: each needs
 * `connections + FD_MARGIN` descriptors. Past the hard limit the plan runs the most it can and says
 * exactly what the full count needs.
 */
export function planConnections(wanted: number, limits: FdLimits = readFdLimits()): ConnectionPlan {
  const need = wanted + FD_MARGIN;
  if (need <= limits.hard) return { connections: wanted, fdLimit: need };
  const fit = Math.max(0, limits.hard - FD_MARGIN);
  const round = (n: number) => n.toLocaleString('en-US');
  return {
    connections: fit,
    fdLimit: limits.hard,
    shortfall: `needs ${round(need)} file descriptors in each of the server and the driver: run \`ulimit -n ${Math.ceil(need / 10_000) * 10_000}\` `
      + `(hard limit now ${round(limits.hard)}; raising it needs root with CAP_SYS_RESOURCE); running ${round(fit)}`,
  };
}
