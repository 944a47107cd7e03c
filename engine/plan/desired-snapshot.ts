import type { SourceLocation } from '../diagnostics/diagnostic.js';
import type { JobConfigRecord, ProfileRecord } from '../../state/state-document.js';

/**
 * The declaration reduced to what state records (secrets as references and
 * fingerprints), plus where each item was declared. The planner's only view of
 * the YAML; building it is the impure step (secrets are fingerprinted).
 */
export interface DesiredSnapshot {
  profiles: Record<string, ProfileRecord & { location?: SourceLocation }>;
  jobs: Record<string, JobConfigRecord & { location?: SourceLocation }>;
}
