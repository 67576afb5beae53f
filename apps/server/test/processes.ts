import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Real server processes for the crash tests: spawned on a data folder, waited for, killed.

const serverDir = fileURLToPath(new URL('..', import.meta.url));

/** `npm start`'s server (without the web build) on `dataDir` and `port`; stderr is piped, stdout dropped. */
export function spawnServer(dataDir: string, port: number, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', LOG_PRETTY: 'false', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Resolves once /healthz answers 200 (the test's own timeout bounds the wait). */
export async function healthy(base: string): Promise<void> {
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await pause(20);
  }
}

export const exited = (child: ChildProcess) =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
