import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { hasErrors } from '../diagnostics/diagnostic.js';
import { buildDeclaration } from './build-declaration.js';
import { checkDeclarationFile } from './check-declaration-file.js';
import { checkDeclarationReferences } from './check-declaration-references.js';
import type { Declaration } from './declaration.js';
import { declarationDefaults } from './declaration-defaults.js';
import { declarationValidator } from './declaration-schema.js';
import { listDeclarationFiles } from './list-declaration-files.js';
import { mergeDeclarationFiles } from './merge-declaration-files.js';
import type { ParsedDeclarationFile } from './parse-declaration-file.js';
import { parseDeclarationFile } from './parse-declaration-file.js';
import { schemaDiagnostics } from './schema-diagnostics.js';

/**
 * Loads a declaration from a file or a directory (every `*.yaml` / `*.yml`
 * directly in it, merged in name order) and validates it against
 * `schemas/migrate.schema.json` plus the rules the schema cannot express.
 *
 * Returns the typed declaration with defaults filled in, or `null` when any
 * error was found; `diagnostics` then lists every problem, each with a
 * `file:line:column` and dotted field. Diagnostic files are spelled as the
 * caller spelled `path` (joined with the file name for a directory);
 * `Declaration.dir` and `files` are absolute. Secrets stay references, and
 * nothing is written to disk.
 */
export async function loadDeclaration(path: string): Promise<{ declaration: Declaration | null; diagnostics: Diagnostic[] }> {
  const listed = await listDeclarationFiles(path);
  if ('diagnostic' in listed) return { declaration: null, diagnostics: [listed.diagnostic] };

  const diagnostics: Diagnostic[] = [];
  const parsedFiles: ParsedDeclarationFile[] = [];
  const validate = declarationValidator();
  for (const file of listed.files) {
    const { parsed, diagnostics: parseDiagnostics } = await parseDeclarationFile(file);
    diagnostics.push(...parseDiagnostics);
    if (!parsed) continue;
    if (!validate(parsed.data)) {
      diagnostics.push(...schemaDiagnostics(validate.errors ?? [], parsed.data, parsed.locator));
    }
    diagnostics.push(...checkDeclarationFile(parsed));
    parsedFiles.push(parsed);
  }

  const { merged, diagnostics: mergeDiagnostics } = mergeDeclarationFiles(parsedFiles);
  diagnostics.push(...mergeDiagnostics);
  // A file that did not parse may declare the profiles others refer to: checking
  // references without it would only add false "unknown profile" errors.
  if (parsedFiles.length === listed.files.length) diagnostics.push(...checkDeclarationReferences(merged));
  sortByPosition(
    diagnostics,
    listed.files.map((f) => f.path),
  );

  if (hasErrors(diagnostics)) return { declaration: null, diagnostics };
  const declaration = buildDeclaration(
    merged,
    listed.dir,
    listed.files.map((f) => f.absolute),
    declarationDefaults(),
  );
  return { declaration, diagnostics };
}

/** File order, then line and column, so output reads top to bottom like the files. */
function sortByPosition(diagnostics: Diagnostic[], files: string[]): void {
  const rank = (d: Diagnostic): [number, number, number] => {
    const loc = d.location;
    return loc ? [files.indexOf(loc.file), loc.line, loc.column] : [-1, 0, 0];
  };
  diagnostics.sort((a, b) => {
    const [fa, la, ca] = rank(a);
    const [fb, lb, cb] = rank(b);
    return fa - fb || la - lb || ca - cb;
  });
}
