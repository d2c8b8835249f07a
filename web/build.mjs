// Puts the pinned chart libraries from node_modules/ (package.json) into src/assets/vendor/.
// `pareto serve` embeds src/ as it is (plain ES modules, no bundler): the app and these.
// Run with `npm ci && npm run build` (or `make web` at the top).
import { mkdirSync, rmSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, 'src', 'assets', 'vendor');
rmSync(vendor, { recursive: true, force: true });
mkdirSync(vendor, { recursive: true });
const libs = {
  'vega.min.js': 'vega/build/vega.min.js',
  'vega-lite.min.js': 'vega-lite/build/vega-lite.min.js',
  'vega-embed.min.js': 'vega-embed/build/vega-embed.min.js',
};
const versions = {};
for (const [out, from] of Object.entries(libs)) {
  const pkg = from.split('/')[0];
  // The source-map comment points at a file not shipped; leave it out so browsers do not ask.
  const text = readFileSync(join(here, 'node_modules', from), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(vendor, out), text);
  versions[pkg] = JSON.parse(readFileSync(join(here, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  copyFileSync(join(here, 'node_modules', pkg, 'LICENSE'), join(vendor, `${pkg}.LICENSE`));
}
writeFileSync(join(vendor, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
console.log(`web/src/assets/vendor holds ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
