/**
 * PostgreSQL privileges: aclitem text (`grantee=privs/grantor`, an empty
 * grantee for PUBLIC, `*` after a privilege letter for WITH GRANT OPTION,
 * role names double-quoted when they need it) parsed into items, turned
 * into GRANT statements that recreate an object's ACL exactly, and rendered
 * as a stable text for comparison.
 */
import { dollarQuote, quoteIdent } from './pg-quote.js';

/** One aclitem. */
export interface AclItem {
  /** Role name, or null for PUBLIC. */
  grantee: string | null;
  grantor: string;
  /** Privilege letters as PostgreSQL prints them, each optionally followed by `*` (grant option). */
  privileges: string;
}

/** Privilege letters (`aclitemout`) and their GRANT keywords. */
const PRIVILEGES: Record<string, string> = {
  r: 'SELECT',
  w: 'UPDATE',
  a: 'INSERT',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  X: 'EXECUTE',
  U: 'USAGE',
  C: 'CREATE',
  c: 'CONNECT',
  T: 'TEMPORARY',
  m: 'MAINTAIN',
  s: 'SET',
  A: 'ALTER SYSTEM',
};

/** Reads a role name at `i` (quoted with `"…"` and `""` inside, or bare); returns it and the next index. */
function readName(text: string, i: number, stop: string): [string, number] {
  if (text[i] !== '"') {
    let j = i;
    while (j < text.length && text[j] !== stop) j++;
    const name = text.slice(i, j);
    // aclitemout quotes any name with characters other than letters, digits and _
    if (/["=/]/.test(name)) throw new Error(`malformed role name in aclitem ${JSON.stringify(text)}`);
    return [name, j];
  }
  let name = '';
  let j = i + 1;
  for (;;) {
    if (j >= text.length) throw new Error(`unterminated role name in aclitem ${JSON.stringify(text)}`);
    if (text[j] === '"') {
      if (text[j + 1] === '"') {
        name += '"';
        j += 2;
        continue;
      }
      return [name, j + 1];
    }
    name += text[j];
    j++;
  }
}

/** Parses one aclitem text, e.g. `app=ar/owner` (`a*` for a grant option), `=U/owner` (PUBLIC), `"we ird"=r/"own""er"`. */
export function parseAclItem(text: string): AclItem {
  const [grantee, eq] = readName(text, 0, '=');
  if (text[eq] !== '=') throw new Error(`malformed aclitem ${JSON.stringify(text)}`);
  const slash = text.indexOf('/', eq + 1);
  if (slash < 0) throw new Error(`malformed aclitem ${JSON.stringify(text)}`);
  const privileges = text.slice(eq + 1, slash);
  for (const ch of privileges) {
    if (ch !== '*' && !PRIVILEGES[ch])
      throw new Error(`unknown privilege ${JSON.stringify(ch)} in aclitem ${JSON.stringify(text)}`);
  }
  const [grantor, end] = readName(text, slash + 1, '\0');
  if (end !== text.length) throw new Error(`malformed aclitem ${JSON.stringify(text)}`);
  return { grantee: grantee === '' ? null : grantee, grantor, privileges };
}

/** The privilege keywords of an item, split by grant option. */
function privilegeLists(item: AclItem): { plain: string[]; withGrant: string[] } {
  const plain: string[] = [];
  const withGrant: string[] = [];
  const p = item.privileges;
  for (let i = 0; i < p.length; i++) {
    const keyword = PRIVILEGES[p[i] as string];
    if (!keyword) continue;
    if (p[i + 1] === '*') withGrant.push(keyword);
    else plain.push(keyword);
  }
  return { plain, withGrant };
}

/**
 * Maps a source role name to the destination's SQL role specification
 * (a quoted name, or `CURRENT_USER` for the migration user).
 */
export type RoleSpec = (role: string) => string;

/** The role a GRANT must run as when it was not granted by the owner (superusers always grant as the owner). */
function asGrantor(grantor: string, owner: string, role: RoleSpec, statements: string[]): string[] {
  const spec = role(grantor);
  if (spec === role(owner) || spec === 'CURRENT_USER') return statements;
  const body = `BEGIN SET LOCAL ROLE ${spec}; ${statements.join('; ')}; END`;
  return [`DO ${dollarQuote(body)}`];
}

function grantsOf(item: AclItem, on: string, role: RoleSpec): string[] {
  const { plain, withGrant } = privilegeLists(item);
  const to = item.grantee === null ? 'PUBLIC' : role(item.grantee);
  const out: string[] = [];
  if (plain.length) out.push(`GRANT ${plain.join(', ')} ON ${on} TO ${to}`);
  if (withGrant.length) out.push(`GRANT ${withGrant.join(', ')} ON ${on} TO ${to} WITH GRANT OPTION`);
  return out;
}

/** Owner-granted items first, so grant options exist before roles holding them grant further. */
function grantOrder(items: AclItem[], owner: string): AclItem[] {
  return [...items.filter((i) => i.grantor === owner), ...items.filter((i) => i.grantor !== owner)];
}

/**
 * Statements giving `object` (e.g. `TABLE "s"."t"`, `ROUTINE "s"."f"(integer)`,
 * `SCHEMA "s"`) exactly the ACL `acl` of the source, whose owner is `owner`:
 * PUBLIC's and the owner's built-in privileges are revoked first, then every
 * item is granted, by its grantor. Running them again gives the same ACL.
 */
export function aclStatements(object: string, owner: string, acl: readonly string[], role: RoleSpec): string[] {
  const out = [`REVOKE ALL ON ${object} FROM PUBLIC`, `REVOKE ALL ON ${object} FROM ${role(owner)}`];
  for (const item of grantOrder(acl.map(parseAclItem), owner)) {
    out.push(...asGrantor(item.grantor, owner, role, grantsOf(item, object, role)));
  }
  return out;
}

/**
 * GRANTs of a column's ACL (`GRANT SELECT ("c") ON TABLE t …`). A new
 * column has no privileges of its own, so nothing is revoked first.
 */
export function columnAclStatements(
  table: string,
  column: string,
  owner: string,
  acl: readonly string[],
  role: RoleSpec,
): string[] {
  const out: string[] = [];
  for (const item of grantOrder(acl.map(parseAclItem), owner)) {
    const { plain, withGrant } = privilegeLists(item);
    const to = item.grantee === null ? 'PUBLIC' : role(item.grantee);
    const col = quoteIdent(column);
    const grants: string[] = [];
    if (plain.length) grants.push(`GRANT ${plain.map((p) => `${p} (${col})`).join(', ')} ON TABLE ${table} TO ${to}`);
    if (withGrant.length) {
      grants.push(`GRANT ${withGrant.map((p) => `${p} (${col})`).join(', ')} ON TABLE ${table} TO ${to} WITH GRANT OPTION`);
    }
    out.push(...asGrantor(item.grantor, owner, role, grants));
  }
  return out;
}

/**
 * `ALTER DEFAULT PRIVILEGES FOR ROLE … IN SCHEMA … GRANT …` for each item of
 * a schema's default ACL (`pg_default_acl`): what `role`'s future objects
 * of `objectType` get there, on top of the built-in defaults.
 */
export function defaultAclStatements(
  forRole: string,
  schema: string,
  objectType: string,
  acl: readonly string[],
  role: RoleSpec,
): string[] {
  const head = `ALTER DEFAULT PRIVILEGES FOR ROLE ${role(forRole)} IN SCHEMA ${quoteIdent(schema)}`;
  return acl.flatMap((text) => grantsOf(parseAclItem(text), objectType.toUpperCase(), role).map((g) => `${head} ${g}`));
}

/** Placeholders that make ACLs of two servers comparable. */
export const MIGRATION_USER = '<migration user>';
/** Stands for the object's own owner in an ACL text. */
export const OWNER = '<owner>';

/**
 * A stable text for an ACL: items sorted, the object's owner written
 * `<owner>` and the connection user `<migration user>`, so a destination
 * whose objects belong to other (mapped) roles compares equal. Null stays
 * null (the kind's defaults).
 */
export function aclText(
  acl: readonly string[] | null | undefined,
  owner: string | null,
  connectionUser: string | null,
): string | null {
  if (acl == null) return null;
  const name = (role: string | null): string =>
    role === null ? '' : role === owner ? OWNER : role === connectionUser ? MIGRATION_USER : quoteIdent(role);
  return acl
    .map(parseAclItem)
    .map((i) => `${name(i.grantee)}=${i.privileges}/${name(i.grantor)}`)
    .sort()
    .join(', ');
}
