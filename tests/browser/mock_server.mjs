// A stand-in for `pareto serve` for developing the web app on a build without the server:
// it serves web/src and answers the /api/v1 routes the app uses, in the shapes of the
// server contract (docs/dashboard.md), with data from a real lakehouse read through the
// pareto command line (`pareto --json sql`, `dag`, `runs`, `models`, `lineage`, `tables`). Every query
// therefore passes the same read-only SQL session as `pareto sql`.
//
// node mock_server.mjs --binary build-dev/pareto --lakehouse DIR --port 8089 --token T
// The browser tests use it only when PARETO_BROWSER_MOCK=1; they run against `pareto serve`.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import YAML from 'yaml';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const binary = resolve(arg('binary', process.env.PARETO_BINARY || 'build-dev/pareto'));
const lakehouse = resolve(arg('lakehouse', 'lakehouse'));
const project = resolve(arg('project', join(root, 'pipelines', 'olist')));
const port = Number(arg('port', '8089'));
const token = arg('token', 'dev-token');
const dist = resolve(arg('dist', join(root, 'web', 'src')));

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json' };

async function pareto(args) {
  try {
    const { stdout } = await run(binary, ['--lakehouse', lakehouse, '--project', project, '--json', ...args], { cwd: root, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = new Error((e.stderr || e.message).trim().split('\n').pop());
    err.exitCode = e.code;
    throw err;
  }
}

// `pareto --json sql` prints one JSON object per row; the column types are inferred here
// (the real server reports DuckDB's).
async function sql(text, maxRows = 10000) {
  const started = Date.now();
  const out = await pareto(['sql', text]);
  const all = out.split('\n').filter(Boolean).map(l => JSON.parse(l));
  const rows = all.slice(0, maxRows);
  const names = rows.length ? Object.keys(rows[0]) : [];
  const columns = names.map(name => {
    const v = rows.find(r => r[name] !== null)?.[name];
    const type = typeof v === 'number' ? (Number.isInteger(v) ? 'BIGINT' : 'DOUBLE')
      : typeof v === 'boolean' ? 'BOOLEAN'
      : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? 'DATE'
      : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? 'TIMESTAMP' : 'VARCHAR';
    return { name, type };
  });
  return { columns, rows, truncated: all.length > rows.length, elapsed_ms: Date.now() - started };
}

// Commands that list things print one JSON object per line.
const jsonLines = out => out.split('\n').filter(Boolean).map(l => JSON.parse(l));

const quote = s => `'${String(s).replace(/'/g, "''")}'`;

function dashboard() {
  return YAML.parse(readFileSync(join(project, 'dashboard.yaml'), 'utf8'));
}

const routes = [
  ['GET', /^\/api\/v1\/dashboard$/, async () => {
    const d = dashboard();
    return { pages: d.pages.map(p => ({ ...p, panels: (p.panels || []).map(({ sql: _, ...rest }) => rest) })) };
  }],
  ['GET', /^\/api\/v1\/dashboard\/panels\/([\w-]+)$/, async ([id], url) => {
    for (const p of dashboard().pages) for (const panel of p.panels || []) {
      if (panel.id !== id) continue;
      let text = panel.sql;
      for (const [k, v] of url.searchParams) text = text.replaceAll(`:${k}`, quote(v));
      return { id, ...(await sql(text)) };
    }
    throw Object.assign(new Error(`no panel ${id}`), { status: 404, code: 'not_found' });
  }],
  ['POST', /^\/api\/v1\/sql$/, async (_, url, body) => {
    const req = JSON.parse(body || '{}');
    try {
      return await sql(req.sql, req.max_rows || 1000);
    } catch (e) {
      throw Object.assign(e, { status: 400, code: /read-only|refus|not allowed|only|Permission Error|disabled/i.test(e.message) ? 'sql_refused' : 'sql_error' });
    }
  }],
  ['GET', /^\/api\/v1\/customers\/([^/]+)$/, async ([id]) => {
    const r = await sql(`SELECT * FROM gold.gld_customer_scores WHERE customer_unique_id = ${quote(decodeURIComponent(id))}`);
    if (!r.rows.length) throw Object.assign(new Error('no such person'), { status: 404, code: 'not_found' });
    const scores = r.rows[0];
    const drivers = [1, 2, 3].filter(i => scores[`driver_${i}`]).map(i => ({ feature: scores[`driver_${i}`], value: null, contribution: scores[`driver_${i}_effect`] }));
    return { customer_unique_id: scores.customer_unique_id, scores, drivers };
  }],
  ['GET', /^\/api\/v1\/models$/, async () => jsonLines(await pareto(['models']))],
  ['GET', /^\/api\/v1\/models\/([^/]+)\/versions\/(\d+)$/, async ([name, v]) => JSON.parse(await pareto(['models', 'show', v, '--model', decodeURIComponent(name)]))],
  ['GET', /^\/api\/v1\/pipeline\/dag$/, async () => {
    const dag = JSON.parse(await pareto(['dag']));
    const runs = JSON.parse(await pareto(['runs', '--limit', '1']));
    if (runs.length) {
      const last = JSON.parse(await pareto(['runs', 'show', String(runs[0].id)]));
      const status = new Map(last.tasks.map(t => [t.task, t.status]));
      for (const n of dag.nodes) n.status = status.get(n.name) ?? status.get(`olist.${n.name}`) ?? 'unknown';
    }
    return dag;
  }],
  ['GET', /^\/api\/v1\/runs$/, async () => JSON.parse(await pareto(['runs']))],
  ['GET', /^\/api\/v1\/runs\/(\d+)$/, async ([id]) => JSON.parse(await pareto(['runs', 'show', id]))],
  ['GET', /^\/api\/v1\/tables$/, async () => jsonLines(await pareto(['tables']))],
  ['GET', /^\/api\/v1\/lineage$/, async () => {
    // The graph from `pareto tables` and each table's `pareto lineage --columns` (names in the catalog made full).
    const tables = (await pareto(['tables'])).split('\n').filter(Boolean).map(l => JSON.parse(l));
    const full = n => (n.split('.').length === 3 ? n : `${tables[0]?.catalog ?? 'olist'}.${n}`);
    const nodes = [];
    const edges = [];
    for (const t of tables) {
      // `pareto lineage` knows the SQL models' graph; a table outside it (the ML tables) has none there.
      const l = JSON.parse(await pareto(['lineage', t.name, '--columns']).catch(() => '{}'));
      const columns = {};
      for (const c of l.columns || []) {
        // "catalog.schema.table.column", or without the catalog.
        columns[c.column] = (c.from || []).map(f => {
          const parts = f.split('.');
          if (parts.length < 4) parts.unshift(t.catalog);
          return { table: parts.slice(0, 3).join('.'), column: parts.slice(3).join('.') };
        });
      }
      nodes.push({ name: t.name, layer: t.schema, registered: true, columns });
      for (const u of l.upstream || []) edges.push({ from: full(u), to: t.name });
    }
    return { nodes, edges: edges.filter(e => nodes.some(n => n.name === e.from)) };
  }],
  ['GET', /^\/api\/v1\/tables\/([^/]+)$/, async ([name]) => {
    const n = decodeURIComponent(name);
    const [schema, lineage] = await Promise.all([pareto(['describe', n]), pareto(['lineage', n, '--columns']).catch(() => 'null')]);
    return { ...JSON.parse(schema), lineage: JSON.parse(lineage) };
  }],
];

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(type === 'application/json' ? JSON.stringify(body) : body);
}
const fail = (res, status, code, message) => send(res, status, { error: { code, message } });

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const path = url.pathname;
  const started = Date.now();
  res.on('finish', () => console.log(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`));
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (req.method === 'GET' && (path === '/' || path === '/index.html' || path.startsWith('/assets/'))) {
    const file = normalize(join(dist, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) return fail(res, 404, 'not_found', `no file ${path}`);
    return send(res, 200, readFileSync(file), TYPES[extname(file)] || 'application/octet-stream');
  }
  if (req.headers.authorization !== `Bearer ${token}`) return fail(res, 401, 'unauthorized', 'a bearer token is needed: open the URL pareto serve printed');
  let body = '';
  for await (const chunk of req) body += chunk;
  const matching = routes.filter(([, re]) => re.test(path));
  if (!matching.length) return fail(res, 404, 'not_found', `no route ${path}`);
  const route = matching.find(([m]) => m === req.method);
  if (!route) return fail(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
  try {
    send(res, 200, await route[2](path.match(route[1]).slice(1), url, body));
  } catch (e) {
    fail(res, e.status || 500, e.code || 'internal', e.message);
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`Dashboard: http://127.0.0.1:${server.address().port}/#token=${token}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
