import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, FAKE_HF, fakeBert, makeRoot, PINNED, python, pythonIdentity, REPO, removeTemps } from './helpers.ts';

// bert_golden.py driven against a FAKE reference (tools/golden/test/fake-bert: trivial tokenizer, same
// module surface as google-research/bert). What is tested is the generator: serialization, ordering,
// provenance, atomic writes and serve mode — not BERT's tokenization.

afterAll(removeTemps);

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const { python: PY, unicode: UNI } = pythonIdentity();
const GOOGLE = 'google-research/bert tokenization.py FullTokenizer + run_classifier.py convert_single_example';

/** U+2028 LINE SEPARATOR: valid raw inside JSON strings, a line break for str.splitlines. */
const LS = '\u2028';

// Text and pair records interleaved on purpose: the golden puts all text records first.
const CORPUS = [
  '{"type":"text","id":"t-0001","text":"Hello, world!"}',
  '{"type":"pair","id":"p-0001","text_a":"hey","text_b":"world","max_seq_length":6}',
  '{"type":"text","id":"t-0002","text":"Café 𝔘 😀"}',
  '{"type":"pair","id":"p-0002","text_a":"Hello!","text_b":null,"max_seq_length":5}',
  String.raw`{"type":"text","id":"t-0003","text":"Say \"hi\"\tback\\slash \u0001x${LS}end"}`,
];

const RECORDS = [
  '{"type":"tokenize","id":"t-0001","text":"Hello, world!","basic_tokens":["hello",",","world","!"],"tokens":["hello",",","world","!"],"ids":[4,6,5,7]}',
  '{"type":"tokenize","id":"t-0002","text":"Café 𝔘 😀","basic_tokens":["café","𝔘","😀"],"tokens":["café","[UNK]","😀"],"ids":[11,1,12]}',
  String.raw`{"type":"tokenize","id":"t-0003","text":"Say \"hi\"\tback\\slash \u0001x${LS}end","basic_tokens":["say","\"hi\"","back\\slash","\u0001x","end"],"tokens":["[UNK]","[UNK]","[UNK]","[UNK]","[UNK]"],"ids":[1,1,1,1,1]}`,
  '{"type":"encode","id":"p-0001","text_a":"hey","text_b":"world","max_seq_length":6,"input_ids":[2,8,9,10,3,5],"input_mask":[1,1,1,1,1,1],"segment_ids":[0,0,0,0,0,1]}',
  '{"type":"encode","id":"p-0002","text_a":"Hello!","text_b":null,"max_seq_length":5,"input_ids":[2,4,7,3,0],"input_mask":[1,1,1,1,0],"segment_ids":[0,0,0,0,0]}',
];

function generate(root: string, bertDir: string, extra: string[] = [], env = cleanEnv()) {
  return python(
    [
      '--bert-dir',
      bertDir,
      '--vocab',
      'golden/vocab/tiny.txt',
      '--lower',
      '--corpus',
      'golden/corpus.mini.jsonl',
      '--out',
      'out',
      ...extra,
    ],
    { cwd: root, env },
  );
}

describe('generate mode', () => {
  const bert = fakeBert(true);

  it('writes the golden format byte for byte: meta line, key order, separators, raw non-ASCII, text records first', () => {
    const root = makeRoot({ mini: CORPUS });
    const r = generate(root, bert.dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('wrote out/tiny.lower.mini.jsonl (3 tokenize + 2 encode records)\n');
    const meta =
      `{"type":"meta","reference":"${GOOGLE}","reference_commit":"${bert.commit}","python":"${PY}","unicode":"${UNI}",` +
      `"vocab":"tiny","vocab_sha256":"${sha(join(root, 'golden/vocab/tiny.txt'))}","vocab_size":13,"do_lower_case":true,` +
      `"max_input_chars_per_word":200,"corpus":"corpus.mini.jsonl","corpus_sha256":"${sha(join(root, 'golden/corpus.mini.jsonl'))}"}`;
    const bytes = readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'));
    expect(bytes.toString('utf8')).toBe(`${[meta, ...RECORDS].join('\n')}\n`);
    // Non-BMP characters are UTF-8 (F0 ...), never \ud8xx escapes; no CR anywhere.
    expect(bytes.includes(Buffer.from('𝔘'))).toBe(true);
    expect(bytes.toString('latin1')).not.toMatch(/\\ud8|\r/);
  });

  it('is deterministic', () => {
    const root = makeRoot({ mini: CORPUS });
    generate(root, bert.dir);
    const first = readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'));
    generate(root, bert.dir);
    expect(readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl')).equals(first)).toBe(true);
  });

  it('names the file by casing and records max_input_chars_per_word, which reaches the WordPiece stage', () => {
    const root = makeRoot({ mini: ['{"type":"text","id":"a","text":"Hello"}'] });
    const cased = python(
      [
        '--bert-dir',
        bert.dir,
        '--vocab',
        'golden/vocab/tiny.txt',
        '--cased',
        '--corpus',
        'golden/corpus.mini.jsonl',
        '--out',
        'out',
      ],
      { cwd: root },
    );
    expect(cased.status).toBe(0);
    const [metaC, recC] = readFileSync(join(root, 'out', 'tiny.cased.mini.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(metaC as string).do_lower_case).toBe(false);
    expect(JSON.parse(recC as string).tokens).toEqual(['[UNK]']);
    expect(generate(root, bert.dir, ['--max-input-chars-per-word', '4']).status).toBe(0);
    const [metaL, recL] = readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'), 'utf8').split('\n');
    expect(JSON.parse(metaL as string).max_input_chars_per_word).toBe(4);
    expect(JSON.parse(recL as string).tokens).toEqual(['[UNK]']); // "hello" has 5 characters
  });

  it('replaces the output atomically: a failure leaves the old file and no temp files', () => {
    const root = makeRoot({
      mini: ['{"type":"text","id":"ok","text":"hello"}', '{"type":"text","id":"boom","text":"\\u2620"}'],
    });
    expect(generate(root, bert.dir).status).toBe(2);
    expect(existsSync(join(root, 'out'))).toBe(false); // nothing is created before the whole golden is ready
    mkdirSync(join(root, 'out'));
    writeFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'), 'OLD\n');
    const r = generate(root, bert.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'bert_golden: case boom: the reference failed to tokenize it: ValueError: fake tokenizer refuses U+2620\n',
    );
    expect(readdirSync(join(root, 'out'))).toEqual(['tiny.lower.mini.jsonl']);
    expect(readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'), 'utf8')).toBe('OLD\n');
  });

  it.each([
    [
      'a repeated id',
      ['{"type":"text","id":"x","text":"a"}', '{"type":"text","id":"x","text":"b"}'],
      'golden/corpus.mini.jsonl:2: id x repeats line 1; expected unique ids',
    ],
    [
      'an unknown type',
      ['{"type":"word","id":"x","text":"a"}'],
      `golden/corpus.mini.jsonl:1: x: unknown type 'word'; expected "text" or "pair"`,
    ],
    [
      'a lone surrogate',
      ['{"type":"text","id":"x","text":"a\\ud800"}'],
      'golden/corpus.mini.jsonl:1: x: lone surrogate U+D800 cannot be written as UTF-8; expected well-formed text',
    ],
    [
      'a tiny max_seq_length',
      ['{"type":"pair","id":"x","text_a":"a","text_b":null,"max_seq_length":1}'],
      'golden/corpus.mini.jsonl:1: x: expected max_seq_length an integer >= 2, got 1',
    ],
    ['a line that is not JSON', ['{"type":'], 'golden/corpus.mini.jsonl:1: not JSON'],
  ])('refuses a corpus with %s, naming the line', (_what, lines, message) => {
    const root = makeRoot({ mini: lines });
    const r = generate(root, bert.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`bert_golden: ${message}`);
  });

  it('records provenance only when it can: needs a clean git checkout or --reference-commit', () => {
    const root = makeRoot({ mini: ['{"type":"text","id":"a","text":"hello"}'] });
    const plain = fakeBert(false);
    const r = generate(root, plain.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /cannot read the commit of --bert-dir .* \(not a git checkout\?\): .*; pass --reference-commit/,
    );
    expect(generate(root, plain.dir, ['--reference-commit', PINNED]).status).toBe(0);
    expect(
      JSON.parse(readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'), 'utf8').split('\n')[0] as string)
        .reference_commit,
    ).toBe(PINNED);

    const dirty = fakeBert(true);
    writeFileSync(
      join(dirty.dir, 'tokenization.py'),
      `${readFileSync(join(dirty.dir, 'tokenization.py'), 'utf8')}\n# local edit\n`,
    );
    const d = generate(root, dirty.dir);
    expect(d.status).toBe(2);
    expect(d.stderr).toContain(
      'has local changes to the reference files (M tokenization.py); expected them unmodified at',
    );
  });

  it('says what is missing when --bert-dir is not a reference checkout', () => {
    const root = makeRoot({ mini: ['{"type":"text","id":"a","text":"hello"}'] });
    const r = generate(root, root);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `bert_golden: --bert-dir ${root} has no tokenization.py; expected a checkout of google-research/bert\n`,
    );
  });

  it('uses transformers with --reference hf, recording it and encoding pairs itself', () => {
    const root = makeRoot({
      mini: [
        '{"type":"pair","id":"p","text_a":"hello world hello","text_b":"world hello","max_seq_length":7}',
        '{"type":"text","id":"t","text":"Hello [CLS]"}',
      ],
    });
    const r = python(
      [
        '--reference',
        'hf',
        '--vocab',
        'golden/vocab/tiny.txt',
        '--lower',
        '--corpus',
        'golden/corpus.mini.jsonl',
        '--out',
        'out',
      ],
      {
        cwd: root,
        env: cleanEnv({ PYTHONPATH: FAKE_HF }),
      },
    );
    expect(r.stderr).toBe('');
    const lines = readFileSync(join(root, 'out', 'tiny.lower.mini.jsonl'), 'utf8').split('\n');
    const meta = JSON.parse(lines[0] as string);
    expect([meta.reference, meta.reference_commit]).toEqual([
      'huggingface/transformers BertTokenizer (slow) + bert-parity encode_pair',
      'transformers 0.0.0-fake',
    ]);
    expect(lines[1]).toBe(
      '{"type":"tokenize","id":"t","text":"Hello [CLS]","basic_tokens":["hello","[CLS]"],"tokens":["hello","[CLS]"],"ids":[4,2]}',
    );
    // 3 + 2 tokens into 7 - 3 = 4 slots: the longer first text loses its last token.
    expect(lines[2]).toBe(
      '{"type":"encode","id":"p","text_a":"hello world hello","text_b":"world hello","max_seq_length":7,"input_ids":[2,4,5,3,5,4,3],"input_mask":[1,1,1,1,1,1,1],"segment_ids":[0,0,0,0,1,1,1]}',
    );
  });

  it('explains that --reference hf needs transformers', () => {
    const root = makeRoot({ mini: ['{"type":"text","id":"a","text":"hello"}'] });
    // Shadow any installed transformers with one that cannot be imported.
    mkdirSync(join(root, 'shadow', 'transformers'), { recursive: true });
    writeFileSync(
      join(root, 'shadow', 'transformers', '__init__.py'),
      `raise ImportError("No module named 'transformers'")\n`,
    );
    const args = [
      '--reference',
      'hf',
      '--vocab',
      'golden/vocab/tiny.txt',
      '--lower',
      '--corpus',
      'golden/corpus.mini.jsonl',
    ];
    const r = python([...args, '--out', 'out'], { cwd: root, env: cleanEnv({ PYTHONPATH: join(root, 'shadow') }) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^bert_golden: --reference hf needs the transformers package, which this python cannot import: No module named 'transformers'/,
    );
  });
});

describe('serve mode', () => {
  const bert = fakeBert(false);

  it('answers one line per request line, errors included, and never crashes', () => {
    const root = makeRoot();
    const requests = [
      '{"text":"Hello, world!","lower":true}',
      '{"text":"Hello","lower":false}',
      'not json',
      '{"text":5,"lower":true}',
      '{"text":"\\u2620","lower":true}',
      '',
      '{"text":"\\ud800 😀","lower":true}',
      '{"text":"hey","lower":true}',
    ];
    const r = python(['--serve', '--bert-dir', bert.dir, '--vocab', 'golden/vocab/tiny.txt'], {
      cwd: root,
      input: `${requests.join('\n')}\n`,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '{"tokens":["hello",",","world","!"],"ids":[4,6,5,7],"basic_tokens":["hello",",","world","!"]}',
      '{"tokens":["[UNK]"],"ids":[1],"basic_tokens":["Hello"]}',
      '{"error":"request is not JSON (Expecting value: line 1 column 1 (char 0)); expected {\\"text\\": string, \\"lower\\": boolean}"}',
      '{"error":"bad request {\\"text\\":5,\\"lower\\":true}; expected {\\"text\\": string, \\"lower\\": boolean}"}',
      '{"error":"ValueError: fake tokenizer refuses U+2620"}',
      '{"error":"request is not JSON (Expecting value: line 1 column 1 (char 0)); expected {\\"text\\": string, \\"lower\\": boolean}"}',
      '{"tokens":["[UNK]","\\ud83d\\ude00"],"ids":[1,12],"basic_tokens":["\\ud800","\\ud83d\\ude00"]}',
      '{"tokens":["h","##e","##y"],"ids":[8,9,10],"basic_tokens":["hey"]}',
      '',
    ]);
  });

  it('answers every request with the reason when the reference cannot be loaded', () => {
    const root = makeRoot();
    const r = python(['--serve', '--bert-dir', root, '--vocab', 'golden/vocab/tiny.txt'], {
      cwd: root,
      input: '{"text":"a","lower":true}\n{"text":"b","lower":false}\n',
    });
    expect(r.status).toBe(0);
    const error = `{"error":"reference not loaded: --bert-dir ${root} has no tokenization.py; expected a checkout of google-research/bert"}`;
    expect(r.stdout).toBe(`${error}\n${error}\n`);
  });

  it('answers with an error when the vocabulary is missing', () => {
    const root = makeRoot();
    const r = python(['--serve', '--bert-dir', bert.dir, '--vocab', 'nope.txt'], {
      cwd: root,
      input: '{"text":"a","lower":true}\n',
    });
    expect(r.stdout).toBe(`{"error":"FileNotFoundError: [Errno 2] No such file or directory: 'nope.txt'"}\n`);
  });
});

describe('Python-side checks (tools/golden/test/test_bert_golden.py)', () => {
  it('re-serializes the reference goldens byte for byte and tests the pair encoder', () => {
    const r = python([], {});
    expect(r.status).toBe(2); // the generator itself needs arguments
    const unit = spawnUnittest();
    // All 11 tests ran (Python 3.11 says OK even when none are found); only the golden-seed one may skip.
    expect(unit.stderr).toMatch(/\nRan 11 tests in \d+\.\d+s\n\nOK( \(skipped=1\))?\n$/);
    expect(unit.status).toBe(0);
    if (/skipped/.test(unit.stderr))
      console.info('test_bert_golden.py: golden-seed not found, only the committed golden was re-serialized');
  });
});

function spawnUnittest() {
  return spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tools/golden/test', '-p', 'test_*.py', '-v'], {
    cwd: REPO,
    encoding: 'utf8',
    env: cleanEnv(),
  });
}
