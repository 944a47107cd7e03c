import { describe, expect, it } from 'vitest';
import { isTransientPgError } from '../../providers/postgres/pg-transient-error.js';

describe('isTransientPgError', () => {
  const coded = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['a terminated backend', coded('57P01')],
    ['a connection exception class', coded('08006')],
    ['a reset socket', coded('ECONNRESET')],
    // a pooled client whose connection broke while it was checked out between two queries
    ['a client that is no longer queryable', new Error('Client has encountered a connection error and is not queryable')],
    ['the cause of a wrapped error', new Error('loading t failed', { cause: coded('57P01') })],
  ])('%s is transient', (_name, err) => {
    expect(isTransientPgError(err)).toBe(true);
  });

  it.each([
    ['a constraint violation', coded('23505')],
    ['a syntax error', coded('42601')],
    ['no error', null],
  ])('%s is not', (_name, err) => {
    expect(isTransientPgError(err)).toBe(false);
  });
});
