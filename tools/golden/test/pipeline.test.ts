import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutputGoldens } from '@bert-parity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli, fakeBert, makeRoot, PINNED, REPO, removeTemps, tempDir } from './helpers.ts';

afterAll(removeTemps);

const GOLDEN = 'golden/tokenizer/fixture-uncased.lower.dev.jsonl';
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A copy of the repository's real goldens, manifest and targets, to damage in various ways. */
function copyOfRepo(): string {
  const root = tempDir('golden-copy-');
  for (const rel of [
    'golden/corpus.dev.jsonl',
    'golden/vocab/fixture-uncased.txt',
    GOLDEN,
    'golden/MANIFEST.json',
    'tools/golden/targets.json',
  ]) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    cpSync(join(REPO, rel), join(root, rel));
  }
  return root;
}

describe('golden:check on the committed goldens', () => {
  it('passes through pnpm golden:check, saying that only hashes were verified', () => {
    const r = spawnSync('pnpm', ['--silent', 'golden:check'], { cwd: REPO, encoding: 'utf8', env: cleanEnv() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'hashes ok: 1 tokenizer golden(s), their corpora and vocabularies, 0 output array(s) match golden/MANIFEST.json',
        'reference not available (BERT_REFERENCE_DIR unset): verified hashes only',
        'golden:check passed',
        '',
      ].join('\n'),
    );
  });

  it('passes on an untouched copy', () => {
    expect(cli(['check', '--root', copyOfRepo()]).code).toBe(0);
  });

  it('fails on a hand-edited golden and names the file', () => {
    const root = copyOfRepo();
    const path = join(root, GOLDEN);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"ids":[16625,', '"ids":[16626,'));
    const r = cli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^FAIL ${GOLDEN}: sha256 [0-9a-f]{64} differs from 7f4b6757[0-9a-f]{56} in golden/MANIFEST.json: the file changed after it was generated`,
      ),
    );
    expect(r.err).toMatch(/golden:check failed: 1 problem\(s\)/);
    const annotated = cli(['check', '--root', root], cleanEnv({ GITHUB_ACTIONS: 'true' }));
    expect(annotated.err.split('\n')[1]).toMatch(
      new RegExp(`^::error file=${GOLDEN},title=golden check::sha256 [0-9a-f]{64} differs`),
    );
  });

  it('fails when the corpus changed after generation (stale golden)', () => {
    const root = copyOfRepo();
    expect(cli(['add', '--root', root, '--corpus', 'dev', 'a brand new case']).code).toBe(0);
    const r = cli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`FAIL ${GOLDEN}: stale: its corpus golden/corpus.dev.jsonl now has sha256 `);
    expect(r.err).toContain(
      'the golden was generated from 3969e9c2b5c511e9aa8e2a369701e7ee571a3b5ae06edf2bc3430a00dedcd5e3; run pnpm golden:regen',
    );
  });

  it('fails on a golden the manifest does not list, and on a meta that disagrees with the manifest', () => {
    const root = copyOfRepo();
    cpSync(join(root, GOLDEN), join(root, 'golden/tokenizer/other.lower.dev.jsonl'));
    const manifest = JSON.parse(readFileSync(join(root, 'golden/MANIFEST.json'), 'utf8'));
    manifest.tokenizer[0].python = '3.12.0';
    writeFileSync(join(root, 'golden/MANIFEST.json'), JSON.stringify(manifest));
    const r = cli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n').slice(0, 2)).toEqual([
      `FAIL ${GOLDEN}: meta python is "3.11.7", golden/MANIFEST.json says "3.12.0"`,
      'FAIL golden/tokenizer/other.lower.dev.jsonl: not listed in golden/MANIFEST.json: a golden nobody generated or recorded; run pnpm golden:regen',
    ]);
  });

  it('fails without a manifest', () => {
    const root = copyOfRepo();
    rmSync(join(root, 'golden/MANIFEST.json'));
    const r = cli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL golden/MANIFEST.json: missing; run pnpm golden:regen');
  });

  it('checks output golden sets: listed, hashed and nothing extra', () => {
    const root = copyOfRepo();
    const header = {
      model: { name: 'tiny', format: 'onnx', sha256: 'a'.repeat(64) },
      precision: 'float32' as const,
      producer: { name: 'test', version: '1' },
      inputs: {
        corpus: 'corpus.dev.jsonl',
        corpus_sha256: 'b'.repeat(64),
        vocab: 'fixture-uncased',
        vocab_sha256: 'c'.repeat(64),
        do_lower_case: true,
        max_seq_length: 8,
      },
    };
    writeOutputGoldens(join(root, 'golden/outputs/tiny.float32'), header, [
      { case: 'dev-edge-0000', output: 'logits', array: { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) } },
    ]);
    expect(cli(['check', '--root', root]).err).toContain(
      'FAIL golden/outputs/tiny.float32/dev-edge-0000.logits.npy: not listed in golden/MANIFEST.json',
    );
    expect(cli(['manifest', '--root', root]).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(root, 'golden/MANIFEST.json'), 'utf8'));
    expect(manifest.outputs).toEqual([
      {
        index: 'golden/outputs/tiny.float32/index.json',
        sha256: sha(join(root, 'golden/outputs/tiny.float32/index.json')),
        model: 'tiny',
        model_sha256: 'a'.repeat(64),
        precision: 'float32',
        arrays: [
          {
            file: 'golden/outputs/tiny.float32/dev-edge-0000.logits.npy',
            sha256: sha(join(root, 'golden/outputs/tiny.float32/dev-edge-0000.logits.npy')),
          },
        ],
      },
    ]);
    expect(cli(['check', '--root', root]).code).toBe(0);
    const npy = join(root, 'golden/outputs/tiny.float32/dev-edge-0000.logits.npy');
    const bytes = readFileSync(npy);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(npy, bytes);
    const r = cli(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('FAIL golden/outputs/tiny.float32/dev-edge-0000.logits.npy: sha256 ');
  });
});

describe('golden:regen', () => {
  it('exits 2 without a reference and says how to provide one', () => {
    const r = cli(['regen', '--root', copyOfRepo()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^golden:regen needs the reference tokenizer, which is not available \(BERT_REFERENCE_DIR unset\)\. To provide one: set BERT_REFERENCE_DIR to a checkout of google-research\/bert/,
    );
  });

  it('exits 2 when BERT_REFERENCE_DIR points at something else', () => {
    const root = copyOfRepo();
    const r = cli(['regen', '--root', root], cleanEnv({ BERT_REFERENCE_DIR: root }));
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `E_REFERENCE_UNAVAILABLE: BERT_REFERENCE_DIR=${root} has no tokenization.py; expected a checkout of google-research/bert`,
    );
  });

  it('regenerates with a (fake) reference, after which check compares byte for byte and catches careful forgeries', () => {
    const bert = fakeBert(true);
    const env = cleanEnv({ BERT_REFERENCE_DIR: bert.dir });
    const root = makeRoot({ mini: ['{"type":"text","id":"mini-0001","text":"Hello, world!"}'] });

    const regen = cli(['regen', '--root', root], env);
    expect(regen.code).toBe(0);
    expect(regen.err).toBe(
      `warning: the reference checkout is at ${bert.commit}, tools/golden/targets.json pins ${PINNED}; goldens record the commit they were made from`,
    );
    expect(regen.out.split('\n')).toEqual([
      'created golden/tokenizer/tiny.lower.mini.jsonl (golden/corpus.mini.jsonl × golden/vocab/tiny.txt, lower)',
      `regenerated 1 golden(s) with google-research/bert at ${bert.dir}; wrote golden/MANIFEST.json. Review with: git diff golden/`,
    ]);
    const manifest = JSON.parse(readFileSync(join(root, 'golden/MANIFEST.json'), 'utf8'));
    expect(manifest.tokenizer[0]).toMatchObject({
      file: 'golden/tokenizer/tiny.lower.mini.jsonl',
      reference_commit: bert.commit,
      generator_version: '1.0.0',
    });
    expect(cli(['regen', '--root', root], env).out).toContain('unchanged golden/tokenizer/tiny.lower.mini.jsonl');

    const check = cli(['check', '--root', root], env);
    expect(check.code).toBe(0);
    expect(check.out).toContain('reproduced golden/tokenizer/tiny.lower.mini.jsonl byte for byte');

    // Edit the golden AND record the new hash: only regenerating can tell.
    const path = join(root, 'golden/tokenizer/tiny.lower.mini.jsonl');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"ids":[4,6,5,7]', '"ids":[4,6,5,8]'));
    cli(['manifest', '--root', root]);
    const forged = cli(['check', '--root', root], env);
    expect(forged.code).toBe(1);
    expect(forged.err).toContain(
      `FAIL golden/tokenizer/tiny.lower.mini.jsonl: regenerating with google-research/bert at ${bert.dir} gives different bytes: 1 record line(s) differ, first at line 2 (case mini-0001)`,
    );
  });
});

describe('golden:add', () => {
  it('appends numbered cases, creating the corpus, refusing duplicates, and regeneration covers them', () => {
    const bert = fakeBert(true);
    const env = cleanEnv({ BERT_REFERENCE_DIR: bert.dir });
    const root = makeRoot({ mini: ['{"type":"text","id":"mini-0007","text":"hello"}'] });
    expect(cli(['regen', '--root', root], env).code).toBe(0);

    const first = cli(['add', '--root', root, '--corpus', 'regress', 'Héllo 😀\u2028"x"']);
    expect(first.code).toBe(0);
    expect(first.out.split('\n')).toEqual([
      'added regress-0001 to golden/corpus.regress.jsonl (new corpus): {"type":"text","id":"regress-0001","text":"Héllo 😀\u2028\\"x\\""}',
      'next: pnpm golden:regen (needs BERT_REFERENCE_DIR), then pnpm golden:check, and commit golden/',
    ]);
    expect(
      cli(['add', '--root', root, '--corpus', 'regress', '--pair', 'hey', 'world', '--max-seq-length', '8']).code,
    ).toBe(0);
    expect(cli(['add', '--root', root, '--corpus', 'regress', '--pair', 'hello']).code).toBe(0);
    expect(readFileSync(join(root, 'golden/corpus.regress.jsonl'), 'utf8')).toBe(
      [
        '{"type":"text","id":"regress-0001","text":"Héllo 😀\u2028\\"x\\""}',
        '{"type":"pair","id":"regress-0002","text_a":"hey","text_b":"world","max_seq_length":8}',
        '{"type":"pair","id":"regress-0003","text_a":"hello","text_b":null,"max_seq_length":128}',
        '',
      ].join('\n'),
    );

    const dup = cli(['add', '--root', root, '--corpus', 'regress', 'Héllo 😀\u2028"x"']);
    expect(dup.code).toBe(2);
    expect(dup.err).toBe(
      'E_CORPUS_DUPLICATE: golden/corpus.regress.jsonl already has this text as case regress-0001 (line 1); expected a new case',
    );
    expect(cli(['add', '--root', root, '--corpus', 'mini', 'world']).out).toContain(
      'added mini-0008 to golden/corpus.mini.jsonl:',
    );

    const stale = cli(['check', '--root', root]);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain(
      'FAIL golden/tokenizer/tiny.lower.regress.jsonl: expected from golden/corpus.regress.jsonl × golden/vocab/tiny.txt (lower) but never generated; run pnpm golden:regen',
    );
    expect(stale.err).toContain(
      'FAIL golden/tokenizer/tiny.lower.mini.jsonl: stale: its corpus golden/corpus.mini.jsonl now has sha256',
    );

    expect(cli(['regen', '--root', root], env).code).toBe(0);
    const golden = readFileSync(join(root, 'golden/tokenizer/tiny.lower.regress.jsonl'), 'utf8').split('\n');
    expect(golden.slice(1).map((l) => (l === '' ? '' : JSON.parse(l).id))).toEqual([
      'regress-0001',
      'regress-0002',
      'regress-0003',
      '',
    ]);
    expect(cli(['check', '--root', root], env).code).toBe(0);
  });

  it.each([
    [
      ['add', '--corpus', 'a.b', 'x'],
      'E_USAGE: corpus name "a.b" is not usable; expected letters, digits, _ and - (e.g. regress)',
    ],
    [['add', '--corpus', 'r'], 'E_USAGE: add needs exactly one TEXT (quote it) or --pair TEXT_A [TEXT_B]'],
    [
      ['add', '--corpus', 'r', '\ud800'],
      'E_INPUT_TEXT: text contains the lone surrogate U+D800; goldens are UTF-8 and cannot hold it',
    ],
    [
      ['add', '--corpus', 'r', '--pair', 'a', 'b', '--max-seq-length', '2'],
      'E_USAGE: --max-seq-length 2 is too small for a pair; expected an integer >= 3',
    ],
    [['frobnicate'], 'E_USAGE: unknown command frobnicate'],
  ])('refuses %j', (args, message) => {
    const root = makeRoot();
    const r = cli([...args, '--root', root]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(message);
    expect(existsSync(join(root, 'golden/corpus.r.jsonl'))).toBe(false);
  });
});
