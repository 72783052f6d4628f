import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The coordinators' web app: built into <repo>/dist/web and served by the Fastify server at "/".
// Every asset (DSFR CSS, Marianne fonts, icons, Leaflet) is bundled: nothing is loaded from a CDN.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: the APIs come from the running server.
    proxy: { '/api': 'http://localhost:8080', '/fhir': 'http://localhost:8080' },
  },
});
