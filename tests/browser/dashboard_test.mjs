// End-to-end test of the dashboard in a real browser (Debian's chromium, driven by
// playwright-core): builds a lakehouse from generated data, starts `pareto serve` on it,
// opens every page at laptop and phone widths, checks that every panel draws (no console
// errors, charts have marks, figures match the gold tables read through `pareto sql`), runs
// a query from the SQL editor, looks a customer up, and saves full-page screenshots.
//
// Environment:
//   PARETO_BINARY         the pareto binary (required)
//   PARETO_BROWSER_ARTIFACTS  where screenshots go (default: <cwd>/browser-artifacts)
//   PARETO_BROWSER_MOCK=1 serve with tests/browser/mock_server.mjs instead of `pareto serve`
//                         (for developing the app on a build without the server)
//   PARETO_BROWSER_LAKEHOUSE  reuse a built lakehouse instead of generating one
//   CHROMIUM              the browser (default /usr/bin/chromium)
// Exit codes: 0 passed, 1 failed, 77 skipped (what is needed to run is missing; said why).
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const SKIP = 77;

function skip(why) {
  console.log(`SKIPPED: ${why}`);
  process.exit(SKIP);
}

const binary = process.env.PARETO_BINARY && resolve(process.env.PARETO_BINARY);
if (!binary || !existsSync(binary)) skip('PARETO_BINARY does not name a pareto binary');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) skip(`no browser at ${chromium} (make test installs Debian's chromium)`);
let playwright;
try {
  playwright = await import('playwright-core');
} catch {
  skip('playwright-core is not installed (make test runs npm ci in tests/browser)');
}
const { formatValue } = await import(join(root, 'web', 'src', 'assets', 'format.js'));

const useMock = process.env.PARETO_BROWSER_MOCK === '1';
if (!useMock) {
  // `pareto --help` lists the subcommands, one per line ("  serve   ...").
  const help = await exec(binary, ['--help']).catch(e => e);
  if (!/^\s+serve\s/m.test(help.stdout || '')) skip('this pareto has no `serve` command yet (PARETO_BROWSER_MOCK=1 tests the app against the mock server)');
}

const artifacts = resolve(process.env.PARETO_BROWSER_ARTIFACTS || join(process.cwd(), 'browser-artifacts'));
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'pareto-browser-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

async function pareto(lakehouse, args) {
  const { stdout } = await exec(binary, ['--lakehouse', lakehouse, '--project', join(root, 'pipelines', 'olist'), ...args],
                                { cwd: root, maxBuffer: 64 << 20 });
  return stdout;
}
async function sqlRows(lakehouse, text) {
  return (await pareto(lakehouse, ['--json', 'sql', text])).split('\n').filter(Boolean).map(l => JSON.parse(l));
}

// Shows page id and waits until the app has drawn it (every card settled).
async function openPage(page, id) {
  const before = await page.evaluate(() => Number(document.querySelector('main').dataset.render || 0));
  await page.evaluate(h => { location.hash = h; }, `#/${id}`);
  await page.waitForFunction(([n, want]) => {
    const m = document.querySelector('main');
    return Number(m.dataset.render || 0) > n && m.dataset.page === want && m.dataset.ready === 'true';
  }, [before, id], { timeout: 90000 });
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

async function waitHealthy(base, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('the server did not answer /healthz within 60 s');
}

let server;
let browser;
try {
  // 1. A lakehouse from generated data: every page has rows to draw, the model page a model.
  let lakehouse = process.env.PARETO_BROWSER_LAKEHOUSE && resolve(process.env.PARETO_BROWSER_LAKEHOUSE);
  if (!lakehouse) {
    lakehouse = join(work, 'lakehouse');
    const gen = join(work, 'gen');
    console.log('generating data and building the lakehouse…');
    await exec(binary, ['generate', '--scale', '0.02', '--seed', '7', '--out', gen], { cwd: root });
    await pareto(lakehouse, ['run', '--source', gen, '--quiet']);
    // The future-value model's out-of-time evaluation, registered with it (the Model page draws it).
    await pareto(lakehouse, ['train', '--evaluate']);
    // `pareto run` trains the future-value model; the Model page's registered versions, their
    // curves and baselines come from `pareto train` (one protocol, one model kind: quick).
    await pareto(lakehouse, ['train', '--protocol', 'seed', '--models', 'lr']);
    await pareto(lakehouse, ['models', 'promote', '1']);
  }

  // 2. The server.
  const port = await freePort();
  // The real server accepts only tokens of the lakehouse (`pareto token create`); the mock any.
  const token = useMock
    ? `browser-test-${process.pid}`
    : JSON.parse(await pareto(lakehouse, ['--json', 'token', 'create', '--name', `browser-test-${process.pid}`])).token;
  const base = `http://127.0.0.1:${port}`;
  const args = useMock
    ? [join(here, 'mock_server.mjs'), '--binary', binary, '--lakehouse', lakehouse, '--port', String(port), '--token', token]
    : ['--lakehouse', lakehouse, '--project', join(root, 'pipelines', 'olist'), 'serve', '--port', String(port), '--bind', '127.0.0.1', '--token', token, '--no-schedule'];
  server = spawn(useMock ? process.execPath : binary, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  server.stdout.on('data', d => { serverLog += d; });
  server.stderr.on('data', d => { serverLog += d; });
  await waitHealthy(base, server);
  console.log(`server up on ${base} (${useMock ? 'mock' : 'pareto serve'})`);
  const unauthorized = await fetch(`${base}/api/v1/dashboard`);
  check(unauthorized.status === 401, `an API call without a token gets 401 (got ${unauthorized.status})`);
  const dashboard = await (await fetch(`${base}/api/v1/dashboard`, { headers: { Authorization: `Bearer ${token}` } })).json();
  check(Array.isArray(dashboard.pages) && dashboard.pages.length >= 3, 'GET /api/v1/dashboard lists the pages of dashboard.yaml');
  const pageIds = [...new Set([...dashboard.pages.map(p => p.id), 'model', 'pipeline', 'sql'])];

  // 3. The browser.
  browser = await playwright.chromium.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
  const widths = [{ name: 'laptop', width: 1280, height: 900 }, { name: 'phone', width: 390, height: 844 }];
  for (const size of widths) {
    const context = await browser.newContext({ viewport: { width: size.width, height: size.height } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', e => consoleErrors.push(String(e)));
    await page.goto(`${base}/#token=${token}`);
    await page.waitForFunction(() => !location.hash.includes('token='));
    check(!page.url().includes(token), `${size.name}: the token leaves the address bar`);

    for (const id of pageIds) {
      const before = consoleErrors.length;
      await openPage(page, id);
      const cards = await page.$$eval('main .card[data-panel]', els => els.map(e => ({
        id: e.dataset.panel, state: e.dataset.state, marks: e.dataset.marks === undefined ? null : Number(e.dataset.marks),
        text: e.querySelector('.body').innerText.slice(0, 160),
      })));
      const yamlPanels = (dashboard.pages.find(p => p.id === id)?.panels || []);
      for (const panel of yamlPanels) {
        const c = cards.find(x => x.id === panel.id);
        check(c && c.state === 'ready', `${size.name} ${id}/${panel.id}: drawn (state ${c && c.state}${c && c.state !== 'ready' ? `: ${c.text}` : ''})`);
        if (c && (panel.kind || 'chart') === 'chart') check(c.marks > 0, `${size.name} ${id}/${panel.id}: the chart has marks (${c.marks})`);
      }
      const blank = cards.filter(c => c.state === 'ready' && c.marks === 0);
      check(blank.length === 0, `${size.name} ${id}: every drawn chart has marks${blank.length ? ': not ' + blank.map(b => b.id).join(', ') : ''}`);
      const broken = cards.filter(c => c.state === 'error');
      check(broken.length === 0, `${size.name} ${id}: no card in an error state${broken.length ? ': ' + broken.map(b => `${b.id} (${b.text})`).join('; ') : ''}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 1, `${size.name} ${id}: the page fits the width (overflow ${overflow}px)`);
      await page.screenshot({ path: join(artifacts, `${id}-${size.name}.png`), fullPage: true });
      check(consoleErrors.length === before, `${size.name} ${id}: no console errors${consoleErrors.length > before ? ': ' + consoleErrors.slice(before).join(' | ') : ''}`);
    }

    if (size.name !== 'laptop') { await context.close(); continue; }

    // 4. Figures against the gold tables, read through `pareto sql` (not through the server).
    await openPage(page, 'overview');
    const [totals] = await sqlRows(lakehouse, 'SELECT sum(revenue) AS revenue, sum(revenue_orders) AS orders FROM gold.gld_daily_revenue');
    const kpi = async col => page.$eval(`[data-panel="overview_kpis"] .kpi[data-column="${col}"] .kpi-value`, e => ({ text: e.textContent, exact: e.title }));
    const revenue = await kpi('revenue');
    check(revenue.exact === formatValue(totals.revenue, 'brl', { exact: true }) && revenue.text === formatValue(totals.revenue, 'brl'),
          `overview: total revenue shows ${revenue.text} (${revenue.exact}); gold.gld_daily_revenue sums to ${totals.revenue}`);
    const orders = await kpi('orders');
    check(orders.text === formatValue(totals.orders, 'int'), `overview: revenue orders show ${orders.text}; gold has ${totals.orders}`);
    const [months] = await sqlRows(lakehouse, 'SELECT count(*) AS n FROM gold.gld_monthly_revenue');
    const barMarks = await page.$eval('[data-panel="orders_by_month"]', e => Number(e.dataset.marks));
    check(barMarks === months.n, `overview: orders_by_month draws one bar per month of gold.gld_monthly_revenue (${barMarks} bars, ${months.n} months)`);
    const lineBefore = await page.$eval('[data-panel="revenue_by_month"]', e => Number(e.dataset.marks));
    await page.check('[data-panel="revenue_by_month"] input[type="checkbox"]');
    await page.waitForTimeout(300);
    const lineAfter = await page.$$eval('[data-panel="revenue_by_month"] svg g.role-mark', gs => gs.filter(g => !g.closest('.role-axis, .role-legend')).reduce((n, g) => n + g.children.length, 0));
    check(lineAfter > lineBefore, `overview: the reference toggle adds the inflated series (${lineBefore} -> ${lineAfter} marks)`);
    await page.screenshot({ path: join(artifacts, 'overview-reference-toggle.png'), fullPage: true });
    // The map: a shape per state (the map file's boundaries found for every code), and the
    // state with the most revenue in gold carries its figure in R$.
    const shapes = await page.$$eval('[data-panel="revenue_by_state_map"] svg g.mark-shape.role-mark path',
      ps => ps.map(p => ({ d: (p.getAttribute('d') || '').length, label: p.getAttribute('aria-label') || '' })));
    check(shapes.length === 27 && shapes.every(s => s.d > 50), `overview: the map of Brazil draws 27 state shapes (${shapes.length}, ${shapes.filter(s => s.d > 50).length} with an outline)`);
    const [topState] = await sqlRows(lakehouse, 'SELECT customer_state AS state, CAST(revenue AS DOUBLE) AS revenue FROM gold.gld_state_performance ORDER BY revenue DESC LIMIT 1');
    const brl = 'R$ ' + new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(topState.revenue);
    const topShape = shapes.find(s => s.label.includes(`State: ${topState.state};`));
    check(!!topShape && topShape.label.includes(brl), `overview: the map's ${topState.state} shows ${brl} (${topShape ? topShape.label : 'no shape'})`);

    // 5. The SQL editor: a query, its rows against `pareto sql`, then a refused statement.
    await openPage(page, 'sql');
    const query = 'SELECT customer_state, count(*) AS persons FROM gold.gld_customer_metrics GROUP BY customer_state ORDER BY persons DESC, customer_state';
    await page.fill('#sql-text', query);
    await page.click('form.sql-form button[type="submit"]');
    await page.waitForSelector('[data-panel="sql_result"][data-state="ready"]', { timeout: 30000 });
    await page.waitForSelector('[data-panel="sql_chart"][data-state="ready"]', { timeout: 30000 });
    const expected = await sqlRows(lakehouse, query);
    const shown = await page.$$eval('[data-panel="sql_result"] tbody tr', trs => trs.map(tr => [...tr.cells].map(td => td.textContent)));
    check(shown.length === expected.length && shown[0][0] === expected[0].customer_state && shown[0][1] === formatValue(expected[0].persons),
          `sql: the editor shows ${shown.length} rows, first ${JSON.stringify(shown[0])}; pareto sql gives ${expected.length}, first ${JSON.stringify(expected[0])}`);
    const chartMarks = await page.$eval('[data-panel="sql_chart"]', e => Number(e.dataset.marks));
    check(chartMarks === expected.length, `sql: the quick chart draws a bar per row (${chartMarks})`);
    await page.screenshot({ path: join(artifacts, 'sql-query.png'), fullPage: true });
    await page.fill('#sql-text', "SELECT * FROM read_csv('/etc/passwd')");
    await page.click('form.sql-form button[type="submit"]');
    await page.waitForSelector('[data-panel="sql_result"][data-state="error"]', { timeout: 30000 });
    const refusal = await page.$eval('[data-panel="sql_result"] .status', e => e.textContent);
    check(/sql_refused/.test(refusal), `sql: reading a file by path is refused in the editor (${refusal})`);

    // 7. The lineage graph on the Pipeline page: a node per table and an edge per recorded
    // lineage, as GET /api/v1/lineage answers; a click on a table shows its column lineage.
    await openPage(page, 'pipeline');
    const lineage = await (await fetch(`${base}/api/v1/lineage`, { headers: { Authorization: `Bearer ${token}` } })).json();
    await page.waitForSelector('[data-panel="lineage_graph"][data-state="ready"]', { timeout: 30000 });
    const drawn = await page.$eval('[data-panel="lineage_graph"]', e => ({
      nodes: Number(e.dataset.nodes), edges: Number(e.dataset.edges),
      boxes: e.querySelectorAll('svg g.lineage-node').length, curves: e.querySelectorAll('svg path.lineage-edge').length,
      layers: [...new Set([...e.querySelectorAll('svg g.lineage-node')].map(g => g.dataset.layer))].sort(),
    }));
    check(lineage.nodes.length > 0 && lineage.edges.length > 0, `pipeline: GET /api/v1/lineage has nodes and edges (${lineage.nodes.length}, ${lineage.edges.length})`);
    check(drawn.nodes === lineage.nodes.length && drawn.boxes === lineage.nodes.length,
          `pipeline: the lineage graph draws a box per table (${drawn.boxes} boxes, ${lineage.nodes.length} in the API)`);
    check(drawn.edges === lineage.edges.length && drawn.curves === lineage.edges.length,
          `pipeline: the lineage graph draws an edge per lineage (${drawn.curves} edges, ${lineage.edges.length} in the API)`);
    check(['bronze', 'gold', 'silver'].every(l => drawn.layers.includes(l)), `pipeline: the graph has bronze, silver and gold tables (${drawn.layers.join(', ')})`);
    // Every edge points right: bronze before silver before gold.
    const backwards = await page.$$eval('[data-panel="lineage_graph"] svg path.lineage-edge', ps => ps.filter(p => {
      const m = p.getAttribute('d').match(/^M([\d.]+),[\d.]+ C.* ([\d.]+),[\d.]+$/);
      return !m || Number(m[2]) <= Number(m[1]);
    }).length);
    check(backwards === 0, `pipeline: every lineage edge points left to right (${backwards} do not)`);
    const withColumns = lineage.nodes.find(n => n.layer === 'gold' && Object.keys(n.columns || {}).length > 0);
    check(!!withColumns, 'pipeline: a gold table has column lineage in the API');
    if (withColumns) {
      await page.click(`[data-panel="lineage_graph"] g.lineage-node[data-table="${withColumns.name}"]`);
      await page.waitForSelector(`[data-panel="column_lineage"][data-table="${withColumns.name}"][data-state="ready"]`, { timeout: 30000 });
      const columnRows = await page.$$eval('[data-panel="column_lineage"] tbody tr', trs => trs.map(tr => [...tr.cells].map(td => td.textContent)));
      const [firstColumn, firstUps] = Object.entries(withColumns.columns)[0];
      const expectedUps = firstUps.map(u => `${u.table}.${u.column}`).join(', ');
      check(columnRows.length === Object.keys(withColumns.columns).length && columnRows[0][0] === firstColumn && columnRows[0][1] === expectedUps,
            `pipeline: clicking ${withColumns.name} lists its ${columnRows.length} columns' lineage (first ${JSON.stringify(columnRows[0])}; the API: ${firstColumn} <- ${expectedUps})`);
      const selected = await page.$$eval('[data-panel="lineage_graph"] g.lineage-node.selected', gs => gs.map(g => g.dataset.table));
      check(selected.length === 1 && selected[0] === withColumns.name, `pipeline: the clicked table is marked in the graph (${selected.join(', ')})`);
    }
    await page.locator('[data-panel="lineage_graph"]').screenshot({ path: join(artifacts, 'pipeline-lineage-graph.png') });
    await page.locator('[data-panel="column_lineage"]').screenshot({ path: join(artifacts, 'pipeline-column-lineage.png') });

    // 6. The customer lookup: the best-scored person, against gold.gld_customer_scores.
    const [person] = await sqlRows(lakehouse, 'SELECT customer_unique_id, repeat_probability FROM gold.gld_customer_scores ORDER BY repeat_probability DESC, customer_unique_id LIMIT 1');
    check(!!person, 'the lakehouse has scored persons (gold.gld_customer_scores)');
    if (person) {
      await openPage(page, 'model');
      // The future-value model's evaluation, each figure beside its baseline (when `train --evaluate` made one).
      const evaluationFile = join(lakehouse, '_models', 'future_value', 'evaluation.json');
      await page.waitForSelector('[data-panel="fv_summary"][data-state="ready"]', { timeout: 30000 });
      if (existsSync(evaluationFile)) {
        const evaluation = JSON.parse(readFileSync(evaluationFile, 'utf8'));
        await page.waitForSelector('[data-panel="fv_repeat"][data-state="ready"]', { timeout: 30000 });
        const repeatMarks = await page.$eval('[data-panel="fv_repeat"]', e => Number(e.dataset.marks));
        check(repeatMarks >= evaluation.repeat.length, `model: the repeat ROC-AUC chart draws each model and the baseline (${repeatMarks} marks, ${evaluation.repeat.length} rows)`);
        const repeatRows = await page.$$eval('[data-panel="fv_repeat_table"] tbody tr', trs => trs.map(tr => [...tr.cells].map(td => td.textContent)));
        const baselineRow = repeatRows.find(r => /^baseline/.test(r[0]));
        const expectedBaseline = evaluation.repeat.find(r => r.baseline);
        check(!!baselineRow && baselineRow[1] === formatValue(expectedBaseline.roc_auc), `model: the repeat table shows the baseline's ROC-AUC ${baselineRow && baselineRow[1]}; evaluation.json has ${expectedBaseline.roc_auc}`);
        await page.waitForSelector('[data-panel="fv_spend_deciles"][data-state="ready"]', { timeout: 30000 });
        const decileMarks = await page.$eval('[data-panel="fv_spend_deciles"]', e => Number(e.dataset.marks));
        check(decileMarks === 2 * evaluation.deciles.length, `model: the spend deciles draw predicted and actual per decile (${decileMarks} bars)`);
        const bgnbdState = await page.$eval('[data-panel="fv_bgnbd"]', e => e.dataset.state);
        check(evaluation.bgnbd_buckets.length ? bgnbdState === 'ready' : bgnbdState === 'empty', `model: BG/NBD expected vs actual is drawn when it has a fit (${bgnbdState})`);
      } else {
        const note = await page.$eval('[data-panel="fv_summary"] [data-field="evaluation_note"]', e => e.textContent);
        check(/train --evaluate/.test(note), `model: an unevaluated future-value model says how to evaluate it (${note})`);
      }
      // The high-value model's curves for the chosen version (from `pareto train`): each chart draws
      // a line per model (and the baseline when it has curves) beside its reference line.
      await page.waitForSelector('#hv-version', { timeout: 30000 });
      const hvVersion = await page.$eval('#hv-version', e => e.value);
      const hvMetrics = JSON.parse(readFileSync(join(lakehouse, '_models', 'high_value_customer', `v${hvVersion}`, 'metrics.json'), 'utf8'));
      const hvModels = hvMetrics.models.length;
      const baselineCurves = kind => (hvMetrics.baseline?.curves?.[kind]?.length ? 1 : 0);
      for (const [panel, kind] of [['hv_roc', 'roc'], ['hv_pr', 'pr'], ['hv_gains', 'gains']]) {
        await page.waitForSelector(`[data-panel="${panel}"]:not([data-state="loading"])`, { timeout: 30000 });
        const c = await page.$eval(`[data-panel="${panel}"]`, e => ({ state: e.dataset.state, marks: Number(e.dataset.marks) }));
        const lines = hvModels + baselineCurves(kind) + 1;
        check(c.state === 'ready' && c.marks >= lines, `model: ${panel} draws each model, the baseline's curve when it has one and the reference line (${c.state}, ${c.marks} marks, ${lines} expected)`);
      }
      await page.waitForSelector('[data-panel="hv_calibration"]:not([data-state="loading"])', { timeout: 30000 });
      const calibration = await page.$eval('[data-panel="hv_calibration"]', e => ({ state: e.dataset.state, marks: Number(e.dataset.marks) }));
      const bins = hvMetrics.models.reduce((n, m) => n + (m.calibration || []).length, 0);
      check(calibration.state === 'ready' && calibration.marks >= bins + hvModels + 1, `model: calibration draws a point per bin of each model, their lines and the diagonal (${calibration.marks} marks, ${bins} bins)`);
      const best = hvMetrics.models.find(m => m.model === hvMetrics.best) || hvMetrics.models[0];
      await page.waitForSelector('[data-panel="hv_drivers"]:not([data-state="loading"])', { timeout: 30000 });
      const globalDrivers = await page.$eval('[data-panel="hv_drivers"]', e => ({ state: e.dataset.state, marks: Number(e.dataset.marks) }));
      const expectedDrivers = Math.min(15, (best.drivers || []).length);
      check(expectedDrivers ? globalDrivers.state === 'ready' && globalDrivers.marks === expectedDrivers : globalDrivers.state === 'empty',
            `model: the global drivers of ${best.model} draw a bar per feature (${globalDrivers.state}, ${globalDrivers.marks} bars, ${expectedDrivers} expected)`);
      await page.screenshot({ path: join(artifacts, 'model-high-value-curves.png'), fullPage: true });
      await page.fill('#customer-id', person.customer_unique_id);
      await page.click('form.lookup button[type="submit"]');
      await page.waitForSelector('[data-panel="customer_scores"][data-state="ready"]', { timeout: 30000 });
      const probability = await page.$eval('[data-panel="customer_scores"] dd[data-field="repeat_probability"]', e => e.textContent);
      check(probability === formatValue(person.repeat_probability, 'percent'), `model: the lookup shows repeat probability ${probability}; gold has ${person.repeat_probability}`);
      await page.waitForSelector('[data-panel="customer_drivers"][data-state="ready"]', { timeout: 30000 });
      const driverMarks = await page.$eval('[data-panel="customer_drivers"]', e => Number(e.dataset.marks));
      check(driverMarks > 0, `model: the person's top drivers are drawn (${driverMarks} bars)`);
      await page.screenshot({ path: join(artifacts, 'model-customer-lookup.png'), fullPage: true });
      await page.fill('#customer-id', 'no-such-person');
      await page.click('form.lookup button[type="submit"]');
      await page.waitForSelector('[data-panel="customer_scores"][data-state="error"]', { timeout: 30000 });
    }
    // The refused query (400) and the unknown person (404) are the only failed requests.
    check(consoleErrors.every(e => /status of (400|404)/.test(e)),
          `no console errors in the interactions but the expected 400 and 404${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
    await context.close();

    // 8. A user who may SELECT one gold table: the panels over other tables say "Not permitted"
    // in their place (none fails), and the lineage graph holds only what they may see.
    if (!useMock) {
      const viewer = `viewer${process.pid}`;
      await pareto(lakehouse, ['user', 'add', viewer]);
      await pareto(lakehouse, ['grant', 'USE', 'CATALOG', 'ON', 'CATALOG', 'olist', 'TO', viewer]);
      await pareto(lakehouse, ['grant', 'USE_SCHEMA', 'ON', 'SCHEMA', 'olist.gold', 'TO', viewer]);
      await pareto(lakehouse, ['grant', 'SELECT', 'ON', 'TABLE', 'olist.gold.gld_monthly_revenue', 'TO', viewer]);
      const viewerToken = JSON.parse(await pareto(lakehouse, ['--json', 'token', 'create', '--name', viewer, '--user', viewer])).token;
      const vctx = await browser.newContext({ viewport: { width: size.width, height: size.height } });
      const vpage = await vctx.newPage();
      await vpage.goto(`${base}/#token=${viewerToken}`);
      await vpage.waitForFunction(() => !location.hash.includes('token='));
      await openPage(vpage, 'overview');
      const vcards = await vpage.$$eval('main .card[data-panel]', els => els.map(e => ({ id: e.dataset.panel, state: e.dataset.state, text: e.querySelector('.body').innerText })));
      const refused = vcards.filter(c => c.state === 'not-permitted');
      check(refused.length > 0 && refused.every(c => /^Not permitted/.test(c.text)),
            `viewer overview: panels over tables they may not see say "Not permitted" (${refused.map(c => c.id).join(', ')})`);
      check(vcards.some(c => c.id === 'orders_by_month' && c.state === 'ready'), 'viewer overview: the panel over their one table is drawn (orders_by_month)');
      check(vcards.every(c => c.state !== 'error'), `viewer overview: no panel fails (${vcards.filter(c => c.state === 'error').map(c => c.id).join(', ')})`);
      await vpage.screenshot({ path: join(artifacts, 'overview-viewer-not-permitted.png'), fullPage: true });
      await openPage(vpage, 'pipeline');
      const vlineage = await (await fetch(`${base}/api/v1/lineage`, { headers: { Authorization: `Bearer ${viewerToken}` } })).json();
      const vgraph = await vpage.$eval('[data-panel="lineage_graph"]', e => ({ state: e.dataset.state, tables: [...e.querySelectorAll('svg g.lineage-node')].map(g => g.dataset.table) }));
      check(JSON.stringify(vlineage.nodes.map(n => n.name)) === JSON.stringify(['olist.gold.gld_monthly_revenue']) &&
            JSON.stringify(vgraph.tables) === JSON.stringify(['olist.gold.gld_monthly_revenue']),
            `viewer pipeline: the lineage graph and GET /api/v1/lineage hold only their table (${vgraph.state}: ${vgraph.tables.join(', ')}; API ${vlineage.nodes.length} nodes, ${vlineage.edges.length} edges)`);
      await vctx.close();
    }
  }
  if (failures.length) console.log(`--- server log ---\n${serverLog.slice(-4000)}`);
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
  console.log(`FAIL ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise(r => { server.once('exit', r); setTimeout(r, 5000); });
  }
  if (!process.env.PARETO_BROWSER_KEEP) rmSync(work, { recursive: true, force: true });
}
console.log(`screenshots in ${artifacts}`);
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
