import { describe, expect, it } from 'vitest';
import {
  aclStatements,
  aclText,
  columnAclStatements,
  defaultAclStatements,
  parseAclItem,
  type RoleSpec,
} from '../../providers/postgres/pg-acl.js';

/** The source connection user `migrator` is the destination's CURRENT_USER. */
const role: RoleSpec = (r) => (r === 'migrator' ? 'CURRENT_USER' : `"${r.replace(/"/g, '""')}"`);

describe('parseAclItem', () => {
  it.each([
    ['app=arwd/owner', { grantee: 'app', grantor: 'owner', privileges: 'arwd' }],
    ['=U/owner', { grantee: null, grantor: 'owner', privileges: 'U' }],
    ['app=r*w/owner', { grantee: 'app', grantor: 'owner', privileges: 'r*w' }],
    ['"we ird"=X/"own""er"', { grantee: 'we ird', grantor: 'own"er', privileges: 'X' }],
    ['"a=b/c"=r/"x/y"', { grantee: 'a=b/c', grantor: 'x/y', privileges: 'r' }],
    ['app=arwdDxtm/owner', { grantee: 'app', grantor: 'owner', privileges: 'arwdDxtm' }],
    ['app=/owner', { grantee: 'app', grantor: 'owner', privileges: '' }],
  ])('%s', (text, item) => {
    expect(parseAclItem(text)).toEqual(item);
  });

  it.each(['app', 'app=r', 'app=q/owner', '"open=r/owner', 'app=r/owner/extra"'])('rejects %j', (text) => {
    expect(() => parseAclItem(text)).toThrow(/aclitem|privilege/);
  });
});

describe('aclStatements', () => {
  const cases: Array<{ name: string; object: string; owner: string; acl: string[]; sql: string[] }> = [
    {
      name: 'a table readable by one role: the owner keeps its privileges, PUBLIC has none',
      object: 'TABLE "s"."t"',
      owner: 'owner',
      acl: ['owner=arwdDxt/owner', 'reader=r/owner'],
      sql: [
        'REVOKE ALL ON TABLE "s"."t" FROM PUBLIC',
        'REVOKE ALL ON TABLE "s"."t" FROM "owner"',
        'GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE "s"."t" TO "owner"',
        'GRANT SELECT ON TABLE "s"."t" TO "reader"',
      ],
    },
    {
      name: 'PUBLIC, grant options, and the migration user as owner',
      object: 'ROUTINE "s"."f"(integer)',
      owner: 'migrator',
      acl: ['=X/migrator', 'migrator=X/migrator', 'app=X*/migrator'],
      sql: [
        'REVOKE ALL ON ROUTINE "s"."f"(integer) FROM PUBLIC',
        'REVOKE ALL ON ROUTINE "s"."f"(integer) FROM CURRENT_USER',
        'GRANT EXECUTE ON ROUTINE "s"."f"(integer) TO PUBLIC',
        'GRANT EXECUTE ON ROUTINE "s"."f"(integer) TO CURRENT_USER',
        'GRANT EXECUTE ON ROUTINE "s"."f"(integer) TO "app" WITH GRANT OPTION',
      ],
    },
    {
      name: 'a privilege granted on by a role holding the grant option runs as that role, after its own grant',
      object: 'TABLE "s"."t"',
      owner: 'owner',
      acl: ['reader=r/writer', 'owner=arwdDxt/owner', 'writer=a*r*w/owner'],
      sql: [
        'REVOKE ALL ON TABLE "s"."t" FROM PUBLIC',
        'REVOKE ALL ON TABLE "s"."t" FROM "owner"',
        'GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE "s"."t" TO "owner"',
        'GRANT UPDATE ON TABLE "s"."t" TO "writer"',
        'GRANT INSERT, SELECT ON TABLE "s"."t" TO "writer" WITH GRANT OPTION',
        'DO $ddl$BEGIN SET LOCAL ROLE "writer"; GRANT SELECT ON TABLE "s"."t" TO "reader"; END$ddl$',
      ],
    },
    {
      name: 'everything revoked',
      object: 'SCHEMA "s"',
      owner: 'owner',
      acl: [],
      sql: ['REVOKE ALL ON SCHEMA "s" FROM PUBLIC', 'REVOKE ALL ON SCHEMA "s" FROM "owner"'],
    },
    {
      name: 'schema and type privileges',
      object: 'SCHEMA "app"',
      owner: 'owner',
      acl: ['owner=UC/owner', '=U/owner'],
      sql: [
        'REVOKE ALL ON SCHEMA "app" FROM PUBLIC',
        'REVOKE ALL ON SCHEMA "app" FROM "owner"',
        'GRANT USAGE, CREATE ON SCHEMA "app" TO "owner"',
        'GRANT USAGE ON SCHEMA "app" TO PUBLIC',
      ],
    },
  ];

  it.each(cases)('$name', ({ object, owner, acl, sql }) => {
    expect(aclStatements(object, owner, acl, role)).toEqual(sql);
  });

  it('column privileges are granted without revoking first', () => {
    expect(columnAclStatements('"s"."t"', 'price', 'owner', ['reader=r/owner', 'writer=w*/owner'], role)).toEqual([
      'GRANT SELECT ("price") ON TABLE "s"."t" TO "reader"',
      'GRANT UPDATE ("price") ON TABLE "s"."t" TO "writer" WITH GRANT OPTION',
    ]);
  });

  it('default privileges of a schema', () => {
    expect(defaultAclStatements('owner', 'app', 'tables', ['reader=r/owner', 'migrator=arw/owner'], role)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "app" GRANT SELECT ON TABLES TO "reader"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "app" GRANT INSERT, SELECT, UPDATE ON TABLES TO CURRENT_USER',
    ]);
  });
});

describe('aclText', () => {
  it.each([
    [null, 'owner', 'migrator', null],
    [['reader=r/owner', 'owner=arw/owner'], 'owner', 'migrator', '"reader"=r/<owner>, <owner>=arw/<owner>'],
    // the connection user on each side reads the same, whoever it is
    [['migrator=X/migrator', '=X/migrator'], 'migrator', 'migrator', '<owner>=X/<owner>, =X/<owner>'],
    [['migrator=r/owner'], 'owner', 'migrator', '<migration user>=r/<owner>'],
    [[], 'owner', 'migrator', ''],
  ])('%j', (acl, owner, user, text) => {
    expect(aclText(acl, owner, user)).toBe(text);
  });
});
