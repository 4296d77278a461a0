import { readFileSync } from 'node:fs';
import { isParityError, type ModelArtifact } from '@bert-parity/core';
import { thrown } from '@bert-parity/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectFindings, parseTarget, readModelBytes, readTfliteFile } from '../src/index.ts';
import { tinyOnnx, tinyTfjsDir, tinyTflite } from './helpers/tiny.ts';

/**
 * Robustness: every reader, fed truncated, bit-flipped, random and adversarial bytes, returns an artifact or
 * throws a coded ParityError, within a second, and the findings of whatever it returns can be computed.
 */
const CODES = new Set(['E_MODEL_FORMAT', 'E_MODEL_CORRUPT', 'E_MODEL_READ']);
const TARGETS = [parseTarget('litert@2.5.3'), parseTarget('tflite@2.4'), parseTarget('onnxruntime@1.30')];

function readsSafely(bytes: Uint8Array, path: string): void {
  const start = performance.now();
  let artifact: ModelArtifact | undefined;
  try {
    artifact = readModelBytes(bytes, path);
  } catch (error) {
    if (!isParityError(error) || !CODES.has(error.code)) throw error;
  }
  if (artifact !== undefined) {
    for (const target of TARGETS) inspectFindings(artifact, { target, vocabSize: 30000 });
  }
  expect(performance.now() - start).toBeLessThan(1000);
}

const seeds = () => {
  const tfjsPath = tinyTfjsDir();
  return [
    { name: 'tflite', path: 'fuzz.tflite', bytes: tinyTflite() },
    { name: 'onnx', path: 'fuzz.onnx', bytes: tinyOnnx() },
    { name: 'tfjs', path: tfjsPath, bytes: new Uint8Array(readFileSync(tfjsPath)) },
  ];
};

/** Mutations: truncate, flip bits, overwrite 4-byte words with hostile values (huge lengths, self-offsets). */
const mutation = (length: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: length }) }),
    fc.record({
      kind: fc.constant('flip' as const),
      bits: fc.array(fc.record({ at: fc.nat({ max: length - 1 }), bit: fc.nat({ max: 7 }) }), {
        minLength: 1,
        maxLength: 8,
      }),
    }),
    fc.record({
      kind: fc.constant('word' as const),
      words: fc.array(
        fc.record({
          at: fc.nat({ max: Math.max(0, length - 4) }),
          value: fc.oneof(
            fc.constantFrom(0, 1, 4, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, length, length - 4),
            fc.nat({ max: 0xffffffff }),
          ),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    }),
  );

type Mutation = typeof mutation extends (n: number) => fc.Arbitrary<infer M> ? M : never;

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (m.kind === 'truncate') return bytes.slice(0, m.at);
  const out = bytes.slice();
  if (m.kind === 'flip') for (const b of m.bits) out[b.at] = (out[b.at] as number) ^ (1 << b.bit);
  if (m.kind === 'word') {
    const view = new DataView(out.buffer);
    for (const w of m.words) if (w.at + 4 <= out.length) view.setUint32(w.at, w.value >>> 0, true);
  }
  return out;
}

describe('readers under hostile input', () => {
  for (const seed of seeds()) {
    it(`${seed.name}: truncated, bit-flipped and hostile-word variants give an artifact or a coded error`, () => {
      fc.assert(
        fc.property(mutation(seed.bytes.length), (m) => readsSafely(apply(seed.bytes, m), seed.path)),
        { numRuns: 2000 },
      );
    });
  }

  it('random bytes (with and without the TFL3 identifier) give an artifact or a coded error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, tfl3) => {
        if (tfl3 && bytes.length >= 8) bytes.set([0x54, 0x46, 0x4c, 0x33], 4);
        readsSafely(bytes, 'random.bin');
      }),
      { numRuns: 2000 },
    );
  });

  it('TFLite: vtables pointing at themselves and vectors declaring 2^32-1 elements are refused', () => {
    const file = new Uint8Array(64);
    const view = new DataView(file.buffer);
    view.setUint32(0, 8, true); // root table at 8
    file.set([0x54, 0x46, 0x4c, 0x33], 4);
    view.setInt32(8, 0, true); // soffset 0: the vtable is the table itself
    expect(() => readTfliteFile(file, 'self.tflite')).toThrow(/vtable of 0 bytes/);
    // A proper vtable whose operator_codes vector claims 2^32-1 entries.
    view.setInt32(8, -16, true); // vtable at 24
    view.setUint16(24, 6, true); // vtable size: one slot
    view.setUint16(26, 8, true); // object size
    view.setUint16(28, 4, true); // slot 0 (version) ... reuse as a vector for slot 1 below
    view.setUint16(24, 8, true); // two slots
    view.setUint16(30, 4, true); // slot 1 (operator_codes) at +4
    view.setUint32(12, 28, true); // offset from 12 to 40
    view.setUint32(40, 0xffffffff, true);
    expect(() => readTfliteFile(file, 'huge.tflite')).toThrow(
      /declares 4294967295 elements of 4 bytes; only 20 bytes remain/,
    );
  });

  it('ONNX: graphs nested 20000 deep (If bodies) give a coded error quickly', () => {
    readsSafely(deeplyNestedOnnx(20_000), 'deep.onnx');
    // protobufjs decodes recursively: at this depth it overflows the stack before the 32-level cap is
    // checked, and decodeOnnx turns the overflow into E_MODEL_CORRUPT.
    const error = thrown(() => readModelBytes(deeplyNestedOnnx(20_000), 'deep.onnx'));
    expect([error.code, error.message]).toEqual([
      'E_MODEL_CORRUPT',
      'ONNX file deep.onnx nests messages too deep to decode (the decoder ran out of stack); expected graphs nested at most a few levels',
    ]);
    expect(() => readModelBytes(deeplyNestedOnnx(40), 'deep40.onnx')).toThrow(
      'ONNX file deep40.onnx: graphs nest deeper than 32 levels',
    );
    expect(readModelBytes(deeplyNestedOnnx(30), 'deep30.onnx').ops).toEqual([
      { name: 'If', domain: 'ai.onnx', count: 30 },
    ]);
  });

  it('TF.js: JSON nested 100000 deep gives a coded error', () => {
    const text = `{"modelTopology":{"node":${'['.repeat(100_000)}${']'.repeat(100_000)}},"weightsManifest":[]}`;
    const path = tinyTfjsDir();
    readsSafely(new TextEncoder().encode(text), path);
    const error = thrown(() => readModelBytes(new TextEncoder().encode(text), path));
    expect([error.code, error.message]).toEqual(['E_MODEL_CORRUPT', `TF.js model ${path}: node 0 has no name or op`]);
  });
});

/** ModelProto{graph: Graph{node: Node{attribute: Attribute{g: Graph{...}}}}} nested `depth` times, encoded by hand. */
function deeplyNestedOnnx(depth: number): Uint8Array {
  const varintLen = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
  // Sizes from the inside out: graph = [node field], node = [op_type "If", attribute], attribute = [g: graph].
  const graphSize: number[] = [0];
  const nodeSize: number[] = [];
  const attrSize: number[] = [];
  for (let i = 0; i < depth; i++) {
    attrSize[i] = 1 + varintLen(graphSize[i] as number) + (graphSize[i] as number); // field 6 (g)
    nodeSize[i] = 4 + 1 + varintLen(attrSize[i] as number) + (attrSize[i] as number); // op_type "If" + field 5
    graphSize[i + 1] = 1 + varintLen(nodeSize[i] as number) + (nodeSize[i] as number); // field 1 (node)
  }
  const out: number[] = [0x08, 0x07]; // ir_version 7
  const push = (tag: number, len: number) => {
    out.push(tag);
    for (let v = len; ; v >>>= 7) {
      if (v < 0x80) {
        out.push(v);
        break;
      }
      out.push((v & 0x7f) | 0x80);
    }
  };
  push(0x3a, graphSize[depth] as number); // ModelProto.graph
  for (let i = depth - 1; i >= 0; i--) {
    push(0x0a, nodeSize[i] as number); // GraphProto.node (1)
    out.push(0x22, 0x02, 0x49, 0x66); // NodeProto.op_type (4) "If"
    push(0x2a, attrSize[i] as number); // NodeProto.attribute (5)
    push(0x32, graphSize[i] as number); // AttributeProto.g (6)
  }
  return Uint8Array.from(out);
}
