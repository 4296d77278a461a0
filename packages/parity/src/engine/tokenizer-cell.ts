import { basename, relative } from 'node:path';
import type { PeerTokenizerImpl } from '@bert-parity/tokenizer-peers';
import { runVerify } from '../commands/tokenizer.ts';
import type { TokenizerCell } from '../report/types.ts';
import type { InputSet } from './inputs.ts';
import { errorOf } from './model-cell.ts';

/** Conformance: an implementation against a golden file of the reference tokenizer. */
export interface ConformancePlan {
  kind: 'tokenizer';
  id: string;
  impl: 'ours' | 'hf-tokenizers' | 'transformers.js';
  golden: string;
}

/**
 * Agreement: another implementation, configured from the model's own tokenizer files, against our
 * encodings of the run's inputs (the ids every model cell is fed).
 */
export interface AgreementPlan {
  kind: 'tokenizer-agreement';
  id: string;
  impl: 'hf-tokenizers' | 'transformers.js';
  /** tokenizer.json or vocab.txt (absolute). */
  tokenizer: string;
  lowercase: boolean;
  knownDifferences: readonly string[];
}

export type TokenizerCellPlan = ConformancePlan | AgreementPlan;

export const tokenizerCellId = (impl: string, golden: string) =>
  `tokenizer:${impl}/${basename(golden).replace(/\.jsonl$/, '')}`;

export const agreementCellId = (impl: string, tokenizer: string) =>
  `tokenizer:${impl}/agreement-${basename(tokenizer).replace(/\.(json|txt)$/, '')}`;

/** Relative to the working directory, so reports read the same on every machine. */
const shown = (path: string) => relative(process.cwd(), path) || path;

/** One tokenizer cell: conformance with the same logic as `bert-parity tokenizer verify`, or agreement. */
export async function runTokenizerCell(plan: TokenizerCellPlan, setup: { inputs: InputSet }): Promise<TokenizerCell> {
  const start = performance.now();
  const cell: TokenizerCell = {
    kind: 'tokenizer',
    id: plan.id,
    impl: plan.impl,
    golden: plan.kind === 'tokenizer' ? shown(plan.golden) : `agreement with ${shown(plan.tokenizer)}`,
    status: 'error',
    cases: 0,
    agree: 0,
    mismatches: [],
    wallMs: 0,
  };
  try {
    if (plan.kind === 'tokenizer') {
      const { reports } = await runVerify({ golden: [plan.golden], impl: plan.impl });
      const r = reports[0];
      if (r !== undefined) {
        cell.cases = r.cases;
        cell.agree = r.agree;
        cell.mismatches = r.mismatches.slice(0, 20).map((m) => ({ id: m.id, field: m.field, firstDiff: m.firstDiff }));
        cell.status = r.agree === r.cases ? 'pass' : 'fail';
      }
    } else {
      const differences = await agreement(plan, setup.inputs);
      const known = new Set(plan.knownDifferences);
      const unexpected = differences.filter((d) => !known.has(d.id));
      cell.cases = setup.inputs.cases.length;
      cell.agree = cell.cases - differences.length;
      cell.knownDifferences = differences.length - unexpected.length;
      // Unexpected differences first: they are what fails the cell.
      cell.mismatches = [...unexpected, ...differences.filter((d) => known.has(d.id))]
        .slice(0, 20)
        .map((d) => ({ id: d.id, field: d.field, firstDiff: d.firstDiff }));
      cell.status = unexpected.length === 0 ? 'pass' : 'fail';
    }
  } catch (e) {
    cell.error = errorOf(e);
  }
  cell.wallMs = performance.now() - start;
  return cell;
}

async function peerFor(plan: AgreementPlan): Promise<PeerTokenizerImpl> {
  const peers = await import('@bert-parity/tokenizer-peers');
  const json = plan.tokenizer.endsWith('.json');
  if (plan.impl === 'hf-tokenizers') {
    return json
      ? peers.createHfTokenizersFromJson(plan.tokenizer)
      : peers.createHfTokenizersImpl(plan.tokenizer, { lowercase: plan.lowercase });
  }
  return json
    ? peers.createTransformersJsFromJson(plan.tokenizer)
    : peers.createTransformersJsImpl(plan.tokenizer, { lowercase: plan.lowercase });
}

export interface Difference {
  id: string;
  field: string;
  firstDiff: number;
  /** The two values at firstDiff (undefined past the end, or for an error). */
  ours?: number;
  theirs?: number;
}

/** Cases whose input_ids, attention_mask or token_type_ids differ between the peer and our encodings. */
export async function agreement(plan: AgreementPlan, inputs: InputSet): Promise<Difference[]> {
  const peer = await peerFor(plan);
  const seq = inputs.maxSeqLength;
  await peer.prepare({ pairs: inputs.cases.map((c) => ({ textA: c.text, textB: c.textB, maxSeqLength: seq })) });
  const out: Difference[] = [];
  for (const c of inputs.cases) {
    let got: { inputIds: number[]; inputMask: number[]; segmentIds: number[] };
    try {
      got = peer.encode(c.text, c.textB, seq);
    } catch {
      out.push({ id: c.id, field: 'error', firstDiff: -1 });
      continue;
    }
    const fields: [string, number[], number[]][] = [
      ['input_ids', c.ids, got.inputIds],
      ['attention_mask', c.attentionMask, got.inputMask],
      ['token_type_ids', c.typeIds, got.segmentIds],
    ];
    for (const [field, want, have] of fields) {
      const n = Math.max(want.length, have.length);
      const at = Array.from({ length: n }, (_, i) => i).find((i) => want[i] !== have[i]);
      if (at !== undefined) {
        const d: Difference = { id: c.id, field, firstDiff: at };
        if (want[at] !== undefined) d.ours = want[at];
        if (have[at] !== undefined) d.theirs = have[at];
        out.push(d);
        break;
      }
    }
  }
  return out;
}
