// Bundles the CLI into dist/cli/ with esbuild (run by `npm run build` after tsc). One file per command's code,
// split where the CLI imports lazily: Node resolves and reads a handful of files instead of hundreds (zod, execa),
// which is most of the start-up cost (README, "Performance"). tsc's dist/src stays the programmatic API and types.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
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

const result = await build({
  entryPoints: { main: 'src/cli/main.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  // Readable names in --debug stack traces; whitespace and syntax minification still shrink what Node parses.
  minifyWhitespace: true,
  minifySyntax: true,
  // No source maps: names stay readable (no identifier minification) and the package stays small.
  sourcemap: false,
  metafile: true,
  legalComments: 'none',
  // node-cron finds its own files next to itself (import.meta.url); the monitor is long-running, so its start-up
  // cost does not matter. systeminformation is CommonJS with dynamic requires.
  external: ['node-cron', 'systeminformation'],
  // Bundled CommonJS packages (plist, xmlbuilder, @xmldom) call require() for Node built-ins.
  banner: { js: "import { createRequire as __lotusctlCreateRequire } from 'node:module'; const require = __lotusctlCreateRequire(import.meta.url);" },
  plugins: [plistPerImporter],
  logLevel: 'warning',
});

// Which source modules ended up in which output file (outside dist/cli, so not in the package):
// test/cli/lazy-loading.test.ts maps loaded files back to them.
writeFileSync('dist/cli-meta.json', JSON.stringify(result.metafile));
chmodSync('dist/cli/main.js', 0o755);
