import '../model/zod-config.js';
import * as z from 'zod';
import { specSchema } from './schema.js';

/** The JSON Schema of lotus.yaml, generated from the zod schema; specs/lotus.schema.json is this, checked in. */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  // draft-07: the dialect editors' YAML language servers support best.
  return { ...schema, $id: 'https://lotusctl.dev/schemas/lotus.schema.json', title: 'lotus.yaml' };
}

export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
