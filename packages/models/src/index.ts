export * from './onnx/index.ts';
export * from './tflite/index.ts';
