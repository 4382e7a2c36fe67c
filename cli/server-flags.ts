import { flag } from './flags.js';

/** Server flags (DESIGN §1), shared by `chatpulse server` and `chatpulse demo`. */
export const serverFlags = {
  host: flag.string('127.0.0.1', 'chat (TCP) address to bind'),
  port: flag.int(5555, 'chat (TCP) port; 0 = any free port', { min: 0, max: 65535 }),
  httpHost: flag.string('127.0.0.1', 'dashboard and /metrics address to bind'),
  httpPort: flag.int(8080, 'dashboard and /metrics port; 0 = any free port', { min: 0, max: 65535 }),
  db: flag.string('', 'SQLite store for history, runs and samples (default: <results-dir>/chatpulse.db)'),
  resultsDir: flag.string('results', 'folder for run results and the default store'),
  interval: flag.duration(1000, 'metrics tick: one snapshot (MPS, samples, charts) per interval', { min: 100, max: 3_600_000 }),
  window: flag.int(5, 'ticks in the moving-average MPS', { min: 1, max: 3600 }),
  metricRooms: flag.int(50, 'busiest rooms with their own series and rows; the rest are summed as _other', { min: 1, max: 1000 }),
  noMetrics: flag.bool(false, 'run the chat without metrics: no ticks, no run history, /metrics answers 404'),
  label: flag.string('server', 'run label, part of the run id (results/<time>-<label>/)', { maxLength: 64 }),
  maxLine: flag.bytes(4096, 'longest accepted line, in bytes', { min: 16, max: 1024 * 1024 }),
  maxRate: flag.int(50, 'lines per second per connection before excess is dropped; 0 = no limit', { min: 0, max: 1_000_000 }),
  maxQueue: flag.bytes(1024 * 1024, 'unsent output per connection before a slow reader is disconnected', { min: 1024 }),
  maxRoomsPerUser: flag.int(20, 'rooms one user may be in', { min: 1, max: 100_000 }),
  maxRooms: flag.int(10_000, 'rooms on the server in all', { min: 1, max: 10_000_000 }),
  announceLimit: flag.int(500, 'rooms bigger than this stop announcing joins and leaves to everyone', { min: 0, max: 10_000_000 }),
  grace: flag.duration(60_000, 'how long a disconnected nickname keeps its rooms', { min: 0, max: 7 * 86_400_000 }),
  history: flag.int(1000, 'history lines kept per room; 0 = no history', { min: 0, max: 1_000_000 }),
  redis: flag.string('', 'redis://host:port — share rooms, presence, PMs and nicknames with other nodes (off when empty)'),
  nodeId: flag.string('', "this node's name in a cluster and in /metrics (default: <host>:<port>)", { maxLength: 64 }),
  presenceTtl: flag.duration(5000, "how soon a dead node's users drop out of /users and free their nicknames", { min: 500, max: 600_000 }),
};
