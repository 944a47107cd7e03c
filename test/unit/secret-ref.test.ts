import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseSecretRef, resolveSecret, secretRefKey, secretRefProblem } from '../../engine/config/secret-ref.js';

describe('parseSecretRef', () => {
  it.each([
    ['${env:SRC_PASSWORD}', { kind: 'env', name: 'SRC_PASSWORD' }],
    ['${env:_x1}', { kind: 'env', name: '_x1' }],
    ['${file:secrets/pg.txt}', { kind: 'file', name: 'secrets/pg.txt' }],
    ['${file:/abs/path with space}', { kind: 'file', name: '/abs/path with space' }],
  ])('parses %s', (text, ref) => {
    expect(parseSecretRef(text)).toEqual(ref);
  });

  it.each([
    'hunter2',
    '${env:}',
    '${env:1X}',
    '${env:A-B}',
    '${vault:x}',
    '${file:}',
    ' ${env:X}',
    '${env:X} ',
    '${env:X',
    'pre${env:X}',
    '$env:X',
    '${ENV:X}',
  ])('rejects %j', (text) => {
    expect(parseSecretRef(text)).toBeNull();
  });
});

describe('secretRefProblem', () => {
  it.each([
    ['${env:X}', null],
    ['${file:p}', null],
    ['hunter2', 'a password must be a reference, not a literal: use ${env:NAME} or ${file:PATH}'],
    ['${env:}', 'empty variable name in ${env:…}'],
    ['${file:}', 'empty path in ${file:…}'],
    ['${vault:x}', 'unknown secret source "vault": expected ${env:NAME} or ${file:PATH}'],
    ['${env:1X}', 'invalid environment variable name in ${env:…}: use letters, digits and _, not starting with a digit'],
    ['${env:X', 'malformed secret reference: expected ${env:NAME} or ${file:PATH}'],
  ])('%j → %j', (text, problem) => {
    expect(secretRefProblem(text)).toBe(problem);
  });

  it('never repeats the text it rejects', () => {
    for (const text of ['hunter2', '${hunter2', '${s3cr3t pass:x}', '${env:s3cr3t-pass}']) {
      expect(secretRefProblem(text)).not.toContain('hunter2');
      expect(secretRefProblem(text)).not.toContain('s3cr3t');
    }
  });
});

describe('secretRefKey', () => {
  it('is the form stored in state', () => {
    expect(secretRefKey({ kind: 'env', name: 'SRC_PASSWORD' })).toBe('env:SRC_PASSWORD');
    expect(secretRefKey({ kind: 'file', name: 'a/b.txt' })).toBe('file:a/b.txt');
  });
});

describe('resolveSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const saved = process.env.MIGRATE_TEST_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.MIGRATE_TEST_SECRET;
    else process.env.MIGRATE_TEST_SECRET = saved;
  });

  it('reads an environment variable', () => {
    process.env.MIGRATE_TEST_SECRET = 'pa ss\n';
    expect(resolveSecret('${env:MIGRATE_TEST_SECRET}', dir)).toBe('pa ss\n');
  });

  it('reads an empty environment variable as empty', () => {
    process.env.MIGRATE_TEST_SECRET = '';
    expect(resolveSecret('${env:MIGRATE_TEST_SECRET}', dir)).toBe('');
  });

  it('names an unset variable without any value', () => {
    delete process.env.MIGRATE_TEST_SECRET;
    expect(() => resolveSecret('${env:MIGRATE_TEST_SECRET}', dir)).toThrow(
      'environment variable MIGRATE_TEST_SECRET is not set (referenced by ${env:MIGRATE_TEST_SECRET})',
    );
  });

  it('reads a file relative to the base directory, trimming one trailing newline', () => {
    writeFileSync(join(dir, 'one.txt'), 'secret\n\n');
    writeFileSync(join(dir, 'crlf.txt'), 'secret\r\n');
    writeFileSync(join(dir, 'none.txt'), 'secret');
    expect(resolveSecret('${file:one.txt}', dir)).toBe('secret\n');
    expect(resolveSecret('${file:crlf.txt}', dir)).toBe('secret');
    expect(resolveSecret(`\${file:${join(dir, 'none.txt')}}`, '/elsewhere')).toBe('secret');
  });

  it('names a missing file', () => {
    expect(() => resolveSecret('${file:missing.txt}', dir)).toThrow(
      `secret file ${join(dir, 'missing.txt')} does not exist (referenced by \${file:missing.txt})`,
    );
  });

  it('refuses a value that is not a reference without echoing it', () => {
    let message = '';
    try {
      resolveSecret('hunter2', dir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('not a secret reference: expected ${env:NAME} or ${file:PATH}');
  });
});
