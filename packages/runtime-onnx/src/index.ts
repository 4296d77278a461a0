export { ONNX_RUNTIME_NAME, OnnxAdapter, type OnnxSession } from './adapter.ts';
