import { relative } from 'node:path';
import { type OutputGoldenArray, type OutputGoldenIndex, writeOutputGoldens } from '@bert-parity/core';
import type { InputSet } from './inputs.ts';
import type { Reference } from './reference.ts';

/**
 * Writes a reference's outputs as golden outputs (packages/core golden-outputs format): one [1, ...]
 * array per case and output, named by the corpus case id, plus index.json with the inputs' provenance.
 */
export function writeGoldenOutputs(
  dir: string,
  reference: Reference,
  inputs: InputSet,
  vocab: { path: string; sha256: string; lowercase: boolean },
): OutputGoldenIndex {
  const arrays: OutputGoldenArray[] = [];
  inputs.cases.forEach((c, r) => {
    for (const output of reference.outputNames) {
      const row = reference.rows(output, r, r + 1);
      arrays.push({ case: c.id, output, array: { dtype: row.dtype, shape: row.shape, data: row.data.slice() } });
    }
  });
  return writeOutputGoldens(
    dir,
    {
      model: reference.model,
      precision: reference.precision,
      producer: reference.producer,
      inputs: {
        corpus: inputs.source,
        corpus_sha256: inputs.sha256,
        vocab: relative(process.cwd(), vocab.path) || vocab.path,
        vocab_sha256: vocab.sha256,
        do_lower_case: vocab.lowercase,
        max_seq_length: inputs.maxSeqLength,
      },
    },
    arrays,
  );
}
