"""A FAKE stand-in for google-research/bert's tokenization.py, for testing bert_golden.py only.

It imports six and tensorflow and reads the vocabulary through tf.gfile.GFile like the real module, so the
generator's stand-ins are exercised, but its tokenizer is deliberately trivial and NOT BERT's algorithm.
"""

import six
import tensorflow as tf

assert six.PY3

PUNCT = ",.!?"


def load_vocab(vocab_file):
    vocab = {}
    with tf.gfile.GFile(vocab_file, "r") as reader:
        for line in reader:
            vocab[line.strip()] = len(vocab)
    return vocab


class BasicTokenizer(object):
    def __init__(self, do_lower_case=True):
        self.do_lower_case = do_lower_case

    def tokenize(self, text):
        if "\u2620" in text:
            raise ValueError("fake tokenizer refuses U+2620")
        if self.do_lower_case:
            text = text.lower()
        for p in PUNCT:
            text = text.replace(p, " " + p + " ")
        return text.split()


class WordpieceTokenizer(object):
    def __init__(self, vocab, unk_token="[UNK]", max_input_chars_per_word=200):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word

    def tokenize(self, word):
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        if word in self.vocab:
            return [word]
        pieces = [word[0]] + ["##" + c for c in word[1:]]
        if all(p in self.vocab for p in pieces):
            return pieces
        return [self.unk_token]


class FullTokenizer(object):
    def __init__(self, vocab_file, do_lower_case=True):
        self.vocab = load_vocab(vocab_file)
        self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case)
        self.wordpiece_tokenizer = WordpieceTokenizer(vocab=self.vocab)

    def tokenize(self, text):
        out = []
        for word in self.basic_tokenizer.tokenize(text):
            out.extend(self.wordpiece_tokenizer.tokenize(word))
        return out

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab.get(t, self.vocab["[UNK]"]) for t in tokens]
