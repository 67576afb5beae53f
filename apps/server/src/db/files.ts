import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.ts';

// The data folder holds the database (sessions, hashed tokens, encrypted secrets, run inputs) and
// key files: nobody but the account running the server may read them. Folders we create are 0700,
// files 0600; SQLite gives its -wal and -shm files the mode of the database file, so creating that
// file 0600 ourselves, before SQLite does, covers them too.

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Creates `dir` (and missing parents) readable by its owner only, and checks that it can really be
 * written (a file is made and removed: permission bits alone say nothing on a read-only mount or to
 * root). A folder that cannot be used is one ConfigError line, not a stack trace.
 * Returns a warning when the folder existed already and others may read it; its mode is left alone,
 * since it may be a folder the operator chose for more than Switchyard.
 */
export function ensurePrivateDir(dir: string): string | null {
  const existed = existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    const probe = path.join(dir, `.write-check-${process.pid}`);
    closeSync(openSync(probe, 'w', PRIVATE_FILE));
    unlinkSync(probe);
  } catch (error) {
    throw new ConfigError(`The data folder ${dir} cannot be written (${describe(error)}): set DATA_DIR to a folder this user may write, or fix its permissions`);
  }
  const mode = statSync(dir).mode & 0o777;
  if (existed && (mode & 0o077) !== 0) {
    return `The data folder ${dir} can be read by other users (mode ${mode.toString(8)}): run chmod 700 ${JSON.stringify(dir)}`;
  }
  return null;
}

/** Creates `file` empty with mode 0600 when missing, and takes group and other access off it when present. */
export function ensurePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'a', PRIVATE_FILE));
    chmodSync(file, PRIVATE_FILE);
  } catch (error) {
    throw new ConfigError(`The file ${file} cannot be written (${describe(error)}): check the permissions of its folder`);
  }
}

/**
 * Before SQLite opens the database: its folder exists (0700 when made here), the database file is
 * 0600, and the -wal and -shm files of an older install are 0600 too.
 */
export function prepareDatabaseFiles(databaseFile: string): void {
  ensurePrivateDir(path.dirname(databaseFile));
  ensurePrivateFile(databaseFile);
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (existsSync(databaseFile + suffix)) ensurePrivateFile(databaseFile + suffix);
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
