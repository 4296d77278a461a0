import { describe, expect, it } from 'vitest';
import { isParityError, ParityError } from '../src/index.ts';

describe('ParityError', () => {
  it('carries its code, message and cause', () => {
    const cause = new Error('inner');
    const err = new ParityError('E_IO', 'cannot read vocab.txt', { cause, details: { path: 'vocab.txt' } });
    expect(err.code).toBe('E_IO');
    expect(err.message).toBe('cannot read vocab.txt');
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ path: 'vocab.txt' });
    expect(String(err)).toBe('E_IO: cannot read vocab.txt');
  });

  it('is recognised by code', () => {
    const err = new ParityError('E_USAGE', 'x');
    expect(isParityError(err)).toBe(true);
    expect(isParityError(err, 'E_USAGE')).toBe(true);
    expect(isParityError(err, 'E_IO')).toBe(false);
    expect(isParityError(new Error('x'))).toBe(false);
  });
});
