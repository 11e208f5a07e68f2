/** Walking the config schema by path: for env-variable names, "did you mean" and the docs. */
import type { z } from 'zod';

export type AnySchema = z.core.$ZodType;

export interface SchemaDef {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  in?: AnySchema;
}

/** The definition under optional/default/prefault/pipe wrappers. */
export function unwrapDef(schema: AnySchema): SchemaDef {
  let def = schema._zod.def as SchemaDef;
  for (;;) {
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) return def;
    def = next._zod.def as SchemaDef;
  }
}

/** The schema at `path` (array indices step into the element), or undefined. */
export function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let schema: AnySchema | undefined = root;
  for (const segment of path) {
    if (!schema) return undefined;
    const def = unwrapDef(schema);
    if (def.type === 'object' && typeof segment === 'string') schema = def.shape?.[segment];
    else if (def.type === 'array' && typeof segment === 'number') schema = def.element;
    else if (def.type === 'record') schema = def.valueType;
    else return undefined;
  }
  return schema;
}

/** Keys of the object schema at `path`, or none. */
export function keysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  const schema = schemaAt(root, path);
  const def = schema ? unwrapDef(schema) : undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}
