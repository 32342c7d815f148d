import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function def(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schemas that a value at `path` may be checked against (several under a union). */
function objectsAt(schema: z.ZodType, path: readonly (string | number)[]): Def[] {
  const d = def(schema);
  switch (d.type) {
    case 'optional': case 'default': case 'prefault': case 'nullable': case 'readonly': case 'catch':
      return d.innerType ? objectsAt(d.innerType, path) : [];
    case 'pipe':
      return d.in ? objectsAt(d.in, path) : [];
    case 'union':
      return (d.options ?? []).flatMap((o) => objectsAt(o, path));
    default:
      break;
  }
  if (path.length === 0) return d.type === 'object' ? [d] : [];
  const [head, ...rest] = path;
  if (d.type === 'object' && typeof head === 'string' && d.shape?.[head]) return objectsAt(d.shape[head], rest);
  if (d.type === 'record' && d.valueType) return objectsAt(d.valueType, rest);
  if (d.type === 'array' && d.element) return objectsAt(d.element, rest);
  return [];
}

/** The keys allowed in the object at `path` of the schema (for did-you-mean on unknown keys). */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {})))];
}

/** Every field path of the schema, `<name>` standing for a user-chosen key (for documentation checks). */
export function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const d = def(schema);
  switch (d.type) {
    case 'optional': case 'default': case 'prefault': case 'nullable': case 'readonly': case 'catch':
      return d.innerType ? fieldPaths(d.innerType, prefix) : [];
    case 'union':
      return [...new Set((d.options ?? []).flatMap((o) => fieldPaths(o, prefix)))];
    case 'record':
      return d.valueType ? fieldPaths(d.valueType, `${prefix}.<name>`) : [];
    case 'array':
      return d.element ? fieldPaths(d.element, `${prefix}[]`) : [];
    case 'object':
      return Object.entries(d.shape ?? {}).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        return [p, ...fieldPaths(v, p)];
      });
    default:
      return [];
  }
}
