import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ParityError } from '@bert-parity/core';
import { type ConformanceReport, type GoldenFile, type TokenizerImpl, verifyGolden } from '@bert-parity/tokenizer';

export interface PeerOptions {
  /** do_lower_case: lowercase and (following the library default) strip accents. */
  lowercase: boolean;
  /**
   * Register the vocabulary's special tokens as special added tokens, so a literal "[CLS]" in the text stays
   * one token (default true, as the libraries' BERT tokenizers and the Hub's tokenizer.json files do).
   * False leaves the bare normalizer → pre-tokenizer → WordPiece pipeline.
   */
  registerSpecialTokens?: boolean;
}

export interface PairInput {
  textA: string;
  textB: string | null;
  maxSeqLength: number;
}

export interface PeerTokens {
  tokens: string[];
  ids: number[];
}

export interface PeerEncoding {
  inputIds: number[];
  inputMask: number[];
  segmentIds: number[];
}

/**
 * A peer library behind the conformance interface. Some peers only tokenize asynchronously (the napi
 * binding of Hugging Face tokenizers returns promises), while `TokenizerImpl` is synchronous, so a peer
 * answers `tokenize`/`encode` from results computed by `prepare`, in batches, ahead of time. Peers with a
 * synchronous API compute on demand and their `prepare` does nothing.
 */
export interface PeerTokenizerImpl extends TokenizerImpl {
  /** The library's own version, for reports. */
  readonly version: string;
  /** Computes (in batches) everything `tokenize`/`encode` will be asked about these inputs. */
  prepare(inputs: { texts?: readonly string[]; pairs?: readonly PairInput[] }): Promise<void>;
  /** The library's batch API, without special tokens: what the benchmark times. */
  tokenizeBatch(texts: readonly string[]): Promise<PeerTokens[]>;
  encode(textA: string, textB: string | null, maxSeqLength: number): PeerEncoding;
}

/** Loads a peer library lazily so that importing this package never loads a native binding. */
export async function importPeer<T>(packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    // Loaders often wrap the real reason (a missing binary, a failed dlopen) as the error's cause.
    const reasons: string[] = [];
    for (let e: unknown = cause; e !== undefined && reasons.length < 4; e = (e as { cause?: unknown }).cause) {
      reasons.push(e instanceof Error ? e.message : String(e));
      if (!(e instanceof Error)) break;
    }
    const why = reasons.join(' ← ');
    throw new ParityError('E_IMPL_UNAVAILABLE', `cannot load peer tokenizer package ${packageName}: ${why}`, {
      cause,
      details: { package: packageName },
    });
  }
}

/**
 * The installed version of a package, for reports. Its package.json is found by walking up from the resolved
 * entry point, since an `exports` map may not expose `./package.json`; "unknown" when it cannot be found.
 */
export function packageVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // No package.json at this level: keep walking up.
      }
      const parent = dirname(dir);
      if (parent === dir) return 'unknown';
      dir = parent;
    }
  } catch {
    return 'unknown';
  }
}

/** Inputs of a golden file, in the shape `prepare` takes. */
export function goldenInputs(golden: GoldenFile): { texts: string[]; pairs: PairInput[] } {
  const texts: string[] = [];
  const pairs: PairInput[] = [];
  for (const c of golden.cases) {
    if (c.type === 'tokenize') texts.push(c.text);
    else pairs.push({ textA: c.text_a, textB: c.text_b, maxSeqLength: c.max_seq_length });
  }
  return { texts, pairs };
}

/** Prepares a peer for every case of a golden file, then measures it with `verifyGolden`. */
export async function verifyGoldenWithPeer(impl: PeerTokenizerImpl, golden: GoldenFile): Promise<ConformanceReport> {
  await impl.prepare(goldenInputs(golden));
  return verifyGolden(impl, golden);
}

export const pairKey = (textA: string, textB: string | null, maxSeqLength: number): string =>
  // JSON keeps a null text_b apart from the string "null" and cannot collide across the three fields.
  JSON.stringify([textA, textB, maxSeqLength]);

/** A result computed by `prepare`, or the error the library raised for that input (replayed on lookup). */
export type Prepared<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function lookup<T>(cache: Map<string, Prepared<T>>, key: string, impl: string, what: string): T {
  const hit = cache.get(key);
  if (hit === undefined) {
    throw new ParityError(
      'E_IMPL_UNAVAILABLE',
      `${impl} has no synchronous ${what}; call prepare() with this input first (input ${key.slice(0, 80)})`,
      { details: { impl, key } },
    );
  }
  if (!hit.ok) throw hit.error;
  return hit.value;
}
