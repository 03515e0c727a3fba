// Bundles src/dashboard.js into ../wwwroot/js/dashboard.js (an ES module, with the graph and the timeline in
// chunks loaded on first use) and copies elkjs's worker script beside it. Run by the Luigi.Web build
// (Luigi.Web.csproj), or by hand with `npm run build`; `--production` leaves the source maps out.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'wwwroot', 'js');
const production = process.argv.includes('--production');

await mkdir(out, { recursive: true });
for (const name of await readdir(out)) {
  if (name.startsWith('dashboard') || name.startsWith('elk-worker')) await rm(join(out, name));
}
await build({
  entryPoints: [join(here, 'src', 'dashboard.js')],
  outdir: out,
  entryNames: '[name]',
  chunkNames: 'dashboard-[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  sourcemap: production ? false : 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(join(here, 'node_modules', 'elkjs', 'lib', 'elk-worker.min.js'), join(out, 'elk-worker.min.js'));
