// The Pipeline page: the task graph with each task's last status (GET /api/v1/pipeline/dag),
// the run history (GET /api/v1/runs), the newest run's tasks and data-quality results
// (GET /api/v1/runs/{id}), the lineage graph with each table's column lineage
// (GET /api/v1/lineage) and a table's details (GET /api/v1/tables/{name}).
import { api } from './api.js';
import { card, drawChart, drawTable, errorText, setState } from './charts.js';
import { columnsOf, renderJson } from './json_view.js';
import { columnLineageRows, drawLineage, selectInGraph } from './lineage_graph.js';

const STATUS_COLORS = {
  domain: ['succeeded', 'failed', 'skipped', 'running', 'retrying', 'upstream_failed', 'unknown'],
  range: ['#10b981', '#ef4444', '#9ca3af', '#2563eb', '#f59e0b', '#f97316', '#d1d5db'],
};

const listOf = (v, key) => (Array.isArray(v) ? v : v && Array.isArray(v[key]) ? v[key] : []);

// Nodes placed by depth (x: the longest chain of tasks before them, so every edge points
// right) and order within that depth (y); edges as lines between them.
export function dagRows(dag) {
  const nodes = listOf(dag, 'nodes');
  const names = new Set(nodes.map(n => n.name));
  const edges = listOf(dag, 'edges').filter(e => names.has(e.from) && names.has(e.to));
  const parents = new Map(nodes.map(n => [n.name, []]));
  for (const e of edges) parents.get(e.to).push(e.from);
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0;  // a cycle cannot happen in a task graph; stay safe anyway
    seen.add(name);
    const d = Math.max(-1, ...parents.get(name).map(p => depthOf(p, seen))) + 1;
    depth.set(name, d);
    return d;
  };
  const perDepth = new Map();
  const at = new Map();
  for (const n of nodes) {
    const x = depthOf(n.name);
    const y = perDepth.get(x) ?? 0;
    perDepth.set(x, y + 1);
    at.set(n.name, { x, y });
  }
  const points = nodes.map(n => ({
    name: n.name,
    label: String(n.name).split('.').pop(),
    kind: n.kind ?? '',
    layer: n.layer ?? '',
    status: n.status ?? n.last_status ?? (n.last_run && n.last_run.status) ?? 'unknown',
    x: at.get(n.name).x,
    y: at.get(n.name).y,
  }));
  const lines = edges.map(e => ({ from: e.from, to: e.to, x: at.get(e.from).x, y: at.get(e.from).y, x2: at.get(e.to).x, y2: at.get(e.to).y }));
  return { points, edges: lines, rowsNeeded: Math.max(1, ...perDepth.values()) };
}

async function dagPanel(grid) {
  const el = card(grid, { id: 'pipeline_dag', title: 'Task graph and last status', description: 'Each task of `pareto run`, left to right in the order they can run (a line joins a task to one it feeds); color is the status of its last run. Hover a node for details.' });
  el.classList.add('wide');
  let dag;
  try {
    dag = await api('/pipeline/dag');
  } catch (e) {
    setState(el, 'error', `Could not load the task graph: ${errorText(e)}`);
    return;
  }
  const { points, edges, rowsNeeded } = dagRows(dag);
  if (!points.length) {
    setState(el, 'empty', 'The pipeline has no tasks.');
    return;
  }
  const spec = {
    height: Math.max(200, rowsNeeded * 22),
    layer: [
      {
        data: { values: edges },
        mark: { type: 'rule', color: '#cbd5e1', strokeWidth: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative', axis: null, scale: { padding: 12 } },
          y: { field: 'y', type: 'quantitative', axis: null, scale: { reverse: true } },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      },
      {
        mark: { type: 'circle', size: 140, stroke: 'white', strokeWidth: 1, opacity: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative', scale: { reverse: true } },
          color: { field: 'status', type: 'nominal', title: 'Last status', scale: STATUS_COLORS, legend: { orient: 'bottom' } },
          tooltip: [{ field: 'name', title: 'Task' }, { field: 'kind', title: 'Kind' }, { field: 'layer', title: 'Layer' }, { field: 'status', title: 'Last status' }],
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 8, fontSize: 9, color: '#374151' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative', scale: { reverse: true } },
          text: { field: 'label' },
        },
      },
    ],
  };
  await drawChart(el, spec, { columns: [], rows: points });
}

async function runsPanels(grid) {
  const history = card(grid, { id: 'run_history', title: 'Run history', description: 'Duration of the latest runs, colored by outcome.' });
  const runsTable = card(grid, { id: 'run_table', title: 'Runs' });
  let runs;
  try {
    runs = listOf(await api('/runs'), 'runs');
  } catch (e) {
    setState(history, 'error', `Could not load the runs: ${errorText(e)}`);
    setState(runsTable, 'error', `Could not load the runs: ${errorText(e)}`);
    return null;
  }
  if (!runs.length) {
    setState(history, 'empty', 'No run yet: `pareto run` or POST /api/v1/runs starts one.');
    setState(runsTable, 'empty', 'No run yet.');
    return null;
  }
  const rows = runs.map(r => ({
    run: String(r.id),
    status: r.status,
    trigger: r.trigger,
    started: r.started_ms ? new Date(r.started_ms).toISOString().replace('T', ' ').slice(0, 19) : null,
    seconds: r.ended_ms && r.started_ms ? (r.ended_ms - r.started_ms) / 1000 : null,
    message: r.message,
  }));
  await drawChart(history, {
    mark: 'bar',
    encoding: {
      x: { field: 'run', type: 'ordinal', title: 'Run', sort: { field: 'started' }, axis: { labelAngle: 0 } },
      y: { field: 'seconds', type: 'quantitative', title: 'Duration (s)' },
      color: { field: 'status', type: 'nominal', title: 'Status', scale: STATUS_COLORS, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'run' }, { field: 'status' }, { field: 'trigger' }, { field: 'started', title: 'Started (UTC)' }, { field: 'seconds', type: 'quantitative', format: '.1f' }],
    },
  }, { columns: [], rows });
  drawTable(runsTable, { columns: columnsOf(rows), rows });
  return runs[0];
}

async function runDetail(grid, run) {
  const tasks = card(grid, { id: 'run_tasks', title: `Tasks of run ${run.id}`, description: 'Each task of the newest run: status, attempts, rows and the Delta version it wrote.' });
  const quality = card(grid, { id: 'data_quality', title: `Data quality of run ${run.id}`, description: 'Expectation results: rows that passed and failed each table\'s expectations.' });
  let detail;
  try {
    detail = await api(`/runs/${encodeURIComponent(run.id)}`);
  } catch (e) {
    setState(tasks, 'error', `Could not load run ${run.id}: ${errorText(e)}`);
    setState(quality, 'error', `Could not load run ${run.id}: ${errorText(e)}`);
    return;
  }
  const taskRows = (detail.tasks || []).map(t => ({
    task: t.task, status: t.status, attempts: t.attempts,
    seconds: t.ended_ms && t.started_ms ? (t.ended_ms - t.started_ms) / 1000 : null,
    rows_read: t.rows_read, rows_written: t.rows_written, delta_version: t.delta_version, message: t.message,
  }));
  if (taskRows.length) drawTable(tasks, { columns: columnsOf(taskRows), rows: taskRows });
  else setState(tasks, 'empty', 'The run recorded no task.');
  const checks = [];
  for (const t of detail.tasks || []) for (const e of t.expectations || []) checks.push({ table: t.task, ...e });
  if (!checks.length) {
    setState(quality, 'empty', 'The run checked no expectation.');
    return;
  }
  const rows = checks.map(c => ({ ...c, failed_share: (c.passed + c.failed) > 0 ? c.failed / (c.passed + c.failed) : 0 }));
  drawTable(quality, { columns: columnsOf(rows), rows }, { failed_share: 'percent', passed: 'int', failed: 'int' });
}

async function lineagePanel(grid, main) {
  const graphCard = card(grid, { id: 'lineage_graph', title: 'Lineage', description: 'Each table you may see, left to right from what it is computed from (bronze → silver → gold → scores), colored by layer. Click a table for its columns\' lineage.' });
  graphCard.classList.add('wide');
  const columnsCard = card(grid, { id: 'column_lineage', title: 'Column lineage', description: 'Each column of the chosen table and the upstream columns it is computed from.' });
  columnsCard.classList.add('wide');
  const pick = card(grid, { id: 'lineage', title: 'Table details', description: 'Pick a table to see its schema, versions and what it is computed from and feeds.' });
  pick.classList.add('wide');
  let tables;
  let graph;
  try {
    [tables, graph] = await Promise.all([api('/tables'), api('/lineage')]);
  } catch (e) {
    for (const c of [graphCard, columnsCard, pick]) setState(c, 'error', `Could not load the tables and their lineage: ${errorText(e)}`);
    return;
  }
  const names = [];
  const walk = v => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const full = v.full_name ?? v.name;
      if (typeof full === 'string' && (v.version !== undefined || v.row_count !== undefined || v.comment !== undefined)) {
        const qualified = full.split('.').length === 3 ? full : [v.catalog, v.schema, full].filter(Boolean).join('.');
        names.push(qualified);
      }
      Object.values(v).forEach(c => { if (c && typeof c === 'object') walk(c); });
    }
  };
  walk(tables);
  if (!names.length) {
    for (const c of [graphCard, columnsCard, pick]) setState(c, 'empty', 'No table is built yet: `pareto run` builds them.');
    return;
  }
  const body = setState(pick, 'ready');
  body.innerHTML = '<label>Table <select name="table"></select></label>';
  const select = body.querySelector('select');
  for (const n of [...new Set(names)].sort()) select.add(new Option(n, n));
  const preferred = names.find(n => n.endsWith('gold.gld_customer_metrics'));
  if (preferred) select.value = preferred;
  const details = document.createElement('div');
  details.className = 'grid';
  main.appendChild(details);
  let svg = null;
  const showColumns = name => {
    columnsCard.querySelector('h2').textContent = `Column lineage of ${name}`;
    const rows = columnLineageRows(graph, name);
    if (rows.length) drawTable(columnsCard, { columns: columnsOf(rows), rows });
    else setState(columnsCard, 'empty', `${name} has no recorded column lineage (a source table, or its SQL names no upstream column you may see).`);
    columnsCard.dataset.table = name;
  };
  const show = async () => {
    if (svg) selectInGraph(svg, select.value);
    showColumns(select.value);
    details.innerHTML = '';
    try {
      const info = await api(`/tables/${encodeURIComponent(select.value)}`);
      await renderJson(details, info, { prefix: 'table', title: select.value });
    } catch (e) {
      const c = card(details, { id: 'table', title: select.value });
      setState(c, 'error', `Could not load ${select.value}: ${errorText(e)}`);
    }
  };
  if (Array.isArray(graph.nodes) && graph.nodes.length) {
    svg = drawLineage(setState(graphCard, 'ready'), graph, {
      selected: select.value,
      onSelect: name => {
        if (![...select.options].some(o => o.value === name)) select.add(new Option(name, name));
        select.value = name;
        show();
      },
    });
  } else {
    setState(graphCard, 'empty', 'No lineage is recorded yet: `pareto run` records it.');
  }
  select.addEventListener('change', show);
  await show();
}

export async function pipelinePage(main) {
  const grid = document.createElement('div');
  grid.className = 'grid';
  main.appendChild(grid);
  const [, newest] = await Promise.all([dagPanel(grid), runsPanels(grid)]);
  if (newest) await runDetail(grid, newest);
  await lineagePanel(grid, main);
}
