export { ONNX_RUNTIME_NAME, OnnxAdapter, type OnnxSession, onnxTensorSpec } from './adapter.ts';
