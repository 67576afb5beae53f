import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where the dev server forwards API calls: the Switchyard server (`npm run dev` starts both). */
const apiTarget = process.env.SWITCHYARD_API_URL ?? 'http://127.0.0.1:3000';
const proxied = ['/trpc', '/api', '/version-test', '/healthz'];

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: apiTarget, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
