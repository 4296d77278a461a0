export * from './onnx/index.ts';
