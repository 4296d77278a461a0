export * from './onnx/index.ts';
export * from './tfjs/index.ts';
export * from './tflite/index.ts';
