export {
  LITERT_OP_FAILURE,
  LITERT_RUNTIME_NAME,
  LiteRtAdapter,
  type LiteRtSession,
  litertTensorSpec,
  PLACEHOLDER_SIGNATURE,
  RELEASE_HEAP_BYTES,
} from './adapter.ts';
export { currentLiteRtLoad, type LiteRtHandle, loadAndCompileFile, loadLiteRtForNode } from './node-shim.ts';
