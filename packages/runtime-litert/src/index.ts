export {
  LITERT_OP_FAILURE,
  LITERT_RUNTIME_NAME,
  LiteRtAdapter,
  type LiteRtSession,
  litertTensorSpec,
  PLACEHOLDER_SIGNATURE,
} from './adapter.ts';
export { type LiteRtHandle, loadLiteRtForNode } from './node-shim.ts';
