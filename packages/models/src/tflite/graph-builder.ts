import type { TfliteTensorType } from './schema.ts';
import type { TfliteOpcode, TfliteOperator, TfliteOptions, TfliteQuantization, TfliteTensor } from './types.ts';

/** Collects tensors and operators in execution order; tensors are referred to by index. */
export class TfliteGraphBuilder {
  readonly tensors: TfliteTensor[] = [];
  readonly operators: TfliteOperator[] = [];
  private readonly counts = new Map<string, number>();

  private uniqueName(prefix: string): string {
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  tensor(
    name: string,
    type: TfliteTensorType,
    shape: readonly number[],
    extra: { data?: Uint8Array; quantization?: TfliteQuantization } = {},
  ): number {
    this.tensors.push({ name: this.uniqueName(name), type, shape, ...extra });
    return this.tensors.length - 1;
  }

  /** Adds an operator writing one new activation tensor and returns that tensor's index. */
  op(
    opcode: TfliteOpcode,
    inputs: readonly number[],
    output: { name: string; type: TfliteTensorType; shape: readonly number[] },
    options?: TfliteOptions,
    customOptions?: Uint8Array,
  ): number {
    const out = this.tensor(output.name, output.type, output.shape);
    this.operators.push({
      opcode,
      inputs,
      outputs: [out],
      ...(options === undefined ? {} : { options }),
      ...(customOptions === undefined ? {} : { customOptions }),
    });
    return out;
  }
}
