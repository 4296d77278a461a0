#!/usr/bin/env python3
"""bert-parity golden generator and live reference server (Python 3, standard library only).

Generate mode writes `<vocab>.<lower|cased>.<corpus name>.jsonl` in the golden format of
golden-seed/README.md, byte for byte:

    bert_golden.py --bert-dir ~/src/bert --vocab golden/vocab/fixture-uncased.txt --lower \
        --corpus golden/corpus.dev.jsonl --out golden/tokenizer

Serve mode answers one JSON request per input line, for live differential tests:

    bert_golden.py --serve --bert-dir ~/src/bert --vocab golden/vocab/fixture-uncased.txt
    in:  {"text": "Hello", "lower": true}
    out: {"tokens": [...], "ids": [...], "basic_tokens": [...]}   or   {"error": "..."}

The reference is either a google-research/bert checkout (`--bert-dir`; its tokenization.py and
run_classifier.py are imported unmodified) or Hugging Face transformers' slow BertTokenizer
(`--reference hf`). Exit codes: 0 done, 2 usage, configuration or generation error.
"""

import argparse
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import types
import unicodedata

# Bump when a change here can change the bytes of a golden file; MANIFEST.json records it.
GENERATOR_VERSION = "1.0.0"

GOOGLE_REFERENCE = (
    "google-research/bert tokenization.py FullTokenizer + run_classifier.py convert_single_example"
)
HF_REFERENCE = "huggingface/transformers BertTokenizer (slow) + bert-parity encode_pair"

# The reference's WordpieceTokenizer default; Hugging Face's BertTokenizer uses 100.
DEFAULT_MAX_INPUT_CHARS_PER_WORD = 200

# convert_single_example logs its first five examples through tf.logging; index 10 keeps it quiet.
ENCODE_EX_INDEX = 10
ENCODE_LABEL_LIST = ["0"]
ENCODE_LABEL = "0"


class GoldenError(Exception):
    """A failure reported on purpose; the message names the input, the bad value and what was expected."""


def dump_record(obj):
    """One golden line, exactly as the format promises (no trailing newline)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path, data):
    """Writes bytes to a temporary file beside `path`, then renames it over `path`.

    Readers see either the old file or the complete new one, never a partial write.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def find_lone_surrogate(text):
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return ch
    return None


# ---------------------------------------------------------------------------------------------------------
# Stand-ins for the modules the reference imports but the tokenizer does not need.


def _tensorflow_stub():
    """A module named `tensorflow` with only what tokenization.py and run_classifier.py touch.

    tokenization.py reads the vocabulary through tf.gfile.GFile (tf.io.gfile in later commits);
    run_classifier.py defines tf.flags at import time and calls tf.logging at run time.
    """
    tf = types.ModuleType("tensorflow")
    tf.__bert_parity_stub__ = True

    def gfile_open(path, mode="r"):
        if "b" in mode:
            return open(path, mode)
        # GFile splits lines on "\n" only and decodes UTF-8 whatever the locale says.
        return open(path, mode, encoding="utf-8", newline="\n")

    gfile = types.ModuleType("tensorflow.gfile")
    gfile.GFile = gfile_open
    gfile.Open = gfile_open
    gfile.Exists = os.path.exists
    tf.gfile = gfile
    tf.io = types.ModuleType("tensorflow.io")
    tf.io.gfile = gfile

    class _Flags(object):
        pass

    flags = types.ModuleType("tensorflow.flags")
    flags.FLAGS = _Flags()

    def define(name, default, *args, **kwargs):
        setattr(flags.FLAGS, name, default)

    for kind in ("string", "bool", "boolean", "integer", "float", "enum", "list"):
        setattr(flags, "DEFINE_" + kind, define)
    flags.mark_flag_as_required = lambda *args, **kwargs: None
    tf.flags = flags

    def log(msg, *args):
        # stdout carries the serve protocol, so logging goes to stderr.
        sys.stderr.write("tf.logging: " + (msg % args if args else str(msg)) + "\n")

    logging = types.ModuleType("tensorflow.logging")
    for level in ("debug", "info", "warning", "warn", "error", "fatal"):
        setattr(logging, level, log)
    logging.DEBUG, logging.INFO, logging.WARN, logging.ERROR = 10, 20, 30, 40
    logging.set_verbosity = lambda level: None
    tf.logging = logging

    app = types.ModuleType("tensorflow.app")

    def app_run(*args, **kwargs):
        raise RuntimeError("the TensorFlow stand-in cannot run run_classifier.main")

    app.run = app_run
    tf.app = app
    return tf


def _six_stub():
    # tokenization.py asks six only whether it runs on Python 3.
    six = types.ModuleType("six")
    six.__bert_parity_stub__ = True
    six.PY2, six.PY3 = False, True
    six.text_type, six.binary_type = str, bytes
    six.string_types, six.integer_types = (str,), (int,)
    six.iteritems = lambda d, **kw: iter(d.items(**kw))
    return six


def _tensorflow_is_usable():
    """True when a TensorFlow 1.x with the tf.flags / tf.gfile / tf.logging API is installed."""
    if importlib.util.find_spec("tensorflow") is None:
        return False
    try:
        tf = importlib.import_module("tensorflow")
    except Exception:
        return False
    return all(hasattr(tf, name) for name in ("flags", "gfile", "logging"))


def install_stubs():
    """Inserts stand-ins into sys.modules; returns the names that were stubbed."""
    stubbed = []
    if not _tensorflow_is_usable():
        # Absent, or TensorFlow 2 (which dropped tf.flags and tf.gfile from the top level).
        sys.modules["tensorflow"] = _tensorflow_stub()
        stubbed.append("tensorflow")
    if importlib.util.find_spec("six") is None:
        sys.modules["six"] = _six_stub()
        stubbed.append("six")
    # run_classifier.py imports these for model building only; the real ones pull in numpy and TF classes.
    for name in ("modeling", "optimization"):
        sys.modules[name] = types.ModuleType(name)
        stubbed.append(name)
    return stubbed


# ---------------------------------------------------------------------------------------------------------
# References


class GoogleReference(object):
    """tokenization.FullTokenizer and run_classifier.convert_single_example from a google-research/bert checkout."""

    name = GOOGLE_REFERENCE

    def __init__(self, bert_dir, commit=None, need_commit=True):
        bert_dir = os.path.realpath(bert_dir)
        for required in ("tokenization.py", "run_classifier.py"):
            if not os.path.isfile(os.path.join(bert_dir, required)):
                raise GoldenError(
                    "--bert-dir %s has no %s; expected a checkout of google-research/bert" % (bert_dir, required)
                )
        # Serve mode answers questions and records nothing, so it does not need the provenance.
        self.commit = commit if commit or not need_commit else _git_commit(bert_dir)
        install_stubs()
        # Keep the checkout pristine: no __pycache__ written into it.
        sys.dont_write_bytecode = True
        sys.path.insert(0, bert_dir)
        try:
            self.tokenization = importlib.import_module("tokenization")
            self.run_classifier = importlib.import_module("run_classifier")
        finally:
            sys.path.remove(bert_dir)
        for module in (self.tokenization, self.run_classifier):
            where = os.path.dirname(os.path.realpath(module.__file__))
            if where != bert_dir:
                raise GoldenError(
                    "module %s was imported from %s, expected it from --bert-dir %s"
                    % (module.__name__, where, bert_dir)
                )

    def tokenizer(self, vocab, lower, max_chars):
        tok = self.tokenization.FullTokenizer(vocab_file=vocab, do_lower_case=lower)
        # FullTokenizer has no parameter for it; the attribute is what WordpieceTokenizer reads.
        tok.wordpiece_tokenizer.max_input_chars_per_word = max_chars
        return tok

    def tokenize(self, tok, text):
        basic = tok.basic_tokenizer.tokenize(text)
        tokens = tok.tokenize(text)
        return basic, tokens, tok.convert_tokens_to_ids(tokens)

    def encode(self, tok, text_a, text_b, max_seq_length):
        example = self.run_classifier.InputExample(guid="golden", text_a=text_a, text_b=text_b, label=ENCODE_LABEL)
        feature = self.run_classifier.convert_single_example(
            ENCODE_EX_INDEX, example, ENCODE_LABEL_LIST, max_seq_length, tok
        )
        return list(feature.input_ids), list(feature.input_mask), list(feature.segment_ids)


def _git_commit(bert_dir):
    try:
        out = subprocess.run(
            ["git", "-C", bert_dir, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except OSError as err:
        raise GoldenError("cannot run git to read the commit of --bert-dir %s (%s); pass --reference-commit" % (bert_dir, err))
    commit = out.stdout.strip()
    if out.returncode != 0 or len(commit) != 40:
        raise GoldenError(
            "cannot read the commit of --bert-dir %s (not a git checkout?): %s; pass --reference-commit"
            % (bert_dir, out.stderr.strip() or "no output")
        )
    top = subprocess.run(
        ["git", "-C", bert_dir, "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if os.path.realpath(top) != bert_dir:
        # A folder inside some other repository would record that repository's commit.
        raise GoldenError(
            "--bert-dir %s is inside the git checkout %s, not the top of a google-research/bert checkout; "
            "pass --reference-commit if it is an unpacked archive" % (bert_dir, top)
        )
    status = subprocess.run(
        ["git", "-C", bert_dir, "status", "--porcelain", "--", "tokenization.py", "run_classifier.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    if status.stdout.strip():
        # Goldens claim to come from the commit; a locally modified reference would make that a lie.
        raise GoldenError(
            "--bert-dir %s has local changes to the reference files (%s); expected them unmodified at %s"
            % (bert_dir, " ".join(status.stdout.split()), commit)
        )
    return commit


def encode_pair(tokenize, to_ids, text_a, text_b, max_seq_length):
    """[CLS] a [SEP] (b [SEP]), truncated and zero-padded as run_classifier.convert_single_example does.

    The reference treats an empty or absent text_b as a single sequence, trims a single sequence from the
    end, and trims a pair one token at a time from whichever side is longer (the second on a tie).
    """
    a = tokenize(text_a)
    b = tokenize(text_b) if text_b else []
    if b:
        budget = max_seq_length - 3
        if budget < 0:
            raise GoldenError("max_seq_length %d is too small for a pair; expected at least 3" % max_seq_length)
        while len(a) + len(b) > budget:
            if len(a) > len(b):
                a.pop()
            else:
                b.pop()
    else:
        if max_seq_length < 2:
            raise GoldenError("max_seq_length %d is too small; expected at least 2" % max_seq_length)
        a = a[: max_seq_length - 2]
    tokens = ["[CLS]"] + a + ["[SEP]"]
    segment_ids = [0] * len(tokens)
    if b:
        tokens += b + ["[SEP]"]
        segment_ids += [1] * (len(b) + 1)
    input_ids = list(to_ids(tokens))
    input_mask = [1] * len(input_ids)
    pad = max_seq_length - len(input_ids)
    return input_ids + [0] * pad, input_mask + [0] * pad, segment_ids + [0] * pad


class HfReference(object):
    """transformers.BertTokenizer (the slow Python tokenizer) with encode_pair for encode records."""

    name = HF_REFERENCE

    def __init__(self):
        try:
            self.transformers = importlib.import_module("transformers")
        except ImportError as err:
            raise GoldenError("--reference hf needs the transformers package, which this python cannot import: %s" % err)
        self.commit = "transformers " + str(getattr(self.transformers, "__version__", "unknown"))

    def tokenizer(self, vocab, lower, max_chars):
        tok = self.transformers.BertTokenizer(vocab_file=vocab, do_lower_case=lower)
        tok.wordpiece_tokenizer.max_input_chars_per_word = max_chars
        return tok

    def tokenize(self, tok, text):
        # What BertTokenizer._tokenize feeds to WordPiece: special tokens are never split.
        basic = tok.basic_tokenizer.tokenize(text, never_split=tok.all_special_tokens)
        tokens = tok.tokenize(text)
        return basic, tokens, tok.convert_tokens_to_ids(tokens)

    def encode(self, tok, text_a, text_b, max_seq_length):
        return encode_pair(tok.tokenize, tok.convert_tokens_to_ids, text_a, text_b, max_seq_length)


def make_reference(args, need_commit=True):
    if args.reference == "hf":
        if args.bert_dir:
            raise GoldenError("--bert-dir is for --reference google, not --reference hf")
        return HfReference()
    if not args.bert_dir:
        raise GoldenError("--reference google needs --bert-dir (a checkout of google-research/bert)")
    return GoogleReference(args.bert_dir, args.reference_commit, need_commit)


# ---------------------------------------------------------------------------------------------------------
# Generate mode


def corpus_name(path):
    base = os.path.basename(path)
    if not base.endswith(".jsonl"):
        raise GoldenError("--corpus %s: expected a .jsonl file (corpus.<name>.jsonl)" % path)
    name = base[: -len(".jsonl")]
    if name.startswith("corpus."):
        name = name[len("corpus.") :]
    if not name or "." in name:
        raise GoldenError("--corpus %s: cannot derive a corpus name; expected corpus.<name>.jsonl" % path)
    return name


def vocab_name(path):
    base = os.path.basename(path)
    return base[: -len(".txt")] if base.endswith(".txt") else base


def read_corpus(path):
    """Returns (text records, pair records) in file order, each validated."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise GoldenError("%s is not valid UTF-8 (%s)" % (path, err))
    # Split on "\n" only: str.splitlines would also break at U+2028, U+0085 and friends inside strings.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    texts, pairs, seen = [], [], {}
    for number, line in enumerate(lines, 1):
        where = "%s:%d" % (path, number)
        try:
            rec = json.loads(line)
        except ValueError as err:
            raise GoldenError("%s: not JSON (%s)" % (where, err))
        if not isinstance(rec, dict):
            raise GoldenError("%s: expected a JSON object, got %s" % (where, type(rec).__name__))
        case_id = rec.get("id")
        if not isinstance(case_id, str) or not case_id:
            raise GoldenError("%s: expected a non-empty string id, got %r" % (where, case_id))
        if case_id in seen:
            raise GoldenError("%s: id %s repeats line %d; expected unique ids" % (where, case_id, seen[case_id]))
        seen[case_id] = number
        kind = rec.get("type")
        if kind == "text":
            if not isinstance(rec.get("text"), str):
                raise GoldenError("%s: %s: expected a string text, got %r" % (where, case_id, rec.get("text")))
            fields = [rec["text"]]
            texts.append(rec)
        elif kind == "pair":
            text_b = rec.get("text_b")
            msl = rec.get("max_seq_length")
            if not isinstance(rec.get("text_a"), str) or not (text_b is None or isinstance(text_b, str)):
                raise GoldenError("%s: %s: expected text_a a string and text_b a string or null" % (where, case_id))
            if not isinstance(msl, int) or isinstance(msl, bool) or msl < 2:
                raise GoldenError("%s: %s: expected max_seq_length an integer >= 2, got %r" % (where, case_id, msl))
            fields = [rec["text_a"], text_b or ""]
            pairs.append(rec)
        else:
            raise GoldenError("%s: %s: unknown type %r; expected \"text\" or \"pair\"" % (where, case_id, kind))
        for field in fields:
            bad = find_lone_surrogate(field)
            if bad is not None:
                raise GoldenError(
                    "%s: %s: lone surrogate U+%04X cannot be written as UTF-8; expected well-formed text"
                    % (where, case_id, ord(bad))
                )
    return texts, pairs


def golden_file_name(vocab, lower, corpus):
    return "%s.%s.%s.jsonl" % (vocab_name(vocab), "lower" if lower else "cased", corpus_name(corpus))


def build_golden(reference, corpus, vocab, lower, max_chars):
    """The golden file's text: meta, then tokenize records in corpus order, then encode records."""
    texts, pairs = read_corpus(corpus)
    try:
        tok = reference.tokenizer(vocab, lower, max_chars)
    except (OSError, UnicodeDecodeError) as err:
        raise GoldenError("cannot load vocabulary %s: %s" % (vocab, err))
    meta = {
        "type": "meta",
        "reference": reference.name,
        "reference_commit": reference.commit,
        "python": platform.python_version(),
        "unicode": unicodedata.unidata_version,
        "vocab": vocab_name(vocab),
        "vocab_sha256": sha256_file(vocab),
        "vocab_size": len(tok.vocab),
        "do_lower_case": lower,
        "max_input_chars_per_word": max_chars,
        "corpus": os.path.basename(corpus),
        "corpus_sha256": sha256_file(corpus),
    }
    out = [dump_record(meta)]
    for rec in texts:
        try:
            basic, tokens, ids = reference.tokenize(tok, rec["text"])
        except Exception as err:
            raise GoldenError("case %s: the reference failed to tokenize it: %s: %s" % (rec["id"], type(err).__name__, err))
        out.append(
            dump_record(
                {"type": "tokenize", "id": rec["id"], "text": rec["text"], "basic_tokens": basic, "tokens": tokens, "ids": ids}
            )
        )
    for rec in pairs:
        try:
            input_ids, input_mask, segment_ids = reference.encode(tok, rec["text_a"], rec["text_b"], rec["max_seq_length"])
        except Exception as err:
            raise GoldenError("case %s: the reference failed to encode it: %s: %s" % (rec["id"], type(err).__name__, err))
        out.append(
            dump_record(
                {
                    "type": "encode",
                    "id": rec["id"],
                    "text_a": rec["text_a"],
                    "text_b": rec["text_b"],
                    "max_seq_length": rec["max_seq_length"],
                    "input_ids": input_ids,
                    "input_mask": input_mask,
                    "segment_ids": segment_ids,
                }
            )
        )
    return "".join(line + "\n" for line in out), len(texts), len(pairs)


def generate(args):
    for flag, path in (("--corpus", args.corpus), ("--vocab", args.vocab)):
        if not os.path.isfile(path):
            raise GoldenError("%s %s does not exist" % (flag, path))
    name = golden_file_name(args.vocab, args.lower, args.corpus)
    reference = make_reference(args)
    text, n_text, n_pair = build_golden(reference, args.corpus, args.vocab, args.lower, args.max_input_chars_per_word)
    path = os.path.join(args.out, name)
    write_atomic(path, text.encode("utf-8"))
    print("wrote %s (%d tokenize + %d encode records)" % (path, n_text, n_pair))


# ---------------------------------------------------------------------------------------------------------
# Serve mode


def answer(state, raw):
    """One response object for one request line; every failure becomes {"error": ...}."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return {"error": "request is not valid UTF-8: %s" % err}
    try:
        req = json.loads(line)
    except ValueError as err:
        return {"error": "request is not JSON (%s); expected {\"text\": string, \"lower\": boolean}" % err}
    if not isinstance(req, dict) or not isinstance(req.get("text"), str) or not isinstance(req.get("lower"), bool):
        return {"error": "bad request %s; expected {\"text\": string, \"lower\": boolean}" % line[:200]}
    if state["reference_error"] is not None:
        return {"error": state["reference_error"]}
    lower = req["lower"]
    try:
        tok = state["tokenizers"].get(lower)
        if tok is None:
            tok = state["reference"].tokenizer(state["vocab"], lower, state["max_chars"])
            state["tokenizers"][lower] = tok
        basic, tokens, ids = state["reference"].tokenize(tok, req["text"])
    except Exception as err:
        return {"error": "%s: %s" % (type(err).__name__, err)}
    return {"tokens": tokens, "ids": ids, "basic_tokens": basic}


def serve(args, stdin=None, stdout=None):
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout
    state = {"reference": None, "reference_error": None, "tokenizers": {}, "vocab": args.vocab, "max_chars": args.max_input_chars_per_word}
    try:
        state["reference"] = make_reference(args, need_commit=False)
    except Exception as err:
        # Keep serving so each request gets an answer that explains the failure.
        state["reference_error"] = "reference not loaded: %s" % err
        sys.stderr.write("bert_golden --serve: %s\n" % state["reference_error"])
    for raw in stdin:
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        # ensure_ascii keeps lone surrogates (legal in JS strings) representable on the wire.
        stdout.write(json.dumps(answer(state, raw), ensure_ascii=True, separators=(",", ":")) + "\n")
        stdout.flush()


# ---------------------------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bert_golden.py", description="Reference BERT tokenizer goldens and live reference server."
    )
    parser.add_argument("--version", action="version", version=GENERATOR_VERSION)
    parser.add_argument("--serve", action="store_true", help="answer JSON-lines requests on stdin")
    parser.add_argument("--reference", choices=("google", "hf"), default="google")
    parser.add_argument("--bert-dir", help="checkout of google-research/bert (for --reference google)")
    parser.add_argument("--reference-commit", help="commit to record when --bert-dir is not a git checkout")
    parser.add_argument("--vocab", required=True, help="WordPiece vocabulary, one token per line")
    case = parser.add_mutually_exclusive_group()
    case.add_argument("--lower", dest="lower", action="store_true", default=None)
    case.add_argument("--cased", dest="lower", action="store_false")
    parser.add_argument("--corpus", help="corpus JSON lines (corpus.<name>.jsonl)")
    parser.add_argument("--out", help="directory for the golden file")
    parser.add_argument("--max-input-chars-per-word", type=int, default=DEFAULT_MAX_INPUT_CHARS_PER_WORD)
    args = parser.parse_args(argv)
    if args.max_input_chars_per_word < 1:
        parser.error("--max-input-chars-per-word must be at least 1, got %d" % args.max_input_chars_per_word)
    if not args.serve:
        missing = [flag for flag, value in (("--corpus", args.corpus), ("--out", args.out)) if not value]
        if args.lower is None:
            missing.append("--lower or --cased")
        if missing:
            parser.error("generate mode needs " + ", ".join(missing))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.serve:
            serve(args)
        else:
            generate(args)
    except GoldenError as err:
        sys.stderr.write("bert_golden: %s\n" % err)
        return 2
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
