/**
 * Every generated compose.yaml validates against the Compose specification's JSON Schema (the copy
 * dclint ships), so Compose and other tools accept it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { COMPOSE_FILE } from '../../../src/generate/compose.js';
import { generateFiles } from '../../../src/generate/index.js';
import { CONFIG_VARIANTS, TEST_CONTEXT, variantConfig } from '../../fixtures/config-variants.js';

// dclint's exports hide the file; find it beside its package.json.
const dclintRoot = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
const schemaPath = join(dclintRoot, 'schemas/compose.schema.json');
const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<
  string,
  unknown
>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe.each(Object.keys(CONFIG_VARIANTS))('compose.yaml (%s)', (variant) => {
  it('is valid under the Compose specification schema', () => {
    const file = generateFiles(variantConfig(variant), TEST_CONTEXT).find((f) => f.path === COMPOSE_FILE);
    const compose: unknown = parseYaml(file?.content ?? '');
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});

describe('the schema check itself', () => {
  it('rejects what Compose rejects', () => {
    expect(validate({ services: { a: { imagee: 'x' } } })).toBe(false);
    expect(validate({ secrets: { a: { flie: 'x' } } })).toBe(false);
    expect(validate({ services: { a: { secrets: 'token' } } })).toBe(false);
  });
});
