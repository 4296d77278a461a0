import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findConverterDir,
  GENERATED_PATH,
  loadedOpLists,
  opNamesOf,
  readOpTable,
  renderModule,
} from '../../../tools/tfjs-ops/generate.ts';
// @bert-parity/fixtures depends on @bert-parity/models, so it is imported by path rather than as a dependency.
import { buildFixtures, type Fixtures } from '../../fixtures/src/index.ts';
import { inspectFindings, loadModelSync, parseTarget, type Target } from '../src/index.ts';
import { TFJS_CONVERTER_OPS, TFJS_CONVERTER_VERSION } from '../src/inspect/tfjs-ops.generated.ts';
import { tempDir } from './helpers/tiny.ts';

const NO_SUCH_OP = 'BertParityNoSuchOp';
const converterDir = findConverterDir();

describe('tfjs-ops.generated.ts', () => {
  // @tensorflow/tfjs-converter is a dependency of runtime-tfjs, so it is always installed: no skip.
  it('matches the installed @tensorflow/tfjs-converter (pnpm tfjs-ops:generate)', () => {
    expect(converterDir, '@tensorflow/tfjs-converter not found from packages/runtime-tfjs').toBeDefined();
    const table = readOpTable(converterDir as string);
    expect(table.version).toBe(TFJS_CONVERTER_VERSION);
    expect(renderModule(table)).toBe(readFileSync(GENERATED_PATH, 'utf8'));
  });

  it('is sorted, unique, and holds the ops the BERT fixtures use but not the test op', () => {
    expect([...TFJS_CONVERTER_OPS].sort()).toEqual(TFJS_CONVERTER_OPS);
    expect(new Set(TFJS_CONVERTER_OPS).size).toBe(TFJS_CONVERTER_OPS.length);
    for (const op of ['Placeholder', 'Const', 'GatherV2', 'BatchMatMulV2', 'Erf', 'Softmax']) {
      expect(TFJS_CONVERTER_OPS).toContain(op);
    }
    expect(TFJS_CONVERTER_OPS).not.toContain(NO_SUCH_OP);
  });

  it('takes only the op lists OperationMapper loads, and refuses sources it cannot parse', () => {
    const mapper = [
      "import * as arithmetic from './op_list/arithmetic';",
      "import * as ragged from './op_list/ragged';",
      "import * as sliceJoin from './op_list/slice_join';",
      'const ops = [',
      '    arithmetic, sliceJoin',
      '];',
    ].join('\n');
    expect(loadedOpLists(mapper)).toEqual(['arithmetic', 'slice_join']);
    expect(() => loadedOpLists('const x = 1;')).toThrow(/layout changed/);
    expect(() => loadedOpLists(`${mapper.replace('sliceJoin\n', 'nope\n')}`)).toThrow(/nope/);
    expect(opNamesOf('export const json = [{ \'tfOpName\': \'Add\' }, { "tfOpName": "Sub" }];', 'a.js')).toEqual([
      'Add',
      'Sub',
    ]);
    expect(() => opNamesOf("[{ 'tfOpName': 'Add' }, { tfOpName: `Sub` }]", 'a.js')).toThrow(/2 tfOpName keys but 1/);
  });
});

describe('TFJS_UNSUPPORTED_OP', () => {
  let fx: Fixtures;
  beforeAll(async () => {
    fx = await buildFixtures();
  });
  const tfjsFixture = (precision: string): string => {
    const f = fx.files.find((x) => x.format === 'tfjs-graph' && x.precision === precision && x.variant === 'standard');
    if (f === undefined) throw new Error(`no tfjs fixture ${precision}`);
    return f.path;
  };
  const unsupported = (path: string, target?: Target) =>
    inspectFindings(loadModelSync(path), target === undefined ? {} : { target }).filter(
      (f) => f.code === 'TFJS_UNSUPPORTED_OP',
    );
  /** A copy of the float32 fixture folder with model.json edited. */
  const edited = (edit: (json: { modelTopology: Record<string, unknown> }) => void): string => {
    const dir = tempDir();
    cpSync(dirname(tfjsFixture('float32')), dir, { recursive: true });
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    edit(json);
    writeFileSync(path, JSON.stringify(json));
    return path;
  };
  const renameOneNode = (json: { modelTopology: Record<string, unknown> }): void => {
    const nodes = json.modelTopology.node as { op: string }[];
    const node = nodes.find((n) => n.op === 'Erf') ?? nodes.find((n) => !['Placeholder', 'Const'].includes(n.op));
    if (node === undefined) throw new Error('fixture has no compute node');
    node.op = NO_SUCH_OP;
  };

  it.each(['float32', 'float16', 'uint8'])('does not flag the standard %s fixture', (precision) => {
    const path = tfjsFixture(precision);
    expect(unsupported(path, parseTarget('tfjs@4.22'))).toEqual([]);
    expect(unsupported(path)).toEqual([]);
    expect(inspectFindings(loadModelSync(path), { target: parseTarget('tfjs@4.22') })).toEqual([]);
  });

  it('flags a node whose op tfjs-converter does not map, with or without a tfjs target', () => {
    const path = edited(renameOneNode);
    const withTarget = unsupported(path, parseTarget('tfjs@4.22'));
    expect(withTarget).toHaveLength(1);
    expect(withTarget[0]).toMatchObject({ code: 'TFJS_UNSUPPORTED_OP', severity: 'error' });
    expect(withTarget[0]?.message).toContain(`op ${NO_SUCH_OP} (1 node, in the graph)`);
    expect(withTarget[0]?.message).toContain(`Unknown op '${NO_SUCH_OP}'`);
    expect(withTarget[0]?.hint).toContain(`tf.registerOp('${NO_SUCH_OP}'`);
    // TF.js is the only runtime for the format: without a target the finding is the same.
    expect(unsupported(path).map((f) => [f.severity, f.message.replace('TF.js', 'tfjs@4.22')])).toEqual([
      ['error', withTarget[0]?.message],
    ]);
    // A later minor may map more ops: a warning; a target that does not load TF.js: TARGET_FORMAT only.
    expect(unsupported(path, parseTarget('tfjs@4.23')).map((f) => f.severity)).toEqual(['warning']);
    expect(unsupported(path, parseTarget('tfjs@4.22.1')).map((f) => f.severity)).toEqual(['error']);
    expect(unsupported(path, parseTarget('onnxruntime@1.20'))).toEqual([]);
  });

  it('counts ops inside library.function bodies', () => {
    const path = edited((json) => {
      json.modelTopology.library = {
        function: [
          {
            signature: { name: 'while_body_7' },
            nodeDef: [
              { name: 'a', op: 'AddV2' },
              { name: 'b', op: NO_SUCH_OP },
              { name: 'c', op: NO_SUCH_OP },
              { name: 'bad' },
            ],
          },
          { signature: { name: 'cond_3' }, nodeDef: [{ name: 'x', op: NO_SUCH_OP }] },
        ],
      };
    });
    const found = unsupported(path, parseTarget('tfjs@4.22'));
    expect(found.map((f) => f.message)).toEqual([
      expect.stringContaining(`op ${NO_SUCH_OP} (3 nodes, in function while_body_7, cond_3)`),
    ]);
    const both = unsupported(
      edited((json) => {
        renameOneNode(json);
        json.modelTopology.library = {
          function: [{ signature: { name: 'f' }, nodeDef: [{ name: 'b', op: NO_SUCH_OP }] }],
        };
      }),
    );
    expect(both.map((f) => f.message)).toEqual([
      expect.stringContaining(`op ${NO_SUCH_OP} (2 nodes, in the graph and function f)`),
    ]);
  });
});
