import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

// Tauri serves ui/dist; the dev server port is the one src-tauri's devUrl points at.
export default defineConfig({
  plugins: [preact()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Keep every asset a file: a strict CSP allows no data: URLs or inline code.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: 'happy-dom',
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
