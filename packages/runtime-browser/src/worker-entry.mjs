// The worker thread's entry: outside tsx (vitest's forks) a new thread has no TypeScript loader, so tsx's
// is registered here before the worker module (TypeScript) loads.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
