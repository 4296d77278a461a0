import type { FamilyName } from '@bert-parity/fixtures';
import type { RuntimeName } from '../src/config/schema.ts';

/** A model size pnpm bench:scale runs: a fixture family and preset, its variants and runtimes. */
export interface ScaleSize {
  readonly name: string;
  readonly title: string;
  readonly family: FamilyName;
  readonly preset?: string;
  readonly variants: readonly (readonly [format: string, precision: string])[];
  readonly runtimes: readonly RuntimeName[];
}

const ONNX_TFLITE = [
  ['onnx', 'float32'],
  ['onnx', 'float16'],
  ['onnx', 'int8'],
  ['tflite', 'float32'],
  ['tflite', 'float16'],
  ['tflite', 'int8'],
] as const;

/**
 * tiny: the default BERT fixture (hidden 64, 2 layers), with TF.js on wasm too. mobilebert: google/
 * mobilebert-uncased's shape (24 layers, hidden 512, bottleneck 128). base: bert-base-uncased's shape
 * (12 layers, hidden 768), on the fixture vocabulary (29,357 lines, not bert-base's 30,522: the weights'
 * conditioning does not depend on it). TF.js wasm is left out of the two large sizes: bert-base float32
 * took 854 s for 20 texts there (issue 15), 100 texts would take over an hour.
 */
export const SCALE_SIZES: readonly ScaleSize[] = [
  {
    name: 'tiny',
    title: 'tiny BERT',
    family: 'bert',
    variants: [...ONNX_TFLITE, ['tfjs-graph', 'float32'], ['tfjs-graph', 'float16'], ['tfjs-graph', 'uint8']],
    runtimes: ['onnx', 'litert', 'tfjs-wasm'],
  },
  {
    name: 'mobilebert',
    title: 'MobileBERT published shape',
    family: 'mobilebert',
    preset: 'published',
    variants: ONNX_TFLITE,
    runtimes: ['onnx', 'litert'],
  },
  {
    name: 'base',
    title: 'bert-base shape',
    family: 'bert',
    preset: 'base',
    variants: ONNX_TFLITE,
    runtimes: ['onnx', 'litert'],
  },
];

export function scaleSize(name: string | undefined): ScaleSize {
  const size = SCALE_SIZES.find((s) => s.name === name);
  if (size === undefined) {
    throw new Error(`size ${name}; expected one of ${SCALE_SIZES.map((s) => s.name).join(', ')}`);
  }
  return size;
}
