/** Errors the engine answers callers with (HTTP maps both to 503). */

export class EngineStoppedError extends Error {
  override name = 'EngineStoppedError';
  constructor() {
    super('The server is shutting down and accepts no new runs');
  }
}

/** The run could not be recorded within the wait limit (the database is locked): nothing was written. */
export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
  constructor() {
    super('The database is busy: the run could not be recorded and has had no effect. Try again.');
  }
}
