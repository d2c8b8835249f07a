// Shows JSON whose exact shape the app does not fix (model cards, table details): scalars as
// a list of facts, arrays of flat objects as tables, and such arrays with a label and a
// number, or with two numbers (a curve), also as a chart.
import { card, drawChart, drawTable, setState } from './charts.js';
import { humanize, plain, timestampMs } from './format.js';

const isScalar = v => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isFlatRow = v => v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(isScalar);

export function columnsOf(rows) {
  const names = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  return names.map(name => ({
    name,
    type: rows.every(r => r[name] === null || r[name] === undefined || typeof r[name] === 'number') ? 'DOUBLE' : 'VARCHAR',
  }));
}

// A chart spec for rows: two numeric columns -> a curve; a label and a number -> bars.
export function specFor(name, rows) {
  const cols = columnsOf(rows);
  const nums = cols.filter(c => c.type === 'DOUBLE').map(c => c.name);
  const labels = cols.filter(c => c.type !== 'DOUBLE').map(c => c.name);
  // One row makes no comparison: the table says it all.
  if (rows.length < 2) return null;
  if (labels.length >= 1 && nums.length >= 1) {
    return {
      mark: 'bar',
      encoding: {
        y: { field: labels[0], type: 'nominal', title: humanize(labels[0]), sort: '-x' },
        x: { field: nums[0], type: 'quantitative', title: humanize(nums[0]) },
        tooltip: cols.map(c => ({ field: c.name, type: c.type === 'DOUBLE' ? 'quantitative' : 'nominal' })),
      },
    };
  }
  if (nums.length >= 2) {
    return {
      mark: { type: 'line', point: rows.length <= 20 },
      encoding: {
        x: { field: nums[0], type: 'quantitative', title: humanize(nums[0]) },
        y: { field: nums[1], type: 'quantitative', title: humanize(nums[1]) },
        order: { field: nums[0] },
        tooltip: nums.slice(0, 4).map(n => ({ field: n, type: 'quantitative', format: '.3f' })),
      },
    };
  }
  return null;
}

function facts(obj) {
  const dl = document.createElement('dl');
  dl.className = 'facts';
  for (const [k, v] of Object.entries(obj)) {
    if (!isScalar(v)) continue;
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    // The metastore's times ("created_ms") are epoch milliseconds: shown as dates, not as counts.
    if (/_ms$/.test(k) && typeof v === 'number' && v > 1e11) {
      dt.textContent = humanize(k.replace(/_ms$/, ''));
      dd.textContent = timestampMs(v);
    } else {
      dt.textContent = humanize(k);
      dd.textContent = plain(v);
    }
    dl.append(dt, dd);
  }
  return dl;
}

// Draws value into grid as cards; prefix names them (data-panel) for people and tests.
export async function renderJson(grid, value, { prefix = 'json', title = 'Details' } = {}) {
  const work = [];
  const walk = (v, path) => {
    const id = `${prefix}${path ? '_' + path : ''}`;
    const name = path ? `${title}: ${humanize(path)}` : title;
    if (Array.isArray(v)) {
      if (v.length && v.every(isFlatRow)) {
        const data = { columns: columnsOf(v), rows: v };
        const spec = specFor(path, v);
        if (spec) {
          const c = card(grid, { id: `${id}_chart`, title: name });
          work.push(drawChart(c, spec, data).catch(e => setState(c, 'error', String(e.message || e))));
        }
        const t = card(grid, { id, title: `${name} (table)` });
        drawTable(t, data);
      } else if (v.length && v.every(isScalar)) {
        const c = card(grid, { id, title: name });
        setState(c, 'ready').textContent = v.map(plain).join(', ');
      }
      return;
    }
    if (v && typeof v === 'object') {
      if (Object.values(v).some(isScalar)) {
        const c = card(grid, { id, title: name });
        const body = setState(c, 'ready');
        body.innerHTML = '';
        body.appendChild(facts(v));
      }
      for (const [k, child] of Object.entries(v)) if (!isScalar(child)) walk(child, path ? `${path}_${k}` : k);
      return;
    }
    if (typeof v === 'string' && v.length > 200) {
      const c = card(grid, { id, title: name });
      const body = setState(c, 'ready');
      body.innerHTML = '<pre class="doc"></pre>';
      body.firstChild.textContent = v;
    }
  };
  walk(value, '');
  await Promise.all(work);
}
