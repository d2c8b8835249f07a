// The Model page: the registered model versions with their metrics (GET /api/v1/models), each
// version's card with its baselines and curves (GET /api/v1/models/{name}/versions/{v}), and a
// customer lookup (GET /api/v1/customers/{id}): a person's scores and top drivers.
import { api } from './api.js';
import { card, drawChart, drawTable, errorText, setState } from './charts.js';
import { formatValue, humanize, plain } from './format.js';
import { columnsOf, renderJson } from './json_view.js';

// How the columns of gold.gld_customer_scores read for people (others as they are).
const SCORE_FORMATS = { repeat_probability: 'percent', p_alive: 'percent', expected_spend: 'brl', spend_if_returning: 'brl' };

function listOf(models) {
  if (Array.isArray(models)) return models;
  if (models && typeof models === 'object') {
    for (const k of ['models', 'versions', 'items']) if (Array.isArray(models[k])) return models[k];
  }
  return [];
}

// One row per version: its scalar fields and its metrics (metrics.x as x).
function flatten(m) {
  const row = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null || typeof v !== 'object') row[k] = v;
    else if (!Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) if (v2 === null || typeof v2 !== 'object') row[`${k}.${k2}`] = v2;
  }
  return row;
}

async function versions(grid) {
  const list = card(grid, { id: 'models', title: 'Registered model versions', description: 'Every registered version with its test-set metrics; the cards below compare each with its baseline.' });
  list.classList.add('wide');
  let models;
  try {
    models = listOf(await api('/models'));
  } catch (e) {
    setState(list, 'error', `Could not load the models: ${errorText(e)}`);
    return;
  }
  if (!models.length) {
    setState(list, 'empty', 'No model is registered yet: `pareto run` trains and registers them (not with --no-ml).');
    return;
  }
  const rows = models.map(flatten);
  drawTable(list, { columns: columnsOf(rows), rows });
  // The newest version of each model, its card drawn in full.
  const newest = new Map();
  for (const m of models) {
    const name = m.name ?? m.model;
    const v = m.version ?? m.latest_version;
    if (name === undefined || v === undefined) continue;
    if (!newest.has(name) || Number(v) > Number(newest.get(name))) newest.set(name, v);
  }
  await Promise.all([...newest].map(async ([name, v]) => {
    const section = document.createElement('div');
    section.className = 'grid';
    grid.after(section);
    try {
      const cardJson = await api(`/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(v)}`);
      await renderJson(section, cardJson, { prefix: `card_${name}`.replace(/\W/g, '_'), title: `${name} v${v}` });
    } catch (e) {
      const c = card(section, { id: `card_${name}`, title: `${name} v${v}` });
      setState(c, 'error', `Could not load the model card: ${errorText(e)}`);
    }
  }));
}

function customerLookup(main) {
  const form = document.createElement('form');
  form.className = 'lookup card';
  form.innerHTML = `
    <label for="customer-id">Customer lookup: a person's customer_unique_id</label>
    <div class="row"><input id="customer-id" name="id" autocomplete="off" spellcheck="false" placeholder="e.g. 8d50f5eadf50201ccdcedfb9e2ac8455"><button type="submit">Look up</button></div>`;
  main.appendChild(form);
  const grid = document.createElement('div');
  grid.className = 'grid';
  main.appendChild(grid);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const id = form.id.value.trim();
    if (!id) return;
    grid.innerHTML = '';
    const scores = card(grid, { id: 'customer_scores', title: `Scores of ${id}` });
    const drivers = card(grid, { id: 'customer_drivers', title: 'Top drivers', description: 'Each feature\'s contribution to the log-odds of being high value for this person.' });
    let person;
    try {
      person = await api(`/customers/${encodeURIComponent(id)}`);
    } catch (err) {
      const msg = err.status === 404 ? `No scored person has the id ${id}.` : `Could not look the person up: ${errorText(err)}`;
      setState(scores, 'error', msg);
      setState(drivers, 'empty', 'No drivers.');
      return;
    }
    const body = setState(scores, 'ready');
    body.innerHTML = '';
    const dl = document.createElement('dl');
    dl.className = 'facts';
    for (const [k, v] of Object.entries(person.scores || {})) {
      const dt = document.createElement('dt');
      dt.textContent = humanize(k);
      const dd = document.createElement('dd');
      dd.dataset.field = k;
      dd.textContent = SCORE_FORMATS[k] ? formatValue(v, SCORE_FORMATS[k]) : plain(v);
      dl.append(dt, dd);
    }
    body.appendChild(dl);
    const rows = (person.drivers || []).filter(d => d && d.feature !== undefined && d.feature !== null);
    if (!rows.length) {
      setState(drivers, 'empty', 'The model gave no drivers for this person.');
      return;
    }
    try {
      await drawChart(drivers, {
        mark: 'bar',
        encoding: {
          y: { field: 'feature', type: 'nominal', title: 'Feature', sort: '-x' },
          x: { field: 'contribution', type: 'quantitative', title: 'Contribution to the log-odds' },
          color: { condition: { test: 'datum.contribution >= 0', value: '#2563eb' }, value: '#ef4444' },
          tooltip: [{ field: 'feature' }, { field: 'value' }, { field: 'contribution', type: 'quantitative', format: '.3f' }],
        },
      }, { columns: [{ name: 'feature', type: 'VARCHAR' }, { name: 'contribution', type: 'DOUBLE' }], rows });
    } catch (err) {
      setState(drivers, 'error', `Could not draw the drivers: ${errorText(err)}`);
    }
  });
}

export async function modelPage(main) {
  customerLookup(main);
  const grid = document.createElement('div');
  grid.className = 'grid';
  main.appendChild(grid);
  await versions(grid);
}
