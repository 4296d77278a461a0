"""Python-side checks of bert_golden.py that need no reference (stdlib unittest).

Run: python3 -m unittest discover -s tools/golden/test -p 'test_*.py'   (vitest runs it too)
"""

import glob
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, ".."))

import bert_golden  # noqa: E402

SEED = os.environ.get("GOLDEN_SEED_DIR", os.path.join(ROOT, "..", "shared", "golden-seed"))


def reserialize(data):
    lines = data.split(b"\n")
    assert lines[-1] == b"", "a golden file ends with a newline"
    return b"".join(bert_golden.dump_record(json.loads(line)).encode("utf-8") + b"\n" for line in lines[:-1])


class Reserialization(unittest.TestCase):
    """Parsing a reference golden and dumping it again with our serializer gives back the same bytes."""

    def check(self, path):
        with open(path, "rb") as f:
            data = f.read()
        again = reserialize(data)
        if again != data:
            at = next(i for i, (x, y) in enumerate(zip(again, data)) if x != y)
            self.fail("%s: re-serialization differs at byte %d: %r vs %r" % (path, at, again[at - 40 : at + 40], data[at - 40 : at + 40]))

    def test_committed_golden(self):
        self.check(os.path.join(ROOT, "golden", "tokenizer", "fixture-uncased.lower.dev.jsonl"))

    def test_seed_goldens(self):
        paths = sorted(glob.glob(os.path.join(SEED, "tokenizer", "*.jsonl")))
        if not paths:
            self.skipTest("golden-seed not found at %s" % SEED)
        for path in paths:
            with self.subTest(path=os.path.basename(path)):
                self.check(path)

    def test_meta_key_order_matches_the_format(self):
        with open(os.path.join(ROOT, "golden", "tokenizer", "fixture-uncased.lower.dev.jsonl"), "rb") as f:
            meta = json.loads(f.readline())
        self.assertEqual(
            list(meta),
            ["type", "reference", "reference_commit", "python", "unicode", "vocab", "vocab_sha256", "vocab_size",
             "do_lower_case", "max_input_chars_per_word", "corpus", "corpus_sha256"],
        )
        self.assertEqual(meta["reference"], bert_golden.GOOGLE_REFERENCE)


class EncodePair(unittest.TestCase):
    """The hf path's pair encoder: [CLS] a [SEP] b [SEP], longer side loses tokens, zero padding."""

    @staticmethod
    def encode(a, b, n):
        vocab = {"[CLS]": 101, "[SEP]": 102}
        to_ids = lambda toks: [vocab.get(t, int(t[1:]) if t[1:].isdigit() else 100) for t in toks]
        return bert_golden.encode_pair(lambda s: s.split(), to_ids, a, b, n)

    def test_single_padded(self):
        self.assertEqual(self.encode("t1 t2", None, 6), ([101, 1, 2, 102, 0, 0], [1, 1, 1, 1, 0, 0], [0] * 6))

    def test_single_truncated_from_the_end(self):
        self.assertEqual(self.encode("t1 t2 t3 t4", None, 4)[0], [101, 1, 2, 102])

    def test_empty_text_b_is_a_single_sequence(self):
        self.assertEqual(self.encode("t1", "", 4), ([101, 1, 102, 0], [1, 1, 1, 0], [0, 0, 0, 0]))

    def test_pair_pops_the_longer_side_and_the_second_on_ties(self):
        # 3 + 3 tokens into 7 - 3 = 4 slots: tie pops b, then a is longer and pops.
        ids, mask, seg = self.encode("t1 t2 t3", "t4 t5 t6", 7)
        self.assertEqual(ids, [101, 1, 2, 102, 4, 5, 102])
        self.assertEqual(mask, [1] * 7)
        self.assertEqual(seg, [0, 0, 0, 0, 1, 1, 1])
        ids, _, seg = self.encode("t1 t2 t3 t4 t5", "t6", 6)
        self.assertEqual(ids, [101, 1, 2, 102, 6, 102])
        self.assertEqual(seg, [0, 0, 0, 0, 1, 1])

    def test_pair_truncated_to_nothing_drops_the_second_separator(self):
        self.assertEqual(self.encode("t1", "t2", 3), ([101, 102, 0], [1, 1, 0], [0, 0, 0]))

    def test_too_small_max_seq_length(self):
        with self.assertRaises(bert_golden.GoldenError):
            self.encode("t1", "t2", 2)
        with self.assertRaises(bert_golden.GoldenError):
            self.encode("t1", None, 1)


class Names(unittest.TestCase):
    def test_golden_file_name(self):
        self.assertEqual(
            bert_golden.golden_file_name("golden/vocab/fixture-uncased.txt", True, "golden/corpus.dev.jsonl"),
            "fixture-uncased.lower.dev.jsonl",
        )
        self.assertEqual(bert_golden.golden_file_name("v/x.txt", False, "regress.jsonl"), "x.cased.regress.jsonl")

    def test_bad_corpus_name(self):
        with self.assertRaises(bert_golden.GoldenError):
            bert_golden.corpus_name("golden/corpus.dev.json")
        with self.assertRaises(bert_golden.GoldenError):
            bert_golden.corpus_name("golden/corpus.a.b.jsonl")


if __name__ == "__main__":
    unittest.main()
