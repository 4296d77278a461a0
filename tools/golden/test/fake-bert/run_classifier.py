"""A FAKE stand-in for google-research/bert's run_classifier.py, for testing bert_golden.py only.

Like the real module it imports modeling, optimization and tensorflow and defines tf.flags at import
time; its convert_single_example is deliberately simple (truncates the second text first) and insists on
the arguments the golden format promises (ex_index 10, label list ["0"], label "0").
"""

import modeling  # noqa: F401
import optimization  # noqa: F401
import tokenization  # noqa: F401
import tensorflow as tf

flags = tf.flags
FLAGS = flags.FLAGS
flags.DEFINE_string("vocab_file", None, "unused")
flags.DEFINE_bool("do_lower_case", True, "unused")
flags.DEFINE_integer("max_seq_length", 128, "unused")
flags.DEFINE_float("learning_rate", 5e-5, "unused")


class InputExample(object):
    def __init__(self, guid, text_a, text_b=None, label=None):
        self.guid, self.text_a, self.text_b, self.label = guid, text_a, text_b, label


class InputFeatures(object):
    def __init__(self, input_ids, input_mask, segment_ids):
        self.input_ids, self.input_mask, self.segment_ids = input_ids, input_mask, segment_ids


def convert_single_example(ex_index, example, label_list, max_seq_length, tokenizer):
    if ex_index < 5:
        tf.logging.info("example %s", example.guid)
    assert ex_index == 10 and label_list == ["0"] and example.label == "0", (ex_index, label_list, example.label)
    a = tokenizer.tokenize(example.text_a)
    b = tokenizer.tokenize(example.text_b) if example.text_b is not None else []
    tokens = ["[CLS]"] + a + ["[SEP]"]
    if b:
        tokens += b + ["[SEP]"]
    tokens = tokens[:max_seq_length]
    segment_ids = [0 if i <= len(a) + 1 else 1 for i in range(len(tokens))]
    ids = tokenizer.convert_tokens_to_ids(tokens)
    pad = max_seq_length - len(ids)
    return InputFeatures(ids + [0] * pad, [1] * len(ids) + [0] * pad, segment_ids + [0] * pad)
