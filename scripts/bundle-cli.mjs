// Bundles the CLI into dist/cli/ with esbuild (run by `npm run build` after tsc). One file per command's code,
// split where the CLI imports lazily: Node resolves and reads a handful of files instead of hundreds (zod, execa),
// which is most of the start-up cost (README, "Performance"). tsc's dist/src stays the programmatic API and types.
// The split files are then turned into CommonJS (*.cjs), the only kind of module whose compiled code Node 20 can
// keep between runs (src/cli/compile-cache.ts); dist/cli/main.js, the executable, turns that cache on and loads them.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, transform } from 'esbuild';
import { fileURLToPath } from 'node:url';

// plist's index.js re-exports both its parser (with the XML DOM parser behind it) and its builder. esbuild's code
// splitting puts everything a shared index re-exports into one chunk, so `validate`, which only builds plists, would
// load the parser too. Each importer of 'plist' gets its own index with only the functions it names.
const plistDir = dirname(fileURLToPath(import.meta.resolve('plist')));
const PLIST_FILES = { parse: 'parse.js', parseBinary: 'parse-binary.js', parseOpenStep: 'parse-openstep.js', build: 'build.js', buildBinary: 'build-binary.js' };
/** The functions a module imports by name from 'plist', or undefined when it imports it any other way. */
function plistNamesImportedBy(file) {
  const source = readFileSync(file, 'utf8');
  const named = [...source.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]plist['"]/g)];
  const every = source.match(/['"]plist['"]/g) ?? [];
  if (named.length === 0 || named.length !== every.length) return undefined;
  const names = named
    .flatMap((m) => m[1].split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '' && !n.startsWith('type '))
    .map((n) => n.split(/\s+as\s+/)[0]);
  return names.every((n) => PLIST_FILES[n] !== undefined) ? names : undefined;
}

const plistPerImporter = {
  name: 'plist-per-importer',
  setup(b) {
    // Anything else (import * as, a default import, an export unknown here) gets the package as it is.
    b.onResolve({ filter: /^plist$/ }, (args) => (plistNamesImportedBy(args.importer) ? { path: args.importer, namespace: 'plist-per-importer' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'plist-per-importer' }, (args) => {
      const lines = plistNamesImportedBy(args.path).map((n) => `export { ${n} } from ${JSON.stringify(join(plistDir, PLIST_FILES[n]))};`);
      return { contents: lines.join('\n'), loader: 'js', resolveDir: plistDir };
    });
  },
};

rmSync('dist/cli', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Readable names in --debug stack traces; whitespace and syntax minification still shrink what Node parses.
  minifyWhitespace: true,
  minifySyntax: true,
  // No source maps: names stay readable (no identifier minification) and the package stays small.
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const result = await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist/cli',
  write: false,
  splitting: true,
  format: 'esm',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // node-cron finds its own files next to itself (import.meta.url); the monitor is long-running, so its start-up
  // cost does not matter. systeminformation is CommonJS with dynamic requires. Both stay import()s.
  external: ['node-cron', 'systeminformation'],
  plugins: [plistPerImporter],
});

// Each split ES module as CommonJS: its imports of other split files become require()s of the .cjs files, every
// import() a require() in a promise (as lazy as before; V8 cannot run an import() of code it took from the cache),
// import.meta.url this file's URL. Evaluation order is the same: esbuild emits the requires in import order at the
// top. Bundled CommonJS packages' require() of Node built-ins finds CommonJS's own require.
const cjsName = (p) => p.replace(/\.js$/, '.cjs');
mkdirSync('dist/cli', { recursive: true });
for (const f of result.outputFiles) {
  const r = await transform(f.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    minifyWhitespace: true,
    minifySyntax: true,
    define: { 'import.meta.url': '__lotusctlImportMetaUrl' },
    banner: "var __lotusctlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    logLevel: 'warning',
  });
  const code = r.code.replace(/\brequire\("\.\/([\w.-]+)\.js"\)/g, 'require("./$1.cjs")');
  if (/import\.meta|\bimport\(|require\("\.\/[^"]*\.js"\)/.test(code)) throw new Error(`bundle-cli: ${f.path} still uses import.meta or import(), or requires an ES module`);
  writeFileSync(cjsName(f.path), code);
}

// The executable, with the cache set-up, which loads dist/cli/cli.cjs: CommonJS too (dist/cli/package.json says so
// for its .js files), so that Node starts no ES module loader at all.
const bin = await build({
  ...common,
  entryPoints: { main: 'src/cli/bin.ts' },
  outdir: 'dist/cli',
  format: 'cjs',
  external: ['./cli.cjs'],
  define: { 'import.meta.url': '__lotusctlImportMetaUrl' },
  banner: { js: "var __lotusctlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
writeFileSync('dist/cli/package.json', `${JSON.stringify({ type: 'commonjs' })}\n`);

// Which source modules ended up in which output file (outside dist/cli, so not in the package):
// test/cli/lazy-loading.test.ts maps loaded files back to them.
const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([k, v]) => [cjsName(k), v]));
writeFileSync('dist/cli-meta.json', JSON.stringify({ inputs: { ...result.metafile.inputs, ...bin.metafile.inputs }, outputs: { ...outputs, ...bin.metafile.outputs } }));
chmodSync('dist/cli/main.js', 0o755);
