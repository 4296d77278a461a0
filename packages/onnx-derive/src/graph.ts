import { ParityError } from '@bert-parity/core';
import type { OnnxGraph, OnnxModel, OnnxNode } from '@bert-parity/models';

/** Names a subgraph reads from the graphs around it (values it does not define itself). */
function outerReads(g: OnnxGraph): Set<string> {
  const defined = new Set<string>(['', ...g.inputs.map((i) => i.name), ...g.initializers.map((t) => t.name)]);
  const reads = new Set<string>();
  for (const n of g.nodes) {
    for (const i of [...n.inputs, ...subgraphReads(n)]) if (!defined.has(i)) reads.add(i);
    for (const o of n.outputs) defined.add(o);
  }
  return reads;
}

/** Values a node's subgraphs (If/Loop/Scan bodies) read from outside them: the node depends on those too. */
export function subgraphReads(n: OnnxNode): string[] {
  const out: string[] = [];
  for (const a of Object.values(n.attributes ?? {})) {
    const graphs = a.kind === 'graph' ? [a.value] : a.kind === 'graphs' ? a.value : [];
    for (const g of graphs) out.push(...outerReads(g));
  }
  return out;
}

export const nodeReads = (n: OnnxNode): string[] => [...n.inputs.filter((i) => i !== ''), ...subgraphReads(n)];

/**
 * The nodes in an order where every value is defined before it is read, as ONNX requires (exporters do not
 * always write that order: torch.onnx appended some subgraphs after their consumers). Kahn's algorithm that
 * always takes the ready node that came first, so a sorted graph keeps its order exactly.
 */
export function sortNodes(model: Pick<OnnxModel, 'inputs' | 'initializers' | 'nodes'>, what: string): OnnxNode[] {
  const nodes = model.nodes;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o !== '') producer.set(o, i);
  });
  const available = new Set<string>([...model.inputs.map((i) => i.name), ...model.initializers.map((t) => t.name)]);
  const waiting = new Array<number>(nodes.length).fill(0);
  const dependents = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const input of new Set(nodeReads(n))) {
      if (available.has(input)) continue;
      const p = producer.get(input);
      if (p === undefined) {
        throw new ParityError(
          'E_DERIVE_INPUT',
          `${what}: node ${n.name || n.opType} (${n.opType}) reads ${input}, which no input, initializer or node defines`,
        );
      }
      waiting[i] = (waiting[i] as number) + 1;
      const list = dependents.get(p) ?? [];
      list.push(i);
      dependents.set(p, list);
    }
  });
  const ready = new MinHeap();
  waiting.forEach((w, i) => {
    if (w === 0) ready.push(i);
  });
  const order: OnnxNode[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    order.push(nodes[i] as OnnxNode);
    for (const d of dependents.get(i) ?? []) {
      waiting[d] = (waiting[d] as number) - 1;
      if (waiting[d] === 0) ready.push(d);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.find((_, i) => (waiting[i] as number) > 0);
    throw new ParityError(
      'E_DERIVE_INPUT',
      `${what}: the graph has a cycle through node ${stuck?.name || stuck?.opType}; expected an acyclic ONNX graph`,
    );
  }
  return order;
}

class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((a[p] as number) <= v) break;
      a[i] = a[p] as number;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.items;
    const top = a[0] as number;
    const last = a.pop() as number;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && (a[r] as number) < (a[l] as number) ? r : l;
        if ((a[c] as number) >= last) break;
        a[i] = a[c] as number;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** Which nodes read each value (subgraph reads count for the node holding the subgraph). */
export function consumersOf(nodes: readonly OnnxNode[]): Map<string, OnnxNode[]> {
  const out = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const input of new Set(nodeReads(n))) {
      const list = out.get(input) ?? [];
      list.push(n);
      out.set(input, list);
    }
  }
  return out;
}

export function producersOf(nodes: readonly OnnxNode[]): Map<string, OnnxNode> {
  const out = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) if (o !== '') out.set(o, n);
  return out;
}

/** Fresh value and node names that collide with nothing in the model: prefix, prefix_1, prefix_2, ... */
export class Names {
  private readonly taken = new Set<string>();

  constructor(model: Pick<OnnxModel, 'inputs' | 'outputs' | 'initializers' | 'nodes'>) {
    for (const v of [...model.inputs, ...model.outputs]) this.taken.add(v.name);
    for (const t of model.initializers) this.taken.add(t.name);
    for (const n of model.nodes) {
      this.taken.add(n.name);
      for (const o of n.outputs) this.taken.add(o);
    }
  }

  fresh(prefix: string): string {
    let name = prefix;
    for (let k = 1; this.taken.has(name); k++) name = `${prefix}_${k}`;
    this.taken.add(name);
    return name;
  }
}

/** The model without initializers that no node (or subgraph) reads and that are not graph outputs. */
export function dropUnusedInitializers<M extends OnnxModel>(model: M): M {
  const read = new Set<string>(model.outputs.map((o) => o.name));
  for (const n of model.nodes) for (const i of nodeReads(n)) read.add(i);
  return { ...model, initializers: model.initializers.filter((t) => read.has(t.name)) };
}
