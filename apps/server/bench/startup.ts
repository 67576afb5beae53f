// `npm run bench startup`: time from spawning the server process to /healthz answering 200, on a
// fresh data folder (migrations applied) and again on the existing one. The web app build is not
// included: it is measured separately by `npm start`'s own output.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PORT = Number(process.env.BENCH_PORT ?? 3299);

async function timeToHealthy(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', LOG_PRETTY: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      try {
        const response = await fetch(`http://127.0.0.1:${PORT}/healthz`);
        if (response.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};

const fresh: number[] = [];
const existing: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'switchyard-bench-'));
  fresh.push(await timeToHealthy(dataDir));
  existing.push(await timeToHealthy(dataDir));
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`spawn -> /healthz 200, ${ROUNDS} rounds (ms)`);
for (const [name, xs] of [['fresh database (migrations applied)', fresh], ['existing database', existing]] as const) {
  const s = stats(xs);
  console.log(`  ${name.padEnd(36)} min ${s.min.toFixed(0).padStart(5)}  median ${s.median.toFixed(0).padStart(5)}  max ${s.max.toFixed(0).padStart(5)}`);
}
