// The WAL checkpointer's thread (see checkpointer.ts). Plain JavaScript, so the worker starts the
// same way whether the server runs through tsx or not.
import './sqliteDriver.mjs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma(`synchronous = ${workerData.synchronous}`);

let timer = null;
function tick() {
  timer = null;
  try {
    // PASSIVE copies what it can without waiting for, or blocking, the writers; the WAL is then
    // reused from its start by the next write once every frame has been copied.
    let [result] = db.pragma('wal_checkpoint(PASSIVE)');
    // Under steady writes a passive checkpoint never catches up with the last frame, so the WAL
    // would never start over and would grow without end. Past a size, a RESTART checkpoint waits
    // for the writer in progress, copies the few frames left and makes the next write start the
    // WAL from its beginning (writers wait meanwhile: milliseconds, as the rest is already copied).
    if (result.log > workerData.restartFrames) [result] = db.pragma('wal_checkpoint(RESTART)');
    parentPort.postMessage({ ok: true, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ ok: false, message: error.message });
  }
  timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (message) => {
  if (message === 'stop') {
    if (timer) clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
tick();
