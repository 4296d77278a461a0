/**
 * Every failure the project reports on purpose carries a stable code, so that CI logs, JSON reports and
 * tests can match on it. The message names the input, the bad value and what was expected.
 */
export const ERROR_CODES = {
  E_USAGE: 'bad command-line usage',
  E_IO: 'a file could not be read or written',
  E_VOCAB_ENCODING: 'a vocabulary file is not valid UTF-8',
  E_VOCAB_EMPTY: 'a vocabulary has no tokens',
  E_VOCAB_MISSING_TOKEN: 'a vocabulary lacks a token the tokenizer needs ([UNK], [CLS], [SEP])',
  E_VOCAB_FORMAT: 'a vocabulary or tokenizer.json is malformed',
  E_TOKENIZER_CONFIG: 'an invalid tokenizer option or profile',
  E_UNICODE_VERSION: 'an unsupported Unicode version was requested',
  E_INPUT_TEXT: 'text input that cannot be tokenized (for example a lone surrogate in strict mode)',
  E_ENCODE_LENGTH: 'max_seq_length too small for the special tokens',
  E_GOLDEN_FORMAT: 'a golden file is malformed',
  E_IMPL_UNAVAILABLE: 'a peer tokenizer implementation could not be loaded',
  E_JAVA_COMPILE: "javac rejected the app's Java tokenizer sources (the message carries javac's errors)",
  E_JAVA_CLASS: 'the Java tokenizer class, a supported constructor or its tokenize(String) method is missing',
  E_JAVA_RUNTIME: 'the Java tokenizer threw (on a case, or in its constructor) or the JVM failed',
  E_JAVA_TIMEOUT: 'the JVM running the Java tokenizer did not finish in time',
  E_NPY_FORMAT: 'a .npy file is malformed, lies in its header or uses an unsupported dtype or layout',
  E_GOLDEN_STALE: 'a golden file or one of its inputs differs from what MANIFEST.json or its index records',
  E_CORPUS_DUPLICATE: 'a corpus case repeats a text that the corpus already has',
  E_REFERENCE_UNAVAILABLE: 'the reference tokenizer (google-research/bert checkout or transformers) is not available',
  E_REFERENCE_PROCESS: 'the live reference process failed to start, exited or broke the line protocol',
  E_REFERENCE_TIMEOUT: 'the live reference process did not answer in time',
  E_REFERENCE_ANSWER: 'the live reference answered an input with an error',
  E_FIXTURE_CONFIG:
    'an invalid fixture configuration (sizes, seed, vocabulary, shapes) or a fixture folder whose manifest does not match it',
  E_GENERATOR_UNAVAILABLE:
    'a fixture generator needs a tool that is not installed (python3-torch for the torch.onnx.export files); the message says how to install it',
  E_GENERATOR_RUN: 'a fixture generator (the torch.onnx.export script) failed; the message carries its output',
  E_MODEL_WRITE: 'a model writer was given a graph it cannot serialize (unknown tensor, bad dtype or shape)',
  E_MODEL_FORMAT:
    'a model file is not in a format the loaders recognize (ONNX, TFLite, TF.js graph model, Hugging Face folder)',
  E_MODEL_CORRUPT:
    'a model file has a recognized format but is malformed (truncated, offsets or lengths out of range, bad references)',
  E_MODEL_READ:
    'a model file, or a file it references (weight shard, external data), is missing, unreadable or outside the model folder',
  E_MODEL_UNSUPPORTED:
    'a model is valid but uses something this tool cannot decode into a full graph (string or sparse tensors, local functions, non-tensor graph inputs)',
  E_DERIVE_INPUT:
    'a float16/int8 derivation was given a model it cannot transform (not float32, already reduced, opset too old, an op whose element types it cannot infer)',
  E_INIT_AMBIGUOUS:
    'bert-parity init cannot decide alone (two reference candidates, conflicting fixed sequence lengths); the message names the option to pass',
  E_INIT_VOCAB:
    'bert-parity init found no vocabulary it can use (vocab.txt, tokenizer.json), or one the config cannot express',
  E_INIT_SIGNATURE:
    'a model input the harness cannot map to input_ids / attention_mask / token_type_ids; the message gives the mapping to pass',
  E_INIT_EXISTS: 'bert-parity init would overwrite an existing file; pass --force to replace it',
  E_CALIBRATE:
    'bounds cannot be calibrated: a cell did not pass through (error, skipped) or a drift value is not finite',
  E_RUNTIME_UNAVAILABLE: 'a runtime (or one of its backends) cannot be loaded here; the message says why',
  E_RUNTIME_FORMAT: 'a runtime adapter was given a model format it does not run',
  E_RUNTIME_LOAD: 'a runtime failed to load or compile a model',
  E_RUNTIME_MAPPING: 'a model without a signature needs an explicit positional mapping, or a mapping names nothing',
  E_RUNTIME_FEED: 'feeds do not match the model inputs (names, dtypes, rank, shapes)',
  E_RUNTIME_TOKEN_RANGE: 'a token id is outside the model embedding table (vocabulary size)',
  E_RUNTIME_OP: 'the runtime reported an operator failure during a run (unresolved custom op, gather out of bounds)',
  E_RUNTIME_RUN: 'a runtime run failed',
  E_RUNTIME_CLOSED: 'a session was used after close()',
  E_RUNTIME_BACKEND: 'a runtime backend conflicts with another open session (tfjs has one global backend)',
  E_RUNTIME_NETWORK: 'a runtime tried to reach the network while running offline',
  E_ADB_UNAVAILABLE: 'the adb executable (ADB env or PATH) cannot be started or does not answer `adb version`',
  E_DEVICE_NONE: 'adb lists no Android device or emulator',
  E_DEVICE_STATE: 'the selected Android device is listed but not usable (unauthorized, offline, recovery)',
  E_DEVICE_SELECT: 'the Android device to use is ambiguous (several attached) or the requested serial is not attached',
  E_DEVICE_DISCONNECTED: 'the Android device went away during a run (adb: device not found / offline)',
  E_DEVICE_TIMEOUT: 'an adb command did not finish in time and was killed',
  E_DEVICE_COMMAND: 'an adb command failed (non-zero exit); the message carries its stderr',
  E_DEVICE_PROTOCOL:
    'the on-device runner broke the device protocol (result.json malformed, wrong version, output file missing or not matching)',
  E_DEVICE_RUNNER: 'the on-device runner is not installed, crashed, or reported an error without a more specific code',
  E_CONFIG: 'a parity config is invalid (the message names the path in the config, the value and what was expected)',
  E_PLATFORM_UNAVAILABLE: 'a parity platform (android, browser) has no runner here; the message says what it needs',
  E_BROWSER_CRASH:
    'the browser page running a cell crashed or went away (its renderer died); the next cell gets a fresh page',
  E_BROWSER_TIMEOUT:
    'a step in the browser page (loading the runtime, opening the model, a run) did not finish in time; the page was closed',
  E_METRIC_SHAPE: 'an output and its reference (or a padding mask) have different shapes',
  E_METRIC_EMPTY: 'an output or reference to compare has no elements',
  E_METRIC_INPUT: 'a drift metric was given an invalid tolerance, quantile, label or dtype',
  E_REPORT_SCHEMA: 'a parity report file is not valid JSON, or not the report schema and version this tool reads',
  E_REPORT_MERGE: 'parity reports cannot be merged (different schema or config sha256, duplicate cell ids)',
  E_FLOAT64_BUDGET:
    'the float64 forward-pass reference would take more multiply-adds than reference.maxMultiplyAdds allows for these inputs',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ParityError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParityError';
    this.code = code;
    this.details = options?.details;
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isParityError(value: unknown, code?: ErrorCode): value is ParityError {
  return value instanceof ParityError && (code === undefined || value.code === code);
}
