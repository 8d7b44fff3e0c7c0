// Vite and Vitest configuration for the login SPA. The project root is this
// folder (npm scripts pass `frontend` as Vite's root), so `dist/` lands in
// frontend/dist where frontend/embed.go picks it up for the Go binary.
import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

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
  plugins: [preact()],
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
