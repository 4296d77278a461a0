export { LITERT_RUNTIME_NAME, LiteRtAdapter, type LiteRtSession, PLACEHOLDER_SIGNATURE } from './adapter.ts';
export { type LiteRtHandle, loadLiteRtForNode } from './node-shim.ts';
