import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specJsonSchemaText } from '../../src/spec/json-schema.js';
import { specSchema } from '../../src/spec/schema.js';
import { fieldPaths } from '../../src/spec/schema-walk.js';

const root = join(import.meta.dirname, '../..');

describe('specs/', () => {
  it('specs/lotus.schema.json is exactly what `lotusctl schema` prints (regenerate with npm run schema)', () => {
    expect(readFileSync(join(root, 'specs/lotus.schema.json'), 'utf8')).toBe(specJsonSchemaText());
  });

  it('specs/lotus-yaml.md documents every field of the schema', () => {
    const doc = readFileSync(join(root, 'specs/lotus-yaml.md'), 'utf8');
    const missing = fieldPaths(specSchema).filter((p) => !/\.(soft|hard)$/.test(p)).filter((p) => !doc.includes(`\`${p}\``));
    expect(missing).toEqual([]);
  });

  it('every lint code the validator emits is documented', () => {
    const doc = readFileSync(join(root, 'specs/lotus-yaml.md'), 'utf8');
    const src = ['lint.ts', 'semantic.ts', 'desired.ts'].map((f) => readFileSync(join(root, 'src/spec', f), 'utf8')).join('\n');
    const codes = [...new Set([...src.matchAll(/'(lint\.[a-z-]+)'/g)].map((m) => m[1]))];
    expect(codes.length).toBeGreaterThan(10);
    expect(codes.filter((c) => !doc.includes(`\`${c}\``))).toEqual([]);
  });

  it('the example spec points editors at the schema', () => {
    expect(readFileSync(join(root, 'lotus.yaml.example'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./specs/lotus.schema.json');
  });
});

describe('specs/lotus.schema.json in an independent validator (what editors use)', () => {
  it('accepts every example and rejects what validate rejects', async () => {
    const { Ajv } = await import('ajv');
    const { parse } = await import('yaml');
    const ajv = new Ajv({ strict: false, allErrors: true });
    const check = ajv.compile(JSON.parse(readFileSync(join(root, 'specs/lotus.schema.json'), 'utf8')));
    const { readdirSync } = await import('node:fs');
    const files = ['lotus.yaml.example', ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`)];
    for (const f of files) expect(check(parse(readFileSync(join(root, f), 'utf8'))), `${f}: ${ajv.errorsText(check.errors)}`).toBe(true);
    expect(check(parse('version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    exit_timout: 10s\n'))).toBe(false);
    expect(check(parse('version: 1\nservices:\n  daemon:\n    program: /bin/lotus\n    keep_alive: 3\n'))).toBe(false);
  });
});
