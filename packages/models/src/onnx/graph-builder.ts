import type { OnnxAttribute, OnnxDataType, OnnxInitializer, OnnxNode } from './types.ts';

/**
 * Accumulates nodes and initializers in topological order with unique names, so graph construction code
 * reads like the math it encodes: `const y = g.op('MatMul', [x, w])`.
 */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly counts = new Map<string, number>();

  /** A unique name from a prefix: prefix, prefix_1, prefix_2, ... */
  uniqueName(prefix: string): string {
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  constant(name: string, dataType: OnnxDataType, dims: readonly number[], raw: Uint8Array): string {
    const unique = this.uniqueName(name);
    this.initializers.push({ name: unique, dataType, dims, raw });
    return unique;
  }

  /** Adds a node with one output and returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, OnnxAttribute>, name?: string): string {
    return this.opN(opType, inputs, 1, attributes, name)[0] as string;
  }

  /** Adds a node with `outputs` outputs and returns their names. */
  opN(
    opType: string,
    inputs: readonly string[],
    outputs: number,
    attributes?: Record<string, OnnxAttribute>,
    name?: string,
  ): string[] {
    const nodeName = this.uniqueName(name ?? opType);
    const outs = Array.from({ length: outputs }, (_, i) =>
      outputs === 1 ? `${nodeName}_output` : `${nodeName}_output_${i}`,
    );
    this.nodes.push(
      attributes === undefined
        ? { name: nodeName, opType, inputs, outputs: outs }
        : { name: nodeName, opType, inputs, outputs: outs, attributes },
    );
    return outs;
  }

  /** A node writing to a chosen output name (graph outputs). */
  opTo(opType: string, inputs: readonly string[], output: string, attributes?: Record<string, OnnxAttribute>): string {
    const nodeName = this.uniqueName(opType);
    this.nodes.push(
      attributes === undefined
        ? { name: nodeName, opType, inputs, outputs: [output] }
        : { name: nodeName, opType, inputs, outputs: [output], attributes },
    );
    return output;
  }
}
