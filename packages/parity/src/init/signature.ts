import { type ModelArtifact, ParityError, type TensorSpec } from '@bert-parity/core';
import { factsOf } from '@bert-parity/models';

export const HARNESS_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
export type HarnessInput = (typeof HARNESS_INPUTS)[number];

/**
 * Input names exporters use for what the harness feeds: Hugging Face / torch.onnx (input_ids,
 * attention_mask, token_type_ids), google-research/bert and TF Hub (input_word_ids, input_mask,
 * segment_ids / input_type_ids), TFLite signatures ("serving_default_" prefix, ":0" suffix).
 */
const ALIASES: Readonly<Record<HarnessInput, readonly string[]>> = {
  input_ids: ['input_ids', 'input_word_ids', 'ids', 'input', 'inputs', 'word_ids', 'token_ids', 'input_id'],
  attention_mask: ['attention_mask', 'input_mask', 'mask', 'attention_masks', 'input_masks'],
  token_type_ids: ['token_type_ids', 'segment_ids', 'input_type_ids', 'type_ids', 'token_types', 'segment_id'],
};

const bare = (name: string) =>
  name
    .replace(/^serving_default_/, '')
    .replace(/:\d+$/, '')
    .toLowerCase();

const shapeText = (s: TensorSpec) => `${s.dtype} [${s.shape.map((d, i) => d ?? s.dimNames?.[i] ?? '?').join(', ')}]`;

export interface InputBinding {
  /** Harness name → model input, only where they differ (or every input, for a model without a signature). */
  readonly mapping: Readonly<Record<string, string>>;
  /** What init matched, for the config's comment. */
  readonly notes: readonly string[];
  /** The fixed sequence length of input_ids, when the model has one. */
  readonly fixedSeq?: number;
  readonly inputs: readonly TensorSpec[];
}

/**
 * Binds a model's inputs to the harness's input_ids / attention_mask / token_type_ids by name (see
 * ALIASES) or by --input-map. An input it cannot place, a float input, or no ids input is
 * E_INIT_SIGNATURE with the --input-map to pass.
 */
export function bindInputs(
  artifact: ModelArtifact,
  label: string,
  overrides: Readonly<Record<string, string>>,
): InputBinding {
  const named = artifact.signature !== null;
  const inputs = artifact.signature?.inputs ?? factsOf(artifact).graphIo.inputs;
  const mapping: Record<string, string> = {};
  const notes: string[] = [];
  const taken = new Map<HarnessInput, string>();
  for (const spec of inputs) {
    const override = Object.entries(overrides).find(([, model]) => model === spec.name)?.[0];
    const harness =
      (override as HarnessInput | undefined) ?? HARNESS_INPUTS.find((h) => ALIASES[h].includes(bare(spec.name)));
    if (harness === undefined || !HARNESS_INPUTS.includes(harness)) {
      throw new ParityError(
        'E_INIT_SIGNATURE',
        `${label}: input ${spec.name} (${shapeText(spec)}) is none of the harness's input_ids, attention_mask, token_type_ids; pass --input-map <harness name>=${spec.name} (e.g. --input-map attention_mask=${spec.name}) if it is one of them`,
        { details: { model: label, input: spec.name } },
      );
    }
    if (spec.dtype !== 'int32' && spec.dtype !== 'int64') {
      throw new ParityError(
        'E_INIT_SIGNATURE',
        `${label}: input ${spec.name} is ${shapeText(spec)}; the harness feeds int32/int64 token ids and masks, not ${spec.dtype}`,
      );
    }
    const twice = taken.get(harness);
    if (twice !== undefined) {
      throw new ParityError(
        'E_INIT_SIGNATURE',
        `${label}: inputs ${twice} and ${spec.name} would both be ${harness}; pass --input-map for the one that is`,
      );
    }
    taken.set(harness, spec.name);
    if (spec.name !== harness || !named) {
      mapping[harness] = spec.name;
      notes.push(`${harness} is the model's ${spec.name}${override === undefined ? '' : ' (--input-map)'}`);
    }
  }
  const ids = inputs.find((s) => s.name === (taken.get('input_ids') ?? ''));
  if (ids === undefined) {
    throw new ParityError(
      'E_INIT_SIGNATURE',
      `${label}: no input takes the token ids (inputs ${inputs.map((s) => s.name).join(', ') || 'none'}); pass --input-map input_ids=<name>`,
    );
  }
  const seq = ids.shape[1];
  return {
    mapping,
    notes,
    inputs,
    ...(typeof seq === 'number' ? { fixedSeq: seq } : {}),
  };
}

/** A model's outputs: its signature's, or the graph's for a model without one. */
export function outputsOf(artifact: ModelArtifact): readonly TensorSpec[] {
  return artifact.signature?.outputs ?? factsOf(artifact).graphIo.outputs;
}

/**
 * Outputs compared per token (rank 3 over the sequence: padding positions are left out) and classifier
 * outputs (rank 2, named like logits or scores: top-1 agreement is measured).
 */
export function outputKinds(outputs: readonly TensorSpec[]): { token: string[]; classifier: string[] } {
  const token = outputs.filter((o) => o.shape.length === 3).map((o) => o.name);
  const classifier = outputs
    .filter((o) => o.shape.length === 2 && /logit|score|class|label|prob/i.test(o.name))
    .map((o) => o.name);
  return { token, classifier };
}
