import { ParityError } from '@bert-parity/core';
import { OnnxDataType, type OnnxModel, type OnnxNode, QUANT_OPS } from '@bert-parity/models';
import { constantTensor } from './constants.ts';

/**
 * Derivations start from a float32 model: converting a float16 or quantized model again loses precision
 * twice and breaks the converters' assumptions (onnxconverter-common refuses a float16 model likewise).
 */
export function refuseReduced(model: OnnxModel, what: string): void {
  // float16 storage that is only ever cast up (mixed-precision exports) still computes in float32.
  const castUp = (n: OnnxNode) =>
    n.opType === 'Cast' && n.attributes?.to?.kind === 'int' && Number(n.attributes.to.value) === OnnxDataType.FLOAT;
  const halfStored = new Set(model.initializers.filter((t) => t.dataType === OnnxDataType.FLOAT16).map((t) => t.name));
  const half = [
    ...[...model.inputs, ...model.outputs]
      .filter((v) => v.elemType === OnnxDataType.FLOAT16)
      .map((v) => `graph input/output ${v.name}`),
    ...model.nodes
      .filter(
        (n) =>
          n.opType === 'Cast' &&
          n.attributes?.to?.kind === 'int' &&
          Number(n.attributes.to.value) === OnnxDataType.FLOAT16,
      )
      .map((n) => `node ${n.name || n.opType} casts to FLOAT16`),
    ...model.nodes
      .filter((n) => !castUp(n) && n.inputs.some((i) => halfStored.has(i)))
      .map((n) => `node ${n.name || n.opType} reads float16 initializer ${n.inputs.find((i) => halfStored.has(i))}`),
  ];
  if (half.length > 0) {
    throw new ParityError(
      'E_DERIVE_INPUT',
      `${what} already computes in float16 (${half[0]}${half.length > 1 ? ` and ${half.length - 1} more` : ''}); expected a float32 model to derive from`,
    );
  }
  const quantized = model.nodes.find((n) => QUANT_OPS.has(n.opType));
  if (quantized !== undefined) {
    throw new ParityError(
      'E_DERIVE_INPUT',
      `${what} is already quantized (node ${quantized.name || quantized.opType} is ${quantized.opType}); expected a float32 model to derive from`,
    );
  }
  const floatConstant = model.nodes.some(
    (n) => n.opType === 'Constant' && constantTensor(n)?.dataType === OnnxDataType.FLOAT,
  );
  if (!floatConstant && !model.initializers.some((t) => t.dataType === OnnxDataType.FLOAT)) {
    throw new ParityError(
      'E_DERIVE_INPUT',
      `${what} has no float32 constants; expected a float32 model to derive from`,
    );
  }
}
