#!/usr/bin/env node
// The built CLI lives in dist/ (compiled by `npm install` through the prepare script).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli')) {
    console.error('chatpulse: not built yet — run `npm install` (or `npm run build`) first');
  } else {
    console.error(err);
  }
  process.exit(1);
});
