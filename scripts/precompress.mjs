// precompress.mjs FILE… — write FILE.br (brotli, quality 11) and FILE.gz
// (gzip -9) beside each file, which the Go server sends as they are (api/spa.go).
// Node's zlib does it, so no compressor needs to be installed. The Vite build
// imports precompressFile for the SPA's assets; scripts/wasm-build.sh runs this
// file for the WASM module.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** @param {string} file */
export function precompressFile(file) {
  const data = readFileSync(file);
  writeFileSync(file + '.br', brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  writeFileSync(file + '.gz', gzipSync(data, { level: 9 }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.argv.slice(2).forEach(precompressFile);
}
