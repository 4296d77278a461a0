import { ParityError, type TensorSpec } from '@bert-parity/core';
import { describeSpec } from './tensors.ts';

/** One harness-side name bound to one model port (input or output) by position. */
export interface Binding {
  /** The name feeds and results use. */
  readonly name: string;
  /** The port's index in the runtime's positional order. */
  readonly index: number;
  readonly spec: TensorSpec;
}

/**
 * Binds harness names to model ports. With a signature (`named`), every port keeps its own name and a
 * mapping may rename some of them (e.g. attention_mask → input_mask). Without one, names in the model are
 * not a contract, so every input must be mapped explicitly (harness name → model name or index).
 * Outputs of an unsigned model without a mapping keep the runtime's tensor names.
 */
export function bindPorts(
  kind: 'input' | 'output',
  ports: readonly TensorSpec[],
  named: boolean,
  mapping: Readonly<Record<string, string | number>> | undefined,
): Binding[] {
  const listing = ports.map((p, i) => `#${i} ${describeSpec(p)}`).join('; ');
  const harnessOf = new Map<number, string>();
  for (const [harness, target] of Object.entries(mapping ?? {})) {
    const index = typeof target === 'number' ? target : ports.findIndex((p) => p.name === target);
    if (!Number.isInteger(index) || index < 0 || index >= ports.length) {
      throw new ParityError(
        'E_RUNTIME_MAPPING',
        `${kind} mapping ${harness} → ${JSON.stringify(target)} names no model ${kind}; the model's ${kind}s are: ${listing}`,
        { details: { kind, harness, target, ports: ports.map((p) => p.name) } },
      );
    }
    const taken = harnessOf.get(index);
    if (taken !== undefined) {
      throw new ParityError(
        'E_RUNTIME_MAPPING',
        `${kind} mapping binds both ${taken} and ${harness} to model ${kind} #${index} (${ports[index]?.name}); expected one name per ${kind}`,
        { details: { kind, index, names: [taken, harness] } },
      );
    }
    harnessOf.set(index, harness);
  }
  if (!named && kind === 'input') {
    const unmapped = ports.map((p, i) => ({ p, i })).filter(({ i }) => !harnessOf.has(i));
    if (unmapped.length > 0) {
      throw new ParityError(
        'E_RUNTIME_MAPPING',
        `the model has no signature, so its inputs bind by position and SessionOptions.inputMapping must map every one; unmapped: ${unmapped.map(({ p, i }) => `#${i} ${p.name}`).join(', ')}. The model's inputs are: ${listing}. Example: inputMapping: { input_ids: 0, attention_mask: 1, token_type_ids: 2 }`,
        { details: { inputs: ports.map((p) => p.name) } },
      );
    }
  }
  const bindings = ports.map((spec, index) => ({ name: harnessOf.get(index) ?? spec.name, index, spec }));
  // An output mapping on its own selects outputs; inputs are always all bound.
  if (kind === 'output' && mapping !== undefined && !named) return bindings.filter((b) => harnessOf.has(b.index));
  const names = new Set<string>();
  for (const b of bindings) {
    if (names.has(b.name)) {
      throw new ParityError(
        'E_RUNTIME_MAPPING',
        `two model ${kind}s would both be called ${b.name}; map one of them to another name`,
        { details: { kind, name: b.name } },
      );
    }
    names.add(b.name);
  }
  return bindings;
}
