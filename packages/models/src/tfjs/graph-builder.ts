import type { TfjsAttr, TfjsNode, TfjsWeight } from './types.ts';

/** Collects GraphDef nodes and Const weights with unique names: `const y = g.op('AddV2', [a, b])`. */
export class TfjsGraphBuilder {
  readonly nodes: TfjsNode[] = [];
  readonly weights: TfjsWeight[] = [];
  private readonly counts = new Map<string, number>();

  uniqueName(prefix: string): string {
    const n = this.counts.get(prefix) ?? 0;
    this.counts.set(prefix, n + 1);
    return n === 0 ? prefix : `${prefix}_${n}`;
  }

  weight(w: TfjsWeight): string {
    const name = this.uniqueName(w.name);
    this.weights.push({ ...w, name });
    return name;
  }

  op(op: string, inputs: readonly string[], attr?: Record<string, TfjsAttr>, name?: string): string {
    const nodeName = this.uniqueName(name ?? op);
    this.nodes.push(
      attr === undefined ? { name: nodeName, op, input: inputs } : { name: nodeName, op, input: inputs, attr },
    );
    return nodeName;
  }
}
