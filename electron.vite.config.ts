import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { RollupLog } from 'rollup';

/** zod ships comments Rollup cannot place; they are harmless and drown real warnings. */
function onwarn(warning: RollupLog, warn: (w: RollupLog) => void): void {
  if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules/zod/')) return;
  warn(warning);
}

/**
 * Three builds: main (the Electron shell, the headless server, the MCP server and the core worker, all
 * emitted side by side in out/main so the worker is found next to its host), the preload
 * (CommonJS and self-contained, because the renderer is sandboxed), and the renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        onwarn,
        input: {
          index: resolve(__dirname, 'main/shell/index.ts'),
          server: resolve(__dirname, 'main/server/cli.ts'),
          mcp: resolve(__dirname, 'main/server/mcp-cli.ts'),
          'core-worker': resolve(__dirname, 'main/core/host/worker-entry.ts'),
          'parse-worker': resolve(__dirname, 'main/core/memory/parse/parse-worker.ts'),
          'embed-worker': resolve(__dirname, 'main/core/memory/embed/embed-worker.ts'),
          'local-gguf-worker': resolve(__dirname, 'main/core/models/providers/local-gguf-worker.ts'),
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
        onwarn,
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
      rollupOptions: { onwarn, input: resolve(__dirname, 'renderer/index.html') },
    },
  },
});
