export { TFJS_RUNTIME_NAME, TfjsAdapter, type TfjsSession } from './adapter.ts';
export { fileIOHandler, loadTfjs, type TfjsBackend, type TfjsHandle, useBackend } from './loader.ts';
