/** The server's API type: a type-only import, so no server code reaches the browser bundle. */
export type { AppRouter } from '@switchyard/server/router';
