import { type DType, type ModelFormat, ParityError } from '@bert-parity/core';
import { BUILTIN_CODE } from '../tflite/builtin-names.ts';
import { compareVersions, OP_TABLE_NEWEST_RUNTIME, OP_VERSION_MIN_RUNTIME } from '../tflite/runtime-versions.ts';

export const TARGET_RUNTIMES = ['tflite', 'litert', 'onnxruntime', 'tfjs', 'transformers.js'] as const;
export type TargetRuntime = (typeof TARGET_RUNTIMES)[number];

/** What a deployment target accepts, as far as a preflight can tell from the model file. */
export interface Target {
  readonly runtime: TargetRuntime;
  readonly version: string;
  readonly label: string;
  readonly formats: readonly ModelFormat[];
  /** TFLite: the interpreter release whose op versions apply; undefined = newer than every table entry. */
  readonly tfliteRelease?: string;
  /** TFLite: the largest builtin code the runtime knows. */
  readonly maxBuiltinCode?: number;
  /** Element types allowed at model inputs/outputs; others are findings. */
  readonly ioDtypes?: readonly DType[];
  /** The runtime allocates the stored shape and cannot resize (LiteRT.js). */
  readonly fixedShapes?: boolean;
  /** ONNX: the default-domain opset the release implements. */
  readonly maxOpset?: number;
  /** ONNX: operator domains the runtime registers. */
  readonly onnxDomains?: ReadonlySet<string>;
}

/**
 * LiteRT.js 2.5.3 registers builtin codes up to STABLEHLO_CBRT = 208 and is built from LiteRT sources newer
 * than every release in the op-version table; at its inputs and outputs it accepts float32, int32 and uint8
 * only (an int64 tensor makes it refuse to load), and it ignores shape_signature, so inputs cannot be resized.
 */
const LITERT_MAX_BUILTIN = BUILTIN_CODE.STABLEHLO_CBRT as number;
/** Schema codes up to COMPLEX = 207 exist in TFLite releases after the op table's newest (2.13). */
const SCHEMA_MAX_BUILTIN = BUILTIN_CODE.COMPLEX as number;

/**
 * Default-domain opset each onnxruntime release implements. 1.6-1.12 are from onnxruntime's
 * docs/Versioning.md matrix (1.6-1.7 → 13, 1.8 → 14, 1.9-1.12 → 15); 1.13-1.23 from release notes, from
 * memory (1.13 → 17, 1.14 → 18, 1.15-1.16 → 19, 1.17 → 20, 1.18-1.20 → 21, 1.21-1.22 → 22, 1.23 → 23), so
 * releases between two rows get the lower row's opset; 1.30 was measured: onnxruntime-node 1.30.0 says
 * "Current official support for domain ai.onnx is till opset 26" (runtime-onnx's opset-table test checks
 * the installed one). A model stamped newer still loads if it uses no op changed since, so this only warns.
 */
const ORT_OPSET: readonly [string, number][] = [
  ['1.6.0', 13],
  ['1.8.0', 14],
  ['1.9.0', 15],
  ['1.13.0', 17],
  ['1.14.0', 18],
  ['1.15.0', 19],
  ['1.17.0', 20],
  ['1.18.0', 21],
  ['1.21.0', 22],
  ['1.23.0', 23],
  ['1.30.0', 26],
];

/** Parses RUNTIME@VERSION (tflite@2.4, litert@2.5.3, onnxruntime@1.30, tfjs@4.22, transformers.js@3). */
export function parseTarget(spec: string): Target {
  const m = /^([a-z.]+)@(\d+(?:\.\d+){0,2})$/i.exec(spec.trim());
  const runtime = m?.[1]?.toLowerCase();
  if (m === null || !(TARGET_RUNTIMES as readonly string[]).includes(runtime ?? '')) {
    throw new ParityError(
      'E_USAGE',
      `--target ${JSON.stringify(spec)}: expected RUNTIME@VERSION with RUNTIME one of ${TARGET_RUNTIMES.join(', ')} (e.g. litert@2.5.3, tflite@2.4)`,
    );
  }
  const version = m[2] as string;
  const label = `${runtime}@${version}`;
  switch (runtime as TargetRuntime) {
    case 'tflite':
      return {
        runtime: 'tflite',
        version,
        label,
        formats: ['tflite'],
        ...(compareVersions(version, OP_TABLE_NEWEST_RUNTIME) <= 0 ? { tfliteRelease: version } : {}),
        maxBuiltinCode: maxBuiltinCodeFor(version),
        ioDtypes: ['float32', 'int32', 'uint8', 'int64', 'int8', 'bool', 'float16'],
      };
    case 'litert':
      return {
        runtime: 'litert',
        version,
        label,
        formats: ['tflite'],
        maxBuiltinCode: LITERT_MAX_BUILTIN,
        ioDtypes: ['float32', 'int32', 'uint8'],
        fixedShapes: true,
      };
    case 'onnxruntime':
    case 'transformers.js': {
      // transformers.js runs onnxruntime-web; its version does not say which, so assume a current one.
      const ort = runtime === 'onnxruntime' ? version : '1.23.0';
      return {
        runtime: runtime as TargetRuntime,
        version,
        label,
        formats: runtime === 'onnxruntime' ? ['onnx', 'hf-dir'] : ['hf-dir', 'onnx'],
        maxOpset: [...ORT_OPSET].reverse().find(([v]) => compareVersions(ort, v) >= 0)?.[1] ?? 12,
        onnxDomains: new Set(['ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'com.microsoft.nchwc', 'com.ms.internal.nhwc']),
      };
    }
    case 'tfjs':
      // tfjs has no int64 tensors: int64 inputs are fed as int32.
      return { runtime: 'tfjs', version, label, formats: ['tfjs-graph'], ioDtypes: ['float32', 'int32', 'bool'] };
  }
}

/** The largest code among ops whose first version the release has (per the op table), or the schema's last. */
function maxBuiltinCodeFor(release: string): number {
  if (compareVersions(release, OP_TABLE_NEWEST_RUNTIME) > 0) return SCHEMA_MAX_BUILTIN;
  let max = 0;
  for (const [name, versions] of Object.entries(OP_VERSION_MIN_RUNTIME)) {
    const first = versions.find((v) => v !== null);
    const code = BUILTIN_CODE[name];
    if (first && code !== undefined && compareVersions(first, release) <= 0) max = Math.max(max, code);
  }
  return max;
}
