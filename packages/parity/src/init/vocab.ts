import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ParityError, preview } from '@bert-parity/core';
import { Vocabulary } from '@bert-parity/tokenizer';

export type SpecialKey = 'unk' | 'cls' | 'sep' | 'pad' | 'mask';
const STANDARD: Readonly<Record<SpecialKey, string>> = {
  unk: '[UNK]',
  cls: '[CLS]',
  sep: '[SEP]',
  pad: '[PAD]',
  mask: '[MASK]',
};

/** What init decided about the tokenizer, and why (each `why` becomes a comment in the config). */
export interface VocabDecision {
  /** The vocab.txt the config names (absolute). */
  readonly path: string;
  /** When init writes `path` itself: the vocab.txt text made from this tokenizer.json. */
  readonly fromJson?: { readonly source: string; readonly text: string };
  readonly why: string;
  readonly sha256: string;
  readonly size: number;
  readonly warnings: readonly string[];
  readonly lowercase: boolean;
  readonly lowercaseWhy: string;
  /** Only the tokens that differ from BERT's names. */
  readonly specialTokens?: Partial<Record<SpecialKey, string>>;
  readonly specialWhy?: string;
  /** The model folder's own tokenizer.json, when it has one (for the agreement cell). */
  readonly tokenizerJson?: string;
}

const sha = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

function readJson(path: string): Record<string, unknown> {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (cause) {
    throw new ParityError(
      'E_INIT_VOCAB',
      `${path} is not a JSON object (${(cause as Error).message}); expected a Hugging Face tokenizer file`,
      {
        cause,
      },
    );
  }
}

/** tokenizer.json's WordPiece vocabulary as vocab.txt text: ids 0..n-1, one token per line. */
function vocabTextFromJson(path: string): string {
  const json = readJson(path);
  const model = json.model as Record<string, unknown> | undefined;
  if (model?.type !== 'WordPiece' || model.vocab === null || typeof model.vocab !== 'object') {
    throw new ParityError(
      'E_INIT_VOCAB',
      `${path}: model.type is ${preview(model?.type)}; expected a BERT WordPiece tokenizer (model.type "WordPiece" with a vocab), or pass --vocab vocab.txt`,
    );
  }
  const entries = Object.entries(model.vocab as Record<string, unknown>);
  const byId: string[] = [];
  for (const [token, id] of entries) {
    if (
      !Number.isInteger(id) ||
      (id as number) < 0 ||
      (id as number) >= entries.length ||
      byId[id as number] !== undefined
    ) {
      throw new ParityError(
        'E_INIT_VOCAB',
        `${path}: token ${preview(token)} has id ${preview(id)}; expected ids 0..${entries.length - 1}, each once, to write a vocab.txt`,
      );
    }
    if (/[\r\n]/.test(token)) {
      throw new ParityError(
        'E_INIT_VOCAB',
        `${path}: token ${preview(token)} holds a line break, which vocab.txt cannot`,
      );
    }
    byId[id as number] = token;
  }
  return `${byId.join('\n')}\n`;
}

/** A special token in tokenizer_config.json: a string or an AddedToken object {content}. */
function tokenOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') {
    return (v as { content: string }).content;
  }
  return undefined;
}

function lowercaseOf(
  vocab: Vocabulary,
  config: Record<string, unknown> | undefined,
  json: Record<string, unknown> | undefined,
  where: { config?: string; json?: string },
  forced: boolean | undefined,
): { lowercase: boolean; why: string } {
  if (forced !== undefined) return { lowercase: forced, why: `--${forced ? 'uncased' : 'cased'} was passed` };
  if (typeof config?.do_lower_case === 'boolean') {
    return { lowercase: config.do_lower_case, why: `${where.config} says do_lower_case ${config.do_lower_case}` };
  }
  const normalizer = json?.normalizer as Record<string, unknown> | undefined;
  if (typeof normalizer?.lowercase === 'boolean') {
    return { lowercase: normalizer.lowercase, why: `${where.json} normalizer.lowercase is ${normalizer.lowercase}` };
  }
  // An uncased vocabulary holds no uppercase letters outside its special tokens ([CLS], [unused0], ...).
  const cased: string[] = [];
  for (const [token] of vocab.entries()) {
    if (/^\[.*\]$/.test(token)) continue;
    if (token !== token.toLowerCase()) cased.push(token);
  }
  if (cased.length > 0) {
    return {
      lowercase: false,
      why: `${cased.length} tokens have uppercase letters (e.g. ${cased
        .slice(0, 3)
        .map((t) => JSON.stringify(t))
        .join(', ')}): a cased vocabulary (--uncased overrides)`,
    };
  }
  return { lowercase: true, why: 'no token has an uppercase letter: an uncased vocabulary (--cased overrides)' };
}

/**
 * Picks the vocabulary: --vocab; else the one vocab.txt the model folders hold (several that differ are
 * ambiguous); else a tokenizer.json's WordPiece vocabulary, written as vocab.txt beside the config. Then
 * lowercasing (tokenizer_config.json, tokenizer.json's normalizer, or the vocabulary's letters) and special
 * tokens (tokenizer_config.json names; BERT's otherwise), each required token checked in the vocabulary.
 */
export function chooseVocab(
  folders: readonly string[],
  options: { vocab?: string | undefined; lowercase?: boolean | undefined },
  outDir: string,
): VocabDecision {
  const inFolders = (name: string) => [...new Set(folders.map((f) => join(f, name)).filter((p) => existsSync(p)))];
  let path: string;
  let why: string;
  let fromJson: VocabDecision['fromJson'];
  const explicit = options.vocab;
  const texts = inFolders('vocab.txt');
  const jsons = inFolders('tokenizer.json');
  if (explicit !== undefined && !explicit.endsWith('.json')) {
    path = explicit;
    why = `--vocab ${explicit}`;
  } else if (explicit === undefined && texts.length > 0) {
    const distinct = new Map(texts.map((p) => [sha(readFileSync(p)), p]));
    if (distinct.size > 1) {
      throw new ParityError(
        'E_INIT_AMBIGUOUS',
        `the model folders hold ${distinct.size} different vocabularies (${[...distinct.values()].join(', ')}); pass --vocab FILE with the one the models were trained with`,
      );
    }
    path = texts[0] as string;
    why = texts.length === 1 ? `${path}, beside the model` : `${path} (the same file as ${texts.slice(1).join(', ')})`;
  } else {
    const source = explicit ?? jsons[0];
    if (source === undefined) {
      throw new ParityError(
        'E_INIT_VOCAB',
        `no vocab.txt or tokenizer.json in ${folders.join(', ')}; pass --vocab FILE (the vocabulary the model was trained with)`,
      );
    }
    const distinct = new Set(jsons.map((p) => sha(vocabTextFromJson(p))));
    if (explicit === undefined && distinct.size > 1) {
      throw new ParityError(
        'E_INIT_AMBIGUOUS',
        `the model folders hold ${distinct.size} different tokenizer.json vocabularies (${jsons.join(', ')}); pass --vocab FILE`,
      );
    }
    const text = vocabTextFromJson(source);
    path = join(outDir, 'vocab.txt');
    fromJson = { source, text };
    why = `written by init from ${source} (its WordPiece vocabulary, by id)`;
  }
  let vocab: Vocabulary;
  let bytes: Uint8Array;
  try {
    bytes = fromJson === undefined ? readFileSync(path) : new TextEncoder().encode(fromJson.text);
    vocab = Vocabulary.fromText(new TextDecoder('utf-8', { fatal: true }).decode(bytes), path);
  } catch (cause) {
    if (cause instanceof ParityError) throw cause;
    throw new ParityError('E_INIT_VOCAB', `cannot read vocabulary ${path}: ${(cause as Error).message}`, { cause });
  }
  // tokenizer files beside the vocabulary (or the tokenizer.json it came from) describe it.
  const home = dirname(fromJson?.source ?? path);
  const configPath = join(home, 'tokenizer_config.json');
  const jsonPath = join(home, 'tokenizer.json');
  const config = existsSync(configPath) ? readJson(configPath) : undefined;
  const json = existsSync(jsonPath) ? readJson(jsonPath) : undefined;
  const { lowercase, why: lowercaseWhy } = lowercaseOf(
    vocab,
    config,
    json,
    { config: configPath, json: jsonPath },
    options.lowercase,
  );
  const named: Partial<Record<SpecialKey, string>> = {};
  for (const k of Object.keys(STANDARD) as SpecialKey[]) {
    const t = tokenOf(config?.[`${k}_token`]);
    if (t !== undefined && t !== STANDARD[k]) named[k] = t;
  }
  for (const k of ['unk', 'cls', 'sep'] as const) {
    const token = named[k] ?? STANDARD[k];
    if (!vocab.has(token)) {
      throw new ParityError(
        'E_INIT_VOCAB',
        `vocabulary ${path} has no ${token} token; expected BERT's special tokens (or a tokenizer_config.json beside it naming its ${k}_token)`,
      );
    }
  }
  const special = Object.keys(named).length > 0;
  return {
    path,
    ...(fromJson === undefined ? {} : { fromJson }),
    why,
    sha256: sha(bytes),
    size: vocab.idLimit,
    warnings: vocab.info.warnings,
    lowercase,
    lowercaseWhy,
    ...(special
      ? {
          specialTokens: named,
          specialWhy: `${configPath} names ${Object.entries(named)
            .map(([k, t]) => `${k}_token ${t}`)
            .join(', ')}`,
        }
      : {}),
    ...(json === undefined ? {} : { tokenizerJson: jsonPath }),
  };
}
