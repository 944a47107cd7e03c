import { scryptSync } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Declaration } from '../config/declaration.js';
import { parseSecretRef, resolveSecret, secretRefKey } from '../config/secret-ref.js';
import type { ProfileRecord } from '../../state/state-document.js';
import type { DesiredSnapshot } from './desired-snapshot.js';

/**
 * A slow, salted fingerprint of a secret: enough to notice rotation, useless
 * for recovering the value. Never the secret itself.
 */
export function fingerprintSecret(profile: string, secret: string): string {
  return scryptSync(secret, `migrate:${profile}`, 16, { N: 16384 }).toString('hex');
}

/**
 * Reduce a declaration to what state records. Password references become
 * `env:NAME` / `file:/absolute/path`; a resolvable secret is fingerprinted,
 * an unresolvable one keeps the recorded fingerprint (plans in CI often run
 * without secrets and must not show a spurious change).
 */
export function buildDesired(decl: Declaration, recorded: Record<string, ProfileRecord> = {}): DesiredSnapshot {
  const profiles: DesiredSnapshot['profiles'] = {};
  for (const p of Object.values(decl.profiles)) {
    let passwordRef: string | null = null;
    let passwordFingerprint: string | null = null;
    if (p.password !== undefined) {
      const ref = parseSecretRef(p.password);
      if (ref) {
        if (ref.kind === 'file' && !isAbsolute(ref.name)) ref.name = resolve(decl.dir, ref.name);
        passwordRef = secretRefKey(ref);
        try {
          passwordFingerprint = fingerprintSecret(p.name, resolveSecret(p.password, decl.dir));
        } catch {
          passwordFingerprint =
            recorded[p.name]?.passwordRef === passwordRef ? (recorded[p.name]?.passwordFingerprint ?? null) : null;
        }
      }
    }
    profiles[p.name] = {
      engine: p.engine,
      host: p.host,
      port: p.port,
      user: p.user,
      database: p.database,
      tls: p.tls.ca ? { mode: p.tls.mode, ca: resolve(decl.dir, p.tls.ca) } : { mode: p.tls.mode },
      passwordRef,
      passwordFingerprint,
      location: p.location,
    };
  }
  const jobs: DesiredSnapshot['jobs'] = {};
  for (const j of Object.values(decl.jobs)) {
    jobs[j.name] = {
      source: j.source,
      destination: j.destination,
      type: j.type,
      desiredState: j.state,
      parallelism: j.parallelism,
      ...(j.verify ? { verify: true } : {}),
      ...(j.protect ? { protect: true } : {}),
      ...(j.schema.owners !== 'keep' || j.schema.grants !== 'keep' || j.schema.types?.length || j.schema.zeroDates
        ? { schema: { ...j.schema, ...(j.schema.types ? { types: j.schema.types.map((t) => ({ ...t })) } : {}) } }
        : {}),
      databases: j.databases.map((d) => ({
        name: d.name,
        target: d.target,
        tables: { include: [...d.tables.include], exclude: [...d.tables.exclude] },
      })),
      location: j.location,
    };
  }
  return { profiles, jobs };
}
