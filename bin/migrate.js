#!/usr/bin/env node
// dist/migrate.mjs is the whole CLI in one module (npm run build): it starts faster than the module tree
import { main } from '../dist/migrate.mjs';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
