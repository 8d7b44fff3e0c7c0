// Vite and Vitest configuration for the login SPA. The project root is this
// folder (npm scripts pass `frontend` as Vite's root), so `dist/` lands in
// frontend/dist where frontend/embed.go picks it up for the Go binary.
import { defineConfig, type Plugin } from 'vitest/config';
import preact from '@preact/preset-vite';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompressFile } from '../scripts/precompress.mjs';

/**
 * precompress writes .br and .gz siblings of the text assets, which the Go
 * server sends as they are (api/spa.go), so no request pays for compression.
 */
function precompress(): Plugin {
  return {
    name: 'kanmon-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (/\.(js|css|html|svg)$/.test(name)) precompressFile(join(options.dir ?? 'dist', name));
      }
    },
  };
}

// The Go server only accepts state-changing requests whose Origin is its own,
// so the dev proxy rewrites Origin to the backend's address.
const backend = process.env.KANMON_DEV_BACKEND ?? 'http://localhost:8080';
const proxied = {
  target: backend,
  changeOrigin: true,
  headers: { Origin: backend },
};

export default defineConfig({
  // npm scripts run from the repository root; the SPA's root is this folder.
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [preact(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Keep the first screen in one small request chain; no source maps in the
    // embedded bundle (they would bloat the Go binary).
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': proxied,
      '/openapi.json': proxied,
      '/healthz': proxied,
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
