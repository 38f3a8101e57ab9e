import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

/**
 * Three builds: main (the Electron shell, the headless server and the core worker, all
 * emitted side by side in out/main so the worker is found next to its host), the preload
 * (CommonJS and self-contained, because the renderer is sandboxed), and the renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/shell/index.ts'),
          server: resolve(__dirname, 'main/server/cli.ts'),
          'core-worker': resolve(__dirname, 'main/core/host/worker-entry.ts'),
        },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
