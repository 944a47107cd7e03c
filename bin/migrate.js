#!/usr/bin/env node
// dist/migrate.mjs is the bundled CLI (npm run build; its commands and engines load from dist/chunks/ on first use): it starts faster than the module tree
import { main } from '../dist/migrate.mjs';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    if (process.env.MIGRATE_LOG === 'debug') {
      // what keeps the process alive once the command is done (a connection left open is a bug)
      setTimeout(() => {
        const handles = process._getActiveHandles().map((h) => `${h.constructor.name}${h.remotePort ? `:${h.remotePort}` : ''}`);
        console.error(`debug still open after the command: ${handles.join(', ')}`);
      }, 2000).unref();
    }
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
