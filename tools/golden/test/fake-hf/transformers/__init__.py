"""A FAKE `transformers` package for testing bert_golden.py --reference hf only (trivial tokenizer)."""

__version__ = "0.0.0-fake"


class _Basic(object):
    def __init__(self, lower):
        self.lower = lower

    def tokenize(self, text, never_split=None):
        keep = set(never_split or [])
        return [w if w in keep else (w.lower() if self.lower else w) for w in text.split()]


class _WordPiece(object):
    max_input_chars_per_word = 100


class BertTokenizer(object):
    all_special_tokens = ["[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]"]

    def __init__(self, vocab_file, do_lower_case=True):
        with open(vocab_file, encoding="utf-8") as f:
            self.vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
        self.basic_tokenizer = _Basic(do_lower_case)
        self.wordpiece_tokenizer = _WordPiece()

    def tokenize(self, text):
        limit = self.wordpiece_tokenizer.max_input_chars_per_word
        words = self.basic_tokenizer.tokenize(text, never_split=self.all_special_tokens)
        return [w if len(w) <= limit and w in self.vocab else "[UNK]" for w in words]

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab.get(t, self.vocab["[UNK]"]) for t in tokens]
