import type { ModelArtifact, TensorSpec } from '@bert-parity/core';

/** The embedding lookup that consumes the token ids: the table's first dimension bounds every id. */
export interface EmbeddingFact {
  /** The table's name (initializer, tensor or weight). */
  readonly table: string;
  readonly rows: number;
  /** The lookup op (Gather, GATHER, GatherV2, EMBEDDING_LOOKUP). */
  readonly op: string;
  /** The model input holding the ids. */
  readonly ids: string;
}

/**
 * Facts every reader records in `ModelArtifact.metadata`, beside its format-specific entry (`onnx`,
 * `tflite`, `tfjs`, `hf`). Findings read them through `factsOf`.
 */
export interface ModelFacts {
  /** The graph's own inputs and outputs (for TFLite without SignatureDef, the only names there are). */
  readonly graphIo: { readonly inputs: TensorSpec[]; readonly outputs: TensorSpec[] };
  readonly embedding?: EmbeddingFact;
  /** Inputs/outputs whose element type the harness cannot carry (string, int16, ...), left out of the signature. */
  readonly unsupportedIo?: readonly { readonly name: string; readonly type: string }[];
}

export function factsOf(artifact: ModelArtifact): ModelFacts {
  const m = artifact.metadata as Partial<ModelFacts>;
  return {
    graphIo: m.graphIo ?? { inputs: [], outputs: [] },
    ...(m.embedding ? { embedding: m.embedding } : {}),
    ...(m.unsupportedIo ? { unsupportedIo: m.unsupportedIo } : {}),
  };
}
