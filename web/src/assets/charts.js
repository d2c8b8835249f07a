// Draws one panel (chart, table or kpi) into a card with loading, empty and error states.
// The card's data-state (loading | ready | empty | error) and, for charts, data-marks (how
// many marks Vega drew) let people and the browser tests see what happened.
import { formatValue, humanize, timestampMs, toNumber } from './format.js';

const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, grid: true, gridColor: '#eceff3' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  view: { stroke: null },
  range: { category: ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#0ea5e9', '#84cc16', '#ec4899'] },
  line: { strokeWidth: 2 },
  bar: { color: '#2563eb' },
};

const NUMERIC = /DECIMAL|HUGEINT|INT|DOUBLE|FLOAT|REAL|NUMERIC/i;

export function card(parent, { id, title, description }) {
  const el = document.createElement('section');
  el.className = 'card';
  if (id) el.dataset.panel = id;
  el.dataset.state = 'loading';
  el.innerHTML = '<header><h2></h2><p class="desc"></p></header><div class="body"><div class="status loading">Loading…</div></div>';
  el.querySelector('h2').textContent = title || humanize(id || '');
  const desc = el.querySelector('.desc');
  if (description) desc.textContent = description; else desc.remove();
  parent.appendChild(el);
  return el;
}

export function setState(el, state, message) {
  el.dataset.state = state;
  const body = el.querySelector('.body');
  if (state === 'ready') return body;
  body.innerHTML = '';
  const s = document.createElement('div');
  s.className = `status ${state}`;
  s.textContent = message || (state === 'loading' ? 'Loading…' : state === 'empty' ? 'No data yet.' : 'Something went wrong.');
  body.appendChild(s);
  return body;
}

export function errorText(e) {
  return e && e.code ? `${e.message} (${e.code})` : String(e && e.message ? e.message : e);
}

// Values as the chart needs them: DECIMAL columns may arrive as exact strings.
function chartRows(rows, columns) {
  const numeric = (columns || []).filter(c => NUMERIC.test(c.type || '')).map(c => c.name);
  return rows.map(r => {
    const o = { ...r };
    for (const k of numeric) if (typeof o[k] === 'string') o[k] = toNumber(o[k]);
    return o;
  });
}

// How many marks Vega drew, axes, legends and titles left out.
function countMarks(container) {
  let n = 0;
  container.querySelectorAll('svg g.role-mark').forEach(g => {
    if (g.closest('.role-axis, .role-legend, .role-title')) return;
    for (const child of g.children) if (!child.classList.contains('role-mark') && child.tagName !== 'g') n += 1;
  });
  return n;
}

export async function drawChart(el, spec, data) {
  const body = setState(el, 'ready');
  body.innerHTML = '';
  const holder = document.createElement('div');
  holder.className = 'chart';
  body.appendChild(holder);
  const stepSized = spec.width && typeof spec.width === 'object';
  const full = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(stepSized ? {} : { width: 'container', height: 260, autosize: { type: 'fit-x', contains: 'padding' } }),
    ...spec,
    data: { values: chartRows(data.rows, data.columns) },
    config: { ...CONFIG, ...(spec.config || {}) },
  };
  // At phone width a long axis title ("Delivery against the promised date (days)") is wider
  // than the chart and would be cut at the edge: end it with an ellipsis inside the card.
  const room = holder.clientWidth;
  if (room > 0 && room < 600) full.config.axisX = { titleLimit: room - 40, ...(full.config.axisX || {}) };
  const result = await window.vegaEmbed(holder, full, {
    renderer: 'svg',
    actions: { export: true, source: false, compiled: false, editor: false },
  });
  el.dataset.marks = String(countMarks(holder));
  el.dataset.rows = String(data.rows.length);
  return result;
}

export function drawTable(el, data, format = {}, { limit = 500 } = {}) {
  const body = setState(el, 'ready');
  body.innerHTML = '';
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  const table = document.createElement('table');
  const cols = data.columns.map(c => c.name);
  const head = table.createTHead().insertRow();
  for (const c of cols) {
    const th = document.createElement('th');
    th.textContent = humanize(c);
    th.title = c;
    head.appendChild(th);
  }
  const tbody = table.createTBody();
  for (const r of data.rows.slice(0, limit)) {
    const tr = tbody.insertRow();
    for (const c of cols) {
      const td = tr.insertCell();
      const v = r[c];
      // Epoch milliseconds ("created_ms") read as dates, not as counts.
      td.textContent = !format[c] && /_ms$/.test(c) && typeof v === 'number' && v > 1e11
        ? timestampMs(v) : formatValue(v, format[c], { exact: true });
      if (typeof v === 'number' || (format[c] && toNumber(v) !== null)) td.className = 'num';
    }
  }
  wrap.appendChild(table);
  body.appendChild(wrap);
  if (data.rows.length > limit || data.truncated) {
    const more = document.createElement('p');
    more.className = 'note';
    more.textContent = data.truncated
      ? `Showing the first ${Math.min(limit, data.rows.length)} rows; the result was cut at the row limit.`
      : `Showing ${limit} of ${data.rows.length} rows.`;
    body.appendChild(more);
  }
  el.dataset.rows = String(data.rows.length);
}

export function drawKpi(el, data, format = {}) {
  const body = setState(el, 'ready');
  body.innerHTML = '';
  const row = data.rows[0] || {};
  const grid = document.createElement('div');
  grid.className = 'kpis';
  for (const c of data.columns) {
    const f = document.createElement('div');
    f.className = 'kpi';
    f.dataset.column = c.name;
    const v = row[c.name];
    f.innerHTML = '<div class="kpi-value"></div><div class="kpi-label"></div>';
    const value = f.querySelector('.kpi-value');
    value.textContent = formatValue(v, format[c.name]);
    value.title = formatValue(v, format[c.name], { exact: true });
    f.querySelector('.kpi-label').textContent = humanize(c.name);
    grid.appendChild(f);
  }
  body.appendChild(grid);
  el.dataset.rows = String(data.rows.length);
}

// A panel of dashboard.yaml: fetch its rows, then draw it by kind.
export async function renderPanel(el, panel, fetchData) {
  setState(el, 'loading');
  let data;
  try {
    data = await fetchData();
  } catch (e) {
    // A panel over a table the token's user may not see: say so, in the panel's place.
    if (e.code === 'permission_denied') {
      setState(el, 'not-permitted', `Not permitted: ${errorText(e)}`);
      return;
    }
    setState(el, 'error', `Could not load the data: ${errorText(e)}`);
    return;
  }
  if (!data || !Array.isArray(data.rows) || data.rows.length === 0) {
    setState(el, 'empty', 'No rows: the tables behind this panel are empty or not built yet (pareto run builds them).');
    return;
  }
  try {
    if (panel.kind === 'table') drawTable(el, data, panel.format || {});
    else if (panel.kind === 'kpi') drawKpi(el, data, panel.format || {});
    else await drawChart(el, panel.spec || {}, data);
  } catch (e) {
    setState(el, 'error', `Could not draw the chart: ${errorText(e)}`);
  }
}

// A quick chart for an ad hoc result: the first column on x, the first numeric column on y.
export function quickSpec(data) {
  const cols = data.columns || [];
  if (cols.length < 2 || data.rows.length === 0) return null;
  const isNum = c => NUMERIC.test(c.type || '');
  const isTime = c => /DATE|TIME/i.test(c.type || '');
  const x = cols[0];
  const y = cols.slice(1).find(isNum);
  if (!y) return null;
  const xType = isTime(x) ? 'temporal' : isNum(x) ? 'quantitative' : 'nominal';
  return {
    mark: xType === 'nominal' ? 'bar' : { type: 'line', point: data.rows.length < 60 },
    encoding: {
      x: { field: x.name, type: xType, title: humanize(x.name), ...(xType === 'nominal' ? { sort: '-y' } : {}) },
      y: { field: y.name, type: 'quantitative', title: humanize(y.name) },
      tooltip: [{ field: x.name, type: xType }, { field: y.name, type: 'quantitative' }],
    },
  };
}
