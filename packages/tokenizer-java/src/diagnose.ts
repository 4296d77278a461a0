import {
  BertTokenizer,
  type CaseMismatch,
  CJK_RANGES,
  type GoldenCase,
  type GoldenFile,
  getUnicodeTables,
  isAsciiPunctuation,
  type TokenizerImpl,
  type TokenizerOptions,
  UNICODE_VERSIONS,
  Vocabulary,
} from '@bert-parity/tokenizer';

/** The causes a mismatch is attributed to, in report order, with what each means. */
export const CAUSES = {
  'cjk-not-split': 'CJK ideographs not split into tokens of their own',
  'accents-not-stripped': 'accents not stripped (NFD + drop Mn) after lowercasing',
  punctuation: 'punctuation set differs (ASCII symbols such as $+<=>^|~ as letters, or Unicode P* missed)',
  controls: 'control/format characters not removed, or other characters removed',
  surrogates: 'supplementary characters broken (surrogate pairs handled as two characters)',
  'word-length': 'word-length limit differs (the reference turns words over 200 characters into [UNK])',
  lowercasing: 'lowercasing differs (none, per character, no Final_Sigma)',
  'unicode-version': 'character data of another Unicode version',
  exception: 'the tokenizer threw',
  other: 'other',
} as const;
export type Cause = keyof typeof CAUSES;
const CAUSE_ORDER = Object.keys(CAUSES) as Cause[];

export interface CaseDiagnosis {
  id: string;
  cause: Cause;
  /** How the cause was found: the variant that reproduced the output exactly, or what inspection saw. */
  evidence: string;
}

export interface CauseGroup {
  cause: Cause;
  description: string;
  count: number;
  /** One case id showing the cause. */
  example: string;
  /** The evidence of the example case. */
  evidence: string;
}

export interface Diagnosis {
  cases: CaseDiagnosis[];
  /** Causes with at least one case, most frequent first. */
  groups: CauseGroup[];
}

/**
 * An implementation that can be asked about more texts: `prepare` (as peers have) computes answers ahead of
 * the synchronous `tokenize`, so the words of unexplained cases go through in one batch.
 */
export interface DiagnosableImpl extends TokenizerImpl {
  prepare?(inputs: { texts?: readonly string[] }): Promise<void>;
}

/** One behaviour of the reference changed: a tokenizer, and possibly a rewrite of its input. */
interface Variant {
  cause: Cause;
  evidence: string;
  tokenizer: BertTokenizer;
  mapText?: (s: string) => string;
}

const SUPPLEMENTARY = 0x10000;
const isCjk = (cp: number) => CJK_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);

/** Rewrites characters (or UTF-16 units) to stand-ins; the same table rewrites the vocabulary. */
class Rewriter {
  readonly table = new Map<number, string>();
  constructor(
    private readonly units: boolean,
    private readonly remove: (cp: number) => boolean = () => false,
  ) {}
  apply(s: string): string {
    let out = '';
    if (this.units) {
      for (let i = 0; i < s.length; i++) {
        const u = s.charCodeAt(i);
        out += this.table.get(u) ?? s[i];
      }
      return out;
    }
    for (const ch of s) {
      const cp = ch.codePointAt(0) as number;
      if (this.remove(cp)) continue;
      out += this.table.get(cp) ?? ch;
    }
    return out;
  }
}

/**
 * Attributes each mismatch to a cause by running the reference-exact tokenizer with one behaviour changed at
 * a time and checking which variant reproduces the implementation's output exactly. Behaviours the tokenizer
 * has options for are changed through them (tokenizeChineseChars, maxInputCharsPerWord, lowercase,
 * unicodeVersion). The others are emulated by rewriting the input and the vocabulary alike: characters an
 * implementation treats as letters become private-use stand-ins (which the reference keeps inside words),
 * and for broken surrogate pairs each UTF-16 unit becomes a stand-in of its own. A case several variants
 * reproduce goes to the cause that explains the most cases on its own; a case none reproduces is
 * classified by the characters where the token lists first differ.
 */
export async function diagnoseMismatches(args: {
  golden: GoldenFile;
  vocab: Vocabulary;
  impl: DiagnosableImpl;
  mismatches: readonly CaseMismatch[];
}): Promise<Diagnosis> {
  const { golden, vocab, impl, mismatches } = args;
  const meta = golden.meta;
  const tables = getUnicodeTables(meta.unicode);
  const category = tables.category.bind(tables);
  const byId = new Map<string, GoldenCase>(golden.cases.map((c) => [c.id, c]));
  const cases = mismatches.map((m) => byId.get(m.id)).filter((c): c is GoldenCase => c !== undefined);
  const texts = cases.flatMap((c) => (c.type === 'tokenize' ? [c.text] : [c.text_a, c.text_b ?? '']));
  const used = new Set<number>();
  for (const t of texts) for (const ch of t) used.add(ch.codePointAt(0) as number);

  const withDecompositions = new Set(used);
  for (const cp of used)
    for (const d of String.fromCodePoint(cp).normalize('NFD')) withDecompositions.add(d.codePointAt(0) as number);
  for (const cp of withDecompositions) used.add(cp);

  const base: TokenizerOptions = {
    lowercase: meta.do_lower_case,
    unicodeVersion: meta.unicode,
    maxInputCharsPerWord: meta.max_input_chars_per_word,
  };
  const variants: Variant[] = [];
  const add = (
    cause: Cause,
    evidence: string,
    options: TokenizerOptions,
    v = vocab,
    mapText?: (s: string) => string,
  ) => {
    variants.push({
      cause,
      evidence,
      tokenizer: new BertTokenizer(v, { ...base, ...options }),
      ...(mapText ? { mapText } : {}),
    });
  };

  // Stand-ins: plane-15/16 private-use characters that no mismatched text uses.
  let next = 0xf0000;
  const standIn = () => {
    while (used.has(next)) next++;
    return String.fromCodePoint(next++);
  };
  const rewritten = (w: Rewriter) => {
    const map: Record<string, number> = Object.create(null);
    for (const [token, id] of vocab.entries()) map[w.apply(token)] = id;
    return Vocabulary.fromMap(map, `${vocab.info.source} (rewritten)`);
  };
  /** A variant where the characters `pick` selects are letters (or spaces, when it says so). */
  const asLetters = (cause: Cause, evidence: string, pick: (cp: number) => 'letter' | 'space' | null) => {
    const w = new Rewriter(false);
    for (const cp of withDecompositions) {
      const p = pick(cp);
      if (p !== null) w.table.set(cp, p === 'space' ? ' ' : standIn());
    }
    // A character whose NFD holds a rewritten one (≠ is = + U+0338) is rewritten decomposed, because the
    // reference would strip its accent and split off the symbol.
    if (meta.do_lower_case) {
      for (const cp of used) {
        const ch = String.fromCodePoint(cp);
        const nfd = ch.normalize('NFD');
        if (!w.table.has(cp) && nfd !== ch && [...nfd].some((d) => w.table.has(d.codePointAt(0) as number))) {
          w.table.set(cp, w.apply(nfd));
        }
      }
    }
    if (w.table.size > 0) add(cause, evidence, {}, rewritten(w), (s) => w.apply(s));
  };

  add('cjk-not-split', 'reproduced with tokenizeChineseChars false', { tokenizeChineseChars: false });
  if (meta.do_lower_case) {
    add(
      'accents-not-stripped',
      'reproduced by lowercasing without accent stripping',
      { lowercase: false },
      vocab,
      (s) => s.toLowerCase(),
    );
  }
  asLetters('punctuation', 'reproduced with $+<=>^|~ as letters', (cp) =>
    '$+<=>^|~'.includes(String.fromCodePoint(cp)) ? 'letter' : null,
  );
  asLetters('punctuation', 'reproduced with $+<=>^`|~ as letters', (cp) =>
    '$+<=>^`|~'.includes(String.fromCodePoint(cp)) ? 'letter' : null,
  );
  asLetters('punctuation', 'reproduced with non-ASCII punctuation (P*) as letters', (cp) =>
    cp > 0x7f && category(cp).startsWith('P') ? 'letter' : null,
  );
  asLetters('controls', 'reproduced with control/format characters (Cc, Cf) kept', (cp) => {
    // U+0000 is removed by its own rule, and tab, newline and return are whitespace, everywhere.
    if (cp === 0 || cp === 9 || cp === 10 || cp === 13) return null;
    const cat = category(cp);
    if (cat !== 'Cc' && cat !== 'Cf') return null;
    return tables.isPythonSpace(cp) ? 'space' : 'letter';
  });
  {
    const w = new Rewriter(false, (cp) => category(cp) === 'Co' || category(cp) === 'Cn');
    if ([...used].some((cp) => category(cp) === 'Co' || category(cp) === 'Cn')) {
      add('controls', 'reproduced with every C* character removed (Co and Cn too)', {}, vocab, (s) => w.apply(s));
    }
  }
  {
    const w = new Rewriter(true);
    for (const t of texts) {
      for (let i = 0; i < t.length; i++) {
        const u = t.charCodeAt(i);
        if (u >= 0xd800 && u <= 0xdfff && !w.table.has(u)) w.table.set(u, standIn());
      }
    }
    if (w.table.size > 0) {
      add('surrogates', 'reproduced with each UTF-16 unit of a surrogate pair as a character', {}, rewritten(w), (s) =>
        w.apply(s),
      );
    }
  }
  add('word-length', 'reproduced with max_input_chars_per_word 100', { maxInputCharsPerWord: 100 });
  add('word-length', 'reproduced with no word-length limit', { maxInputCharsPerWord: 2 ** 31 - 1 });
  if (meta.do_lower_case) add('lowercasing', 'reproduced without lowercasing', { lowercase: false });
  for (const v of UNICODE_VERSIONS) {
    if (v !== meta.unicode)
      add('unicode-version', `reproduced with Unicode ${v} character data`, { unicodeVersion: v });
  }

  const reproducing = (c: GoldenCase, ids: readonly number[]) => {
    const out: { cause: Cause; evidence: string }[] = [];
    for (const v of variants) {
      if (out.some((x) => x.cause === v.cause)) continue;
      if (same(variantOutput(v, c), ids)) out.push({ cause: v.cause, evidence: v.evidence });
    }
    return out;
  };
  const mismatchById = new Map(mismatches.map((m) => [m.id, m]));
  const found: { id: string; candidates: { cause: Cause; evidence: string }[] }[] = [];
  const unexplained: GoldenCase[] = [];
  for (const c of cases) {
    const m = mismatchById.get(c.id) as CaseMismatch;
    if (m.field === 'error') {
      found.push({ id: c.id, candidates: [{ cause: 'exception', evidence: clip(String(m.got), 160) }] });
      continue;
    }
    const candidates = reproducing(c, appOutput(impl, c).ids);
    if (candidates.length > 0) found.push({ id: c.id, candidates });
    else unexplained.push(c);
  }

  // No variant reproduces the whole case (two behaviours at once, or one no variant emulates): find the
  // first whitespace-separated word where the implementation and the reference part, and explain that word.
  const reference = new BertTokenizer(vocab, base);
  const wordsOf = (c: GoldenCase) =>
    (c.type === 'tokenize' ? [c.text] : [c.text_a, c.text_b ?? '']).flatMap((t) =>
      splitWords(t, (cp) => tables.isPythonSpace(cp)),
    );
  if (impl.prepare !== undefined && unexplained.length > 0) {
    await impl.prepare({ texts: [...new Set(unexplained.flatMap(wordsOf))] });
  }
  for (const c of unexplained) {
    let verdict: { cause: Cause; evidence: string }[] | undefined;
    for (const word of impl.prepare === undefined ? [] : wordsOf(c)) {
      let app: { tokens: string[]; ids: number[] };
      try {
        app = impl.tokenize(word);
      } catch {
        continue;
      }
      const ids = reference.tokenizeToIds(word);
      if (same(ids, app.ids)) continue;
      const asCase: GoldenCase = {
        type: 'tokenize',
        id: c.id,
        text: word,
        basic_tokens: [],
        tokens: reference.tokenize(word),
        ids,
      };
      const inWord = (x: { cause: Cause; evidence: string }) => ({
        cause: x.cause,
        evidence: `word ${clip(JSON.stringify(word), 40)}: ${x.evidence}`,
      });
      const fits = reproducing(asCase, app.ids);
      verdict = (fits.length > 0 ? fits : [inspect(asCase, app.tokens, vocab, category)]).map(inWord);
      break;
    }
    found.push({ id: c.id, candidates: verdict ?? [inspect(c, appOutput(impl, c).tokens, vocab, category)] });
  }
  // Ambiguous cases go to the cause with the most unambiguous cases (then report order).
  const alone = new Map<Cause, number>();
  for (const f of found) {
    const only = f.candidates.length === 1 ? f.candidates[0] : undefined;
    if (only !== undefined) alone.set(only.cause, (alone.get(only.cause) ?? 0) + 1);
  }
  const rank = (c: Cause) => -(alone.get(c) ?? 0) * 100 + CAUSE_ORDER.indexOf(c);
  const diagnosed: CaseDiagnosis[] = found.map((f) => {
    const best = [...f.candidates].sort((a, b) => rank(a.cause) - rank(b.cause))[0] as {
      cause: Cause;
      evidence: string;
    };
    const others = f.candidates.filter((x) => x !== best).map((x) => x.cause);
    return {
      id: f.id,
      cause: best.cause,
      evidence: others.length ? `${best.evidence} (also fits: ${others.join(', ')})` : best.evidence,
    };
  });
  const groups = new Map<Cause, CauseGroup>();
  for (const d of diagnosed) {
    const g = groups.get(d.cause);
    if (g) g.count++;
    else
      groups.set(d.cause, {
        cause: d.cause,
        description: CAUSES[d.cause],
        count: 1,
        example: d.id,
        evidence: d.evidence,
      });
  }
  return {
    cases: diagnosed,
    groups: [...groups.values()].sort(
      (a, b) => b.count - a.count || CAUSE_ORDER.indexOf(a.cause) - CAUSE_ORDER.indexOf(b.cause),
    ),
  };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The implementation's ids and tokens for a case (tokens rebuilt from ids when it does not give them). */
function appOutput(impl: TokenizerImpl, c: GoldenCase): { ids: number[]; tokens: string[] | null } {
  if (c.type === 'tokenize') {
    const r = impl.tokenize(c.text);
    return { ids: r.ids, tokens: r.tokens };
  }
  const r = (impl.encode as NonNullable<TokenizerImpl['encode']>)(c.text_a, c.text_b, c.max_seq_length) as {
    inputIds: number[];
    tokens?: string[];
  };
  return { ids: r.inputIds, tokens: r.tokens ?? null };
}

function variantOutput(v: Variant, c: GoldenCase): number[] {
  const map = v.mapText ?? ((s: string) => s);
  try {
    if (c.type === 'tokenize') return v.tokenizer.tokenizeToIds(map(c.text));
    const b = c.text_b === null ? null : map(c.text_b);
    return v.tokenizer.encode(map(c.text_a), b, { maxSeqLength: c.max_seq_length }).ids;
  } catch {
    return [];
  }
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** No variant reproduced the case: look at the characters around the first differing token. */
function inspect(
  c: GoldenCase,
  gotTokens: string[] | null,
  vocab: Vocabulary,
  category: (cp: number) => string,
): { cause: Cause; evidence: string } {
  const want = c.type === 'tokenize' ? c.tokens : c.input_ids.map((id) => vocab.token(id) ?? '');
  const got = gotTokens ?? [];
  let i = 0;
  while (i < want.length && i < got.length && want[i] === got[i]) i++;
  const w = want[i] ?? '';
  const g = got[i] ?? '';
  const special = /^\[[A-Z]+\]$/;
  const region = [...want.slice(i, i + 4), ...got.slice(i, i + 2)]
    .filter((t) => !special.test(t))
    .map((t) => t.replace(/^##/, ''))
    .join('');
  const cps = [...region].map((ch) => ch.codePointAt(0) as number);
  const at = `tokens differ at ${i}: want ${JSON.stringify(w)}, got ${JSON.stringify(g)}`;
  if (LONE.test(got.join(' ')) || cps.some((cp) => cp >= SUPPLEMENTARY)) return { cause: 'surrogates', evidence: at };
  if (cps.some(isCjk)) return { cause: 'cjk-not-split', evidence: at };
  if (cps.some((cp) => category(cp) === 'Mn')) return { cause: 'accents-not-stripped', evidence: at };
  const fold = (s: string) => s.toLowerCase().replaceAll('ς', 'σ');
  if (w !== g && fold(w) === fold(g)) return { cause: 'lowercasing', evidence: at };
  if (cps.some((cp) => isAsciiPunctuation(cp) || category(cp).startsWith('P')))
    return { cause: 'punctuation', evidence: at };
  if (cps.some((cp) => ['Cc', 'Cf', 'Co', 'Cn'].includes(category(cp)))) return { cause: 'controls', evidence: at };
  if ((w === '[UNK]' || g === '[UNK]') && longestWord(c) > 100) return { cause: 'word-length', evidence: at };
  // Nothing telling where the lists part: a supplementary character in the input is the likeliest culprit.
  const input = c.type === 'tokenize' ? c.text : `${c.text_a} ${c.text_b ?? ''}`;
  if ([...input].some((ch) => (ch.codePointAt(0) as number) >= SUPPLEMENTARY))
    return { cause: 'surrogates', evidence: `${at}; the input has supplementary characters` };
  return { cause: 'other', evidence: at };
}

function longestWord(c: GoldenCase): number {
  const text = c.type === 'tokenize' ? c.text : `${c.text_a} ${c.text_b ?? ''}`;
  return Math.max(0, ...text.split(/\s+/u).map((w) => [...w].length));
}

/** Words as Python's str.split() cuts them. */
function splitWords(text: string, isSpace: (cp: number) => boolean): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of text) {
    if (isSpace(ch.codePointAt(0) as number)) {
      if (word) out.push(word);
      word = '';
    } else word += ch;
  }
  if (word) out.push(word);
  return out;
}
