import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
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

  it('ci.yml runs the parity check and keeps its reports when it fails', () => {
    const ci = readFileSync(join(DIR, 'ci.yml'), 'utf8');
    expect(ci).toContain('run: pnpm test:parity');
    // The browser column runs on the runner's Chrome, as the HTML report test does.
    expect(ci).toMatch(/run: pnpm test:parity\n\s+env:\n\s+BERT_PARITY_CHROMIUM: \/usr\/bin\/google-chrome\n/);
    expect(ci).toContain('cache: pnpm');
    expect(ci).toMatch(/uses: actions\/upload-artifact@v4\n\s+if: always\(\)\n\s+with:\n\s+name: parity-reports/);
    expect(ci).toMatch(/path: reports\/junit\.xml\n\s+reporter: java-junit/);
  });
});
