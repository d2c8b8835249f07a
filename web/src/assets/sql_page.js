// The SQL page: one read-only query against POST /api/v1/sql (the server refuses anything but
// a single SELECT), its rows as a table and a quick chart.
import { api } from './api.js';
import { card, drawChart, drawTable, errorText, quickSpec, setState } from './charts.js';

const EXAMPLE = `SELECT month, revenue, revenue_orders
FROM gold.gld_monthly_revenue
ORDER BY month`;

export async function sqlPage(main) {
  const form = document.createElement('form');
  form.className = 'sql-form card';
  form.innerHTML = `
    <label for="sql-text">Query (one SELECT; Ctrl+Enter runs it)</label>
    <textarea id="sql-text" name="sql" rows="8" spellcheck="false"></textarea>
    <div class="row">
      <label>Row limit <input name="max_rows" type="number" min="1" max="100000" value="1000"></label>
      <button type="submit">Run</button>
      <span class="elapsed" aria-live="polite"></span>
    </div>`;
  const text = form.querySelector('textarea');
  text.value = sessionStorage.getItem('pareto.sql') || EXAMPLE;
  main.appendChild(form);
  const grid = document.createElement('div');
  grid.className = 'grid';
  main.appendChild(grid);
  const result = card(grid, { id: 'sql_result', title: 'Result' });
  result.classList.add('wide');
  setState(result, 'empty', 'Run a query to see its rows.');
  const chart = card(grid, { id: 'sql_chart', title: 'Quick chart', description: 'The first column against the first numeric column.' });
  chart.classList.add('wide');
  setState(chart, 'empty', 'Run a query with a label column and a numeric column to chart it.');
  const elapsed = form.querySelector('.elapsed');

  async function run() {
    const sql = text.value.trim();
    if (!sql) return;
    sessionStorage.setItem('pareto.sql', sql);
    setState(result, 'loading', 'Running…');
    setState(chart, 'loading', 'Running…');
    elapsed.textContent = '';
    let data;
    try {
      data = await api('/sql', { method: 'POST', body: { sql, max_rows: Number(form.max_rows.value) || 1000 } });
    } catch (e) {
      setState(result, 'error', errorText(e));
      setState(chart, 'empty', 'No result to chart.');
      return;
    }
    elapsed.textContent = `${data.rows.length} rows${data.truncated ? ' (cut at the limit)' : ''} in ${data.elapsed_ms ?? '?'} ms`;
    if (data.rows.length === 0) setState(result, 'empty', 'The query returned no rows.');
    else drawTable(result, data);
    const spec = quickSpec(data);
    if (!spec) {
      setState(chart, 'empty', 'Nothing to chart: the result needs a label column and a numeric column.');
      return;
    }
    try {
      await drawChart(chart, spec, data);
    } catch (e) {
      setState(chart, 'error', `Could not draw the chart: ${errorText(e)}`);
    }
  }

  form.addEventListener('submit', e => { e.preventDefault(); run(); });
  text.addEventListener('keydown', e => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
}
