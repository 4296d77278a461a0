import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { ParityError } from '@bert-parity/core';
import {
  BertTokenizer,
  type CaseMismatch,
  type ConformanceReport,
  type GoldenFile,
  PROFILES,
  type ProfileName,
  readGoldenFile,
  Vocabulary,
  verifyGolden,
} from '@bert-parity/tokenizer';
import type { CauseGroup } from '@bert-parity/tokenizer-java';
import { defaultGoldenFiles, vocabBesideGolden } from '../paths.ts';

export const IMPLS = ['ours', 'hf-tokenizers', 'transformers.js', 'java'] as const;
export type ImplName = (typeof IMPLS)[number];

export interface VerifyOptions {
  golden?: string[];
  vocab?: string;
  profile?: string;
  impl?: string;
  json?: boolean;
  /** How many mismatches to print (JSON output is capped at 20). */
  show?: number;
  /** --impl java: the app's Java sources, its tokenizer class, extra jars, the JVM's time limit (ms). */
  javaSrc?: string;
  javaClass?: string;
  classpath?: string;
  javaTimeout?: number;
}

/** A conformance report; `causes` groups the mismatches by cause (--impl java). */
export type VerifyReport = ConformanceReport & { causes?: CauseGroup[] };

export interface VerifyResult {
  reports: VerifyReport[];
  ok: boolean;
}

const JSON_MISMATCHES = 20;

function checkChoice<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ParityError('E_USAGE', `unknown ${what} ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
}

/** Our tokenizer configured from a golden's meta: lowercasing, Unicode version and the word-length limit. */
export function ourTokenizerFor(
  golden: GoldenFile,
  vocab: Vocabulary,
  profile: ProfileName = 'google-bert',
): BertTokenizer {
  return new BertTokenizer(vocab, {
    profile,
    lowercase: golden.meta.do_lower_case,
    unicodeVersion: golden.meta.unicode,
    // The reference's limit is part of what the golden records; other profiles keep their own default.
    ...(profile === 'google-bert' ? { maxInputCharsPerWord: golden.meta.max_input_chars_per_word } : {}),
  });
}

/** Measures one implementation against one golden file, configured from the golden's meta. */
async function verifyOne(
  golden: GoldenFile,
  vocabPath: string,
  impl: ImplName,
  profile: ProfileName,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const lowercase = golden.meta.do_lower_case;
  if (impl === 'ours')
    return verifyGolden(ourTokenizerFor(golden, Vocabulary.fromFile(vocabPath), profile).asImpl(), golden);
  // Peer libraries load only when asked for (native bindings, large packages).
  const peers = await import('@bert-parity/tokenizer-peers');
  if (impl === 'java') {
    const java = await import('@bert-parity/tokenizer-java');
    const app = java.createJavaImpl({
      src: options.javaSrc as string,
      className: options.javaClass as string,
      classpath: options.classpath,
      timeoutMs: options.javaTimeout,
      vocabPath,
      lowercase,
    });
    const report = await peers.verifyGoldenWithPeer(app, golden);
    const vocab = Vocabulary.fromFile(vocabPath);
    const { groups } = await java.diagnoseMismatches({ golden, vocab, impl: app, mismatches: report.mismatches });
    return { ...report, causes: groups };
  }
  const peer =
    impl === 'hf-tokenizers'
      ? await peers.createHfTokenizersImpl(vocabPath, { lowercase })
      : await peers.createTransformersJsImpl(vocabPath, { lowercase });
  return peers.verifyGoldenWithPeer(peer, golden);
}

export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  const impl = checkChoice('implementation', options.impl ?? 'ours', IMPLS);
  const profile = checkChoice('profile', options.profile ?? 'google-bert', PROFILES);
  if (impl === 'java' && (!options.javaSrc || !options.javaClass)) {
    throw new ParityError('E_USAGE', "--impl java needs --java-src DIR (the app's Java sources) and --java-class FQCN");
  }
  if (impl !== 'java' && (options.javaSrc || options.javaClass || options.classpath)) {
    throw new ParityError(
      'E_USAGE',
      `--java-src, --java-class and --classpath apply to --impl java, not --impl ${impl}`,
    );
  }
  const files = options.golden?.length ? options.golden : defaultGoldenFiles((d) => readdirSync(d));
  if (files.length === 0)
    throw new ParityError('E_USAGE', 'no golden files given (--golden FILE) and none found in golden/tokenizer');
  if (options.vocab !== undefined && files.length > 1) {
    throw new ParityError(
      'E_USAGE',
      "--vocab applies to one golden file; give one --golden, or omit --vocab to use each golden's own",
    );
  }
  const reports: VerifyReport[] = [];
  for (const file of files) {
    const golden = readGoldenFile(file);
    const vocabPath = options.vocab ?? vocabBesideGolden(file, golden.meta.vocab);
    reports.push(await verifyOne(golden, vocabPath, impl, profile, options));
  }
  return { reports, ok: reports.every((r) => r.agree === r.cases) };
}

/** The JSON shape promised by the CLI: {golden, cases, agree, mismatches[≤20]: {id, text, want, got, firstDiff}}. */
export function reportJson(r: VerifyReport) {
  return {
    ...(r.causes ? { causes: r.causes } : {}),
    golden: r.golden,
    impl: r.impl,
    cases: r.cases,
    agree: r.agree,
    mismatches: r.mismatches.slice(0, JSON_MISMATCHES).map((m: CaseMismatch) => ({
      id: m.id,
      text: m.text,
      field: m.field,
      want: m.want,
      got: m.got,
      firstDiff: m.firstDiff,
    })),
  };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Around the first difference, so long token lists stay readable. */
function window(values: unknown, at: number): string {
  if (!Array.isArray(values)) return clip(String(values), 160);
  const from = Math.max(0, at - 3);
  const part = values.slice(from, from + 8).map((v) => JSON.stringify(v));
  return `${from > 0 ? '… ' : ''}[${part.join(', ')}${from + 8 < values.length ? ', …' : ''}]`;
}

export function formatReport(r: VerifyReport, show: number): string {
  const pct = r.cases === 0 ? 100 : (100 * r.agree) / r.cases;
  const mark = r.agree === r.cases ? 'PASS' : 'FAIL';
  const lines = [`${mark}  ${basename(r.golden)}  ${r.impl}  ${r.agree}/${r.cases} agree (${pct.toFixed(2)}%)`];
  if (r.causes?.length) {
    lines.push('  mismatches by cause:');
    const width = Math.max(...r.causes.map((g) => g.cause.length));
    for (const g of r.causes) {
      lines.push(`    ${g.cause.padEnd(width)}  ${String(g.count).padStart(5)}  e.g. ${g.example}  ${g.description}`);
      lines.push(`    ${''.padEnd(width)}         ${clip(g.evidence, 150)}`);
    }
  }
  for (const m of r.mismatches.slice(0, show)) {
    lines.push(`  ${m.id}  ${m.field} differs at ${m.firstDiff}  text ${clip(JSON.stringify(m.text), 80)}`);
    lines.push(`    want ${window(m.want, m.firstDiff)}`);
    lines.push(`    got  ${window(m.got, m.firstDiff)}`);
  }
  if (r.mismatches.length > show) lines.push(`  … and ${r.mismatches.length - show} more mismatches (--show N)`);
  return lines.join('\n');
}

export interface TokenizeOptions {
  vocab: string;
  cased?: boolean;
  profile?: string;
  unicode?: string;
  json?: boolean;
}

export function runTokenize(text: string, options: TokenizeOptions) {
  const profile = checkChoice('profile', options.profile ?? 'google-bert', PROFILES);
  const tokenizer = BertTokenizer.fromVocabFile(options.vocab, {
    profile,
    lowercase: !options.cased,
    ...(options.unicode === undefined ? {} : { unicodeVersion: options.unicode }),
  });
  return tokenizer.tokenizeWithOffsets(text);
}
