// `npm run dev`: the server in watch mode (restarts on change) and Vite with hot reload, which
// proxies /trpc, /api and /version-test to the server. Two child processes and no extra dependency;
// Ctrl+C stops both. Each child leads its own process group, so stopping it also stops what npm
// started under it (npm does not pass SIGTERM on).
import { spawn } from 'node:child_process';

const children = [
  spawn('npm', ['run', 'dev', '--workspace', '@switchyard/server'], {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, LOG_PRETTY: process.env.LOG_PRETTY ?? 'true' },
  }),
  spawn('npm', ['run', 'dev', '--workspace', '@switchyard/web'], {
    stdio: 'inherit',
    detached: true,
    // Vite proxies API calls to wherever the server listens.
    env: { ...process.env, SWITCHYARD_API_URL: process.env.SWITCHYARD_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  }),
];

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 500).unref();
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
