import type { EmbeddingFact } from './facts.ts';

/** A format-neutral view of one graph node, enough to trace token ids to their lookup. */
export interface TraceNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface EmbeddingTrace {
  /** Lookup ops and which inputs hold the table and the ids. */
  readonly lookups: Readonly<Record<string, { readonly table: number; readonly ids: number }>>;
  /** Whether a node carries the ids through unchanged in meaning (Reshape, Cast, a custom normalizer). */
  readonly carriesIds: (node: TraceNode) => boolean;
  /** Ops that turn a stored table into the looked-up one (DEQUANTIZE of float16 or int8 tables). */
  readonly tableThrough: ReadonlySet<string>;
  /** The first dimension of a constant, or undefined when the value is not a constant. */
  readonly constRows: (value: string) => number | undefined;
}

/**
 * Follows the ids input forward through id-carrying nodes to the first lookup that reads them, then the
 * lookup's table back through dequantization to a constant. The table's rows bound every id: an id at or
 * beyond them is the runtime's "gather index out of bounds". Nodes are visited once each (bounded work).
 */
export function traceEmbedding(
  nodes: readonly TraceNode[],
  ids: string,
  trace: EmbeddingTrace,
): EmbeddingFact | undefined {
  const producer = new Map<string, TraceNode>();
  const consumers = new Map<string, TraceNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) {
      const list = consumers.get(i);
      if (list === undefined) consumers.set(i, [n]);
      else list.push(n);
    }
  }
  // Breadth-first from the ids: each value is queued once, so the work is bounded by the graph's size.
  const carried = new Set([ids]);
  const queue = [ids];
  for (let head = 0; head < queue.length; head++) {
    const value = queue[head] as string;
    for (const n of consumers.get(value) ?? []) {
      const lookup = trace.lookups[n.op];
      if (lookup !== undefined) {
        const tableIn = n.inputs[lookup.table];
        if (n.inputs[lookup.ids] === value && tableIn !== undefined) {
          const rows = tableRows(tableIn, producer, trace);
          if (rows !== undefined) return { table: rows.name, rows: rows.rows, op: n.op, ids };
        }
        continue;
      }
      if (!trace.carriesIds(n)) continue;
      for (const o of n.outputs) {
        if (!carried.has(o)) {
          carried.add(o);
          queue.push(o);
        }
      }
    }
  }
  return undefined;
}

function tableRows(
  value: string,
  producer: ReadonlyMap<string, TraceNode>,
  trace: EmbeddingTrace,
): { name: string; rows: number } | undefined {
  let current = value;
  for (let depth = 0; depth < 8; depth++) {
    const rows = trace.constRows(current);
    if (rows !== undefined) return { name: current, rows };
    const p = producer.get(current);
    if (p === undefined || !trace.tableThrough.has(p.op) || p.inputs[0] === undefined) return undefined;
    current = p.inputs[0];
  }
  return undefined;
}
