import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src/paths.ts';

/**
 * Every GitHub workflow is checked against the workflow schema (action-validator, offline), so a broken
 * workflow, which GitHub would only reject after merging, fails the test suite instead.
 */
const DIR = join(REPO_ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe('GitHub workflows', () => {
  it('finds the workflows', () => {
    expect(files).toContain('ci.yml');
    expect(files).toContain('golden.yml');
  });

  it.each(files)('%s is a valid workflow', (file) => {
    const state = validateWorkflow(readFileSync(join(DIR, file), 'utf8'));
    expect(state.errors).toEqual([]);
  });

  it('the validator rejects a broken workflow (so the checks above mean something)', () => {
    const broken = 'name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n';
    // Neither a runs-on job nor a reusable-workflow job: the first alternative names the misspelt key.
    const errors = validateWorkflow(broken).errors as {
      code: string;
      path: string;
      states?: { errors: unknown[] }[];
    }[];
    expect(errors.map((e) => [e.code, e.path])).toEqual([['one_of', '/jobs/a']]);
    expect(errors[0]?.states?.[0]?.errors).toEqual([
      {
        code: 'properties',
        detail: "Additional property 'stepz' is not allowed",
        path: '/jobs/a',
        title: 'Property conditions are not met',
      },
    ]);
  });

  describe('ci.yml: the sharded parity matrix and its merge job', () => {
    interface Step {
      name?: string;
      uses?: string;
      run?: string;
      if?: string;
      with?: Record<string, unknown>;
      env?: Record<string, string>;
    }
    interface Job {
      name?: string;
      needs?: string[];
      if?: string;
      strategy?: { 'fail-fast'?: boolean; matrix?: { shard?: unknown } };
      steps: Step[];
    }
    /** A GitHub expression as the workflow writes it: ${{ expr }}. */
    const gh = (expr: string) => `$${'{{'} ${expr} }}`;
    const ci = parse(readFileSync(join(DIR, 'ci.yml'), 'utf8')) as { jobs: Record<string, Job> };
    const job = (id: string) => ci.jobs[id] as Job;
    const runs = (j: Job) => j.steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
    const uploads = (j: Job) => j.steps.filter((s) => s.uses === 'actions/upload-artifact@v4');

    it('the required checks keep their names: test and parity (README, branch protection)', () => {
      expect(job('test').name).toBe('test');
      expect(job('parity').name).toBe('parity');
      expect(Object.values(ci.jobs).filter((j) => j.name === 'parity')).toHaveLength(1);
    });

    it('the shard count is set once: the matrix list is 1..N and each shard runs --shard <its entry>/<job-total>', () => {
      const shards = job('parity-shard');
      const list = shards.strategy?.matrix?.shard as number[];
      expect(list.length).toBeGreaterThan(1);
      expect(list).toEqual(list.map((_, i) => i + 1));
      expect(shards.strategy?.['fail-fast']).toBe(false);
      expect(runs(shards)).toContain(
        'pnpm bert-parity check --shard ' +
          gh('matrix.shard') +
          '/' +
          gh('strategy.job-total') +
          ' --skip-runtime tfjs-node --json reports/parity-part-shard-' +
          gh('matrix.shard') +
          '.json',
      );
      // The browser column runs in the runner's Chrome, as the HTML report test does, checked there first.
      const check = shards.steps.find((s) => s.run?.startsWith('pnpm bert-parity check') === true);
      expect(check?.env).toEqual({ BERT_PARITY_CHROMIUM: '/usr/bin/google-chrome' });
      expect(runs(shards)).toContain('/usr/bin/google-chrome --version');
      expect(uploads(shards).map((u) => [u.if, u.with?.name, u.with?.path])).toEqual([
        ['always()', `parity-part-shard-${gh('matrix.shard')}`, `reports/parity-part-shard-${gh('matrix.shard')}.json`],
      ]);
    });

    it('tfjs-node is installed in its own job only, pinned to tfjs-core, and its cells are required there', () => {
      const tfjs = job('tfjs-node');
      const core = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/runtime-tfjs/package.json'), 'utf8')).dependencies[
        '@tensorflow/tfjs-core'
      ] as string;
      expect(runs(tfjs)).toEqual([
        'pnpm install --frozen-lockfile',
        `pnpm add -w --save-exact --allow-build=@tensorflow/tfjs-node @tensorflow/tfjs-node@${core}`,
        'pnpm bert-parity check --runtime tfjs-node --json reports/parity-part-tfjs-node.json',
      ]);
      expect(uploads(tfjs).map((u) => [u.if, u.with?.name])).toEqual([['always()', 'parity-part-tfjs-node']]);
      // Nowhere else: the repository's own install stays free of it.
      const other = Object.entries(ci.jobs).filter(([id]) => id !== 'tfjs-node');
      expect(other.flatMap(([, j]) => runs(j)).filter((r) => r.includes('tfjs-node@'))).toEqual([]);
    });

    it('parity merges every part, always, requiring each shard, and keeps its reports when it fails', () => {
      const merge = job('parity');
      expect(merge.needs).toEqual(['parity-shard', 'tfjs-node']);
      expect(merge.if).toBe('always()');
      const download = merge.steps.find((s) => s.uses === 'actions/download-artifact@v4');
      expect(download?.with).toEqual({ pattern: 'parity-part-*', path: 'reports/parts', 'merge-multiple': true });
      expect(runs(merge)).toContain(
        'pnpm bert-parity report merge reports/parts --require-shards --out reports/report.json --junit reports/junit.xml --html reports/report.html --markdown reports/report.md',
      );
      expect(uploads(merge).map((u) => [u.if, u.with?.name, u.with?.path])).toEqual([
        ['always()', 'parity-reports', 'reports/'],
      ]);
      const annotate = merge.steps.find((s) => s.uses === 'dorny/test-reporter@v1');
      expect(annotate?.with?.path).toBe('reports/junit.xml');
      expect(annotate?.if).toMatch(/^always\(\)/);
    });

    it('the parts run the same config as pnpm test:parity (report merge refuses another config sha256)', () => {
      const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
      const testParity = scripts['test:parity'] as string;
      // The shards call `pnpm bert-parity check`: test:parity must be that same command (environment included).
      expect(scripts['bert-parity']).toMatch(/tsx packages\/parity\/src\/bin\.ts$/);
      expect(testParity.startsWith(`${scripts['bert-parity']} check `)).toBe(true);
      expect(testParity).not.toContain('--config');
      for (const r of [...runs(job('parity-shard')), ...runs(job('tfjs-node'))]) expect(r).not.toContain('--config');
    });

    it('a short fuzz campaign runs on every push and keeps what it found', () => {
      const fuzz = job('fuzz');
      expect(runs(fuzz)).toContain(`pnpm fuzz --seconds 5 --seed ${gh('github.run_number')} --out reports/fuzz`);
      expect(uploads(fuzz).map((u) => [u.if, u.with?.path])).toEqual([['always()', 'reports/fuzz/']]);
    });
  });
});
