// The import rules of issue #16, checked by `npm test` (scripts/check-imports.mjs). Paths are relative
// to the project root. The graph includes type-only imports: a type that crosses a boundary the wrong
// way is as much a wrong import as a value, and a cycle of types is still a cycle.
/** Folders of ours, for "imports nothing of ours". */
const OURS = '^(bench|cli|client|compare|dashboard|loadgen|metrics|protocol|report|server|store)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Two modules that import each other load half-initialised; put what they share in a third module.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-a-leaf',
      comment: 'protocol/ is imported by every side (server, loadgen, client, browser), so it imports none of them.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: OURS, pathNot: '^protocol/' },
    },
    {
      name: 'loadgen-client-compare-not-to-server-dashboard-cli',
      comment: 'The loadgen, the client and compare run apart from the server (DESIGN §2): what they share with it lives in protocol/.',
      severity: 'error',
      from: { path: '^(loadgen|client|compare)/' },
      to: { path: '^(server|dashboard|cli)/' },
    },
    {
      name: 'browser-bundle-only-protocol-and-web',
      comment: 'dashboard/web/ is bundled for the browser (scripts/bundle-web.mjs): it may import only itself, protocol/ and npm packages.',
      severity: 'error',
      from: { path: '^dashboard/web/' },
      to: { path: OURS, pathNot: '^(dashboard/web|protocol)/' },
    },
    {
      name: 'report-not-to-server-dashboard-cli',
      comment: 'report/ reads the store and writes pages; it runs without a server (chatpulse report), so it needs none of its parts.',
      severity: 'error',
      from: { path: '^report/' },
      to: { path: '^(server|dashboard|cli)/' },
    },
    {
      name: 'server-not-to-metrics',
      comment: 'DESIGN §2: server/ knows nothing of metrics; it emits typed events that metrics/ subscribes to.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^metrics/' },
    },
  ],
  options: {
    // Tests may import anything; the rules are about the product.
    exclude: { path: '^(test|node_modules|dist)/' },
    doNotFollow: { path: 'node_modules' },
  },
};
