#!/usr/bin/env node
// size-report.mjs [DIST] [--budget=BYTES] — sizes of the built SPA, raw, gzip
// and brotli (node:zlib at maximum settings, as the build precompresses):
// the first screen (index.html and what it links), the lazy JS chunks if any,
// and the WASM helper. With --budget, exits 1 when the first screen's brotli
// size is over BYTES (the design asks for well under 60 KB).
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const dist = args.find((a) => !a.startsWith('--')) ?? 'frontend/dist';
const budget = Number(args.find((a) => a.startsWith('--budget='))?.split('=')[1] ?? 0);

function sizes(file) {
  const raw = readFileSync(file);
  return {
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    brotli: brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length,
  };
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

if (!existsSync(join(dist, 'index.html'))) {
  console.error(`${dist}/index.html not found: run npm run build first`);
  process.exit(2);
}

// The first screen is index.html plus every script, stylesheet and module
// preload it references; any other JS is a lazily loaded chunk.
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const linked = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => join(dist, m[1]));
const files = walk(dist).filter((f) => !/\.(br|gz)$/.test(f));
const groups = {
  'first screen': [join(dist, 'index.html'), ...linked],
  'lazy chunks': files.filter((f) => f.endsWith('.js') && !linked.includes(f) && !f.includes('/wasm/')),
  wasm: files.filter((f) => f.includes('/wasm/')),
};

const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
const row = (name, s) => console.log(`${name.padEnd(40)}${kb(s.raw)}${kb(s.gzip)}${kb(s.brotli)}`);
const kind = (f) => (f.endsWith('.wasm') ? 'WASM' : f.endsWith('.css') ? 'CSS' : f.endsWith('.html') ? 'HTML' : 'JS');

let firstBrotli = 0;
console.log(`${'file'.padEnd(40)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const [group, list] of Object.entries(groups)) {
  if (list.length === 0) continue;
  console.log(`— ${group}`);
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of list) {
    const s = sizes(f);
    row(`  ${kind(f).padEnd(5)}${relative(dist, f)}`, s);
    for (const k of Object.keys(total)) total[k] += s[k];
  }
  row(`  total`, total);
  if (group === 'first screen') firstBrotli = total.brotli;
}

if (budget && firstBrotli > budget) {
  console.error(`first screen is ${firstBrotli} bytes brotli, over the budget of ${budget}`);
  process.exit(1);
}
