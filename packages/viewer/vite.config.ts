import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The viewer is served at `/` by `codecrew serve` and `codecrew view`; every file it needs is bundled.
// mermaid and its diagram types are chunks loaded on first use (the largest, elk's layout, is 1.5 MB).
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react()],
  base: './',
  build: { outDir: 'dist/app', emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 1600 },
});
