import { readFileSync } from 'node:fs';
import type { PlanDocument } from '../plan/plan-document.js';
import { CliError } from './exit-codes.js';

/** A plan saved by `migrate plan -out FILE`; anything else ends the command with exit 1. */
export function readPlanFile(path: string): PlanDocument {
  let doc: PlanDocument;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as PlanDocument;
  } catch (err) {
    throw new CliError(`cannot read plan file ${path}: ${(err as Error).message}`);
  }
  if (doc.formatVersion !== 1 || !Array.isArray(doc.actions))
    throw new CliError(`${path} is not a plan saved by \`migrate plan -out\``);
  return doc;
}
