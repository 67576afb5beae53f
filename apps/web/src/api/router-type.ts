export type { AppRouter } from './stub-router.ts';
