export {
  TFJS_RUNTIME_NAME,
  TfjsAdapter,
  type TfjsGraphPort,
  type TfjsSession,
  tfjsPortSpecs,
  tfjsSignatureSpecs,
} from './adapter.ts';
export { fileIOHandler, loadTfjs, type TfjsBackend, type TfjsHandle, useBackend } from './loader.ts';
