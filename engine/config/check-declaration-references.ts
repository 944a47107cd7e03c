import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EngineKind } from './declaration.js';
import { ENGINE_KINDS } from './declaration.js';
import { didYouMean } from './did-you-mean.js';
import { isSupportedEnginePair } from '../../providers/provider-registry.js';
import type { FieldPath } from './field-path.js';
import { formatFieldPath } from './field-path.js';
import type { DeclaredEntry, MergedDeclaration } from './merge-declaration-files.js';
import type { ParsedDeclarationFile } from './parse-declaration-file.js';

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
// Names failing the schema's pattern were reported there; looking them up would only add noise.
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

function engineOf(entry: DeclaredEntry | undefined): EngineKind | undefined {
  const engine = isRecord(entry?.value) ? entry.value.engine : undefined;
  return ENGINE_KINDS.find((e) => e === engine);
}

/**
 * Rules across files: jobs and the postgres backend name existing profiles,
 * and each job's engine pair is supported. Runs on the merged declaration
 * because a job may use profiles from another file.
 */
export function checkDeclarationReferences(merged: MergedDeclaration): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = [...merged.profiles.keys()];
  const error = (file: ParsedDeclarationFile, path: FieldPath, summary: string, detail: string): void => {
    out.push({ severity: 'error', summary, detail, field: formatFieldPath(path), location: file.locator.value(path) });
  };
  const unknownDetail = (name: string): string => {
    const guess = didYouMean(name, names);
    if (guess) return `did you mean "${guess}"?`;
    return names.length > 0 ? `declared profiles: ${names.join(', ')}` : 'no profiles are declared';
  };

  for (const job of merged.jobs.values()) {
    if (!isRecord(job.value)) continue;
    const ends: Partial<Record<'source' | 'destination', DeclaredEntry>> = {};
    for (const end of ['source', 'destination'] as const) {
      const ref = job.value[end];
      if (typeof ref !== 'string' || !NAME.test(ref)) continue;
      const profile = merged.profiles.get(ref);
      if (profile) ends[end] = profile;
      else error(job.file, ['jobs', job.name, end], `unknown profile "${ref}"`, unknownDetail(ref));
    }
    const from = engineOf(ends.source);
    const to = engineOf(ends.destination);
    if (from && to && ends.source !== ends.destination && !isSupportedEnginePair(from, to)) {
      error(
        job.file,
        ['jobs', job.name, 'destination'],
        `unsupported migration ${from} → ${to}`,
        'supported: the same engine on both sides, or any engine to postgres',
      );
    }
  }

  const backend = merged.backend;
  if (backend && isRecord(backend.value) && backend.value.type === 'postgres') {
    const ref = backend.value.profile;
    if (typeof ref === 'string' && NAME.test(ref)) {
      const profile = merged.profiles.get(ref);
      const engine = engineOf(profile);
      if (!profile) error(backend.file, ['backend', 'profile'], `unknown profile "${ref}"`, unknownDetail(ref));
      else if (engine && engine !== 'postgres') {
        error(
          backend.file,
          ['backend', 'profile'],
          `the postgres backend needs a postgres profile, "${ref}" is ${engine}`,
          'point backend.profile at a profile with engine: postgres',
        );
      }
    }
  }
  return out;
}
