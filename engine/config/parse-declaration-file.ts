import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatFieldPath } from './field-path.js';
import type { DeclarationFile } from './list-declaration-files.js';
import { createYamlLocator } from './yaml-locator.js';
import type { YamlLocator } from './yaml-locator.js';

/** A declaration file whose YAML parsed to a top-level mapping (not yet checked against the schema). */
export interface ParsedDeclarationFile {
  file: DeclarationFile;
  data: Record<string, unknown>;
  locator: YamlLocator;
}

/** Declarations are a few KiB; anything near this is the wrong file, and parsing it would only waste memory. */
export const MAX_DECLARATION_BYTES = 5 * 1024 * 1024;

/**
 * Reads and parses one file. Syntax errors (including duplicate keys in one
 * mapping) come from the YAML parser with its positions. Error messages never
 * quote source lines, since a line may hold a pasted password.
 */
export async function parseDeclarationFile(
  file: DeclarationFile,
): Promise<{ parsed: ParsedDeclarationFile | null; diagnostics: Diagnostic[] }> {
  const start = { file: file.path, line: 1, column: 1 };
  const fail = (summary: string, detail?: string) => ({
    parsed: null,
    diagnostics: [{ severity: 'error' as const, summary, ...(detail ? { detail } : {}), location: start }],
  });

  let text: string;
  try {
    const { size } = await stat(file.absolute);
    if (size > MAX_DECLARATION_BYTES) {
      return fail(
        `file is too large (${(size / 1024 / 1024).toFixed(1)} MiB; the limit is 5 MiB)`,
        'a declaration holds profiles and jobs; is this the right file?',
      );
    }
    text = await readFile(file.absolute, 'utf8');
  } catch (cause) {
    // Unreadable files are the user's to fix (permissions, a file removed mid-run), not a crash.
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail(`cannot read file (${code})`, 'check that the file exists and is readable');
  }
  const lines = new LineCounter();
  // prettyErrors would append the offending source line to messages: it may hold a secret.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const locator = createYamlLocator(file.path, doc, lines);

  const diagnostics: Diagnostic[] = [];
  for (const [severity, list] of [
    ['error', doc.errors],
    ['warning', doc.warnings],
  ] as const) {
    for (const err of list) {
      const location = locator.offset(err.pos[0]);
      // Only a duplicate key sits in an intact tree; after other syntax errors a path would be a guess.
      const path = err.code === 'DUPLICATE_KEY' ? locator.pathAt(err.pos[0]) : [];
      if (path.length > 0) {
        const summary = `duplicate key "${String(path.at(-1))}" in the same mapping`;
        diagnostics.push({ severity, summary, field: formatFieldPath(path), location });
      } else if (err.code === 'MULTIPLE_DOCS') {
        const summary = 'a declaration file holds one YAML document';
        const detail = 'remove the `---` separator, or split the documents into files';
        diagnostics.push({ severity, summary, detail, location });
      } else {
        const summary = `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${err.message}`;
        diagnostics.push({ severity, summary, location });
      }
    }
  }
  if (doc.errors.length > 0) return { parsed: null, diagnostics };

  const contents = doc.contents;
  if (contents === null || (!isMap(contents) && contents.range?.[0] === contents.range?.[1])) {
    return fail('file is empty', 'a declaration file is a mapping that starts with `version: 1`');
  }
  if (!isMap(contents)) {
    const got = isSeq(contents) ? 'a list' : 'a single value';
    const at = locator.value([]);
    return {
      parsed: null,
      diagnostics: [
        ...diagnostics,
        {
          severity: 'error',
          summary: `the top level must be a mapping (key: value lines), got ${got}`,
          detail: 'a declaration file is a mapping that starts with `version: 1`',
          location: at,
        },
      ],
    };
  }
  // `yaml` does not report an alias without its anchor as a parse error (toJS
  // throws later, without a position): point at the alias itself.
  let unresolved: Diagnostic | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      unresolved = {
        severity: 'error',
        summary: `cannot expand YAML aliases: unknown alias *${node.source}`,
        detail: `an alias refers to an anchor (&${node.source}) set earlier in the same file`,
        location: locator.offset(node.range?.[0] ?? 0),
      };
      return visit.BREAK;
    },
  });
  if (unresolved) return { parsed: null, diagnostics: [...diagnostics, unresolved] };

  let data: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    return fail(`cannot expand YAML aliases: ${(cause as Error).message}`);
  }
  return { parsed: { file, data: data as Record<string, unknown>, locator }, diagnostics };
}
