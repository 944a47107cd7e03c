import { describe, expect, it } from 'vitest';
import { ENGINE_KINDS } from '../../contract/declaration.js';
import { ENGINE_IS_DESTINATION, isSupportedEnginePair, providerFor } from '../../providers/provider-registry.js';

describe('provider registry', () => {
  it.each(ENGINE_KINDS)(
    '%s: whether it is a destination is known without loading it, and matches its provider',
    async (engine) => {
      const provider = await providerFor(engine);
      expect(provider.capabilities.destination !== false).toBe(ENGINE_IS_DESTINATION[engine]);
      expect(await providerFor(engine)).toBe(provider);
    },
  );

  it.each([
    ['postgres', 'postgres', true],
    ['mysql', 'mysql', true],
    ['mysql', 'postgres', true],
    ['sqlserver', 'postgres', true],
    ['oracle', 'postgres', true],
    ['oracle', 'oracle', false],
    ['postgres', 'mysql', false],
  ] as const)('%s → %s supported: %s', (s, d, ok) => {
    expect(isSupportedEnginePair(s, d)).toBe(ok);
  });
});
