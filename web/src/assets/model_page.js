// The Model page: the registered model versions with their metrics (GET /api/v1/models), the
// production future-value model's evaluation against its baselines, the high-value model's curves,
// calibration and drivers for a chosen version, each version's card with its
// baselines and curves (GET /api/v1/models/{name}/versions/{v}), and a customer lookup
// (GET /api/v1/customers/{id}): a person's scores and top drivers.
import { api } from './api.js';
import { card, drawChart, drawTable, errorText, setState } from './charts.js';
import { formatValue, humanize, percent, plain } from './format.js';
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
  await futureValue(grid, models);
  // The high-value model's curves, then the newest version of each model as its raw card.
  const after = (await highValue(grid, models)) || grid;
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
    after.after(section);
    try {
      const cardJson = await api(`/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(v)}`);
      await renderJson(section, cardJson, { prefix: `card_${name}`.replace(/\W/g, '_'), title: `${name} v${v}` });
    } catch (e) {
      const c = card(section, { id: `card_${name}`, title: `${name} v${v}` });
      setState(c, 'error', `Could not load the model card: ${errorText(e)}`);
    }
  }));
}

// The production future-value model (GET /api/v1/models lists it as `future_value`): its out-of-time
// evaluation, each model beside its baseline — repeat ROC-AUC/PR-AUC with intervals against the
// recency/frequency baseline, the spend deciles and Gini against the RFM baseline, and BG/NBD's expected
// vs actual purchases by frequency bucket.
const FV_MODEL = 'future_value';
const f3 = (v, signed = false) => (typeof v === 'number' ? `${signed && v >= 0 ? '+' : ''}${v.toFixed(3)}` : '–');

function evaluationOf(version) {
  const m = version && (version.metrics || (version.run && version.run.metrics));
  return m && m.evaluation ? { metrics: m, evaluation: m.evaluation } : { metrics: m || {}, evaluation: null };
}

async function futureValue(grid, models) {
  const fv = models.filter(m => (m.name ?? m.model) === FV_MODEL);
  const summary = card(grid, { id: 'fv_summary', title: 'Future value: who comes back, and what they spend', description: 'The production model scoring gold.gld_customer_scores, evaluated out of time: a snapshot whose window has passed, trained only on windows that ended before it.' });
  summary.classList.add('wide');
  if (!fv.length) {
    setState(summary, 'empty', 'No future-value model is registered yet: `pareto run` trains and registers it.');
    return;
  }
  const newest = fv.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
  let version;
  try {
    version = await api(`/models/${FV_MODEL}/versions/${encodeURIComponent(newest.version)}`);
  } catch (e) {
    setState(summary, 'error', `Could not load the future-value model: ${errorText(e)}`);
    return;
  }
  const { metrics, evaluation } = evaluationOf(version);
  const body = setState(summary, 'ready');
  body.innerHTML = '';
  const dl = document.createElement('dl');
  dl.className = 'facts';
  const facts = {
    version: `v${newest.version} (${newest.stage ?? version.stage ?? ''})`,
    snapshot_date: metrics.snapshot_date, trained_through: metrics.trained_through,
    horizon_days: metrics.horizon_days, training_rows: metrics.training_rows, training_positives: metrics.training_positives,
  };
  if (evaluation) {
    Object.assign(facts, {
      test_snapshot: evaluation.test_date, test_persons: evaluation.test_persons, positives: evaluation.positives,
      reliable: evaluation.reliable ? 'yes' : `no (fewer than 30 positives)`,
      gain_over_baseline: `${f3(evaluation.gain.roc_auc, true)} [${evaluation.gain.ci.map(v => f3(v, true)).join(', ')}]${evaluation.gain.excludes_zero ? '' : ' — the interval includes zero'}`,
    });
  }
  for (const [k, v] of Object.entries(facts)) {
    const dt = document.createElement('dt');
    dt.textContent = humanize(k);
    const dd = document.createElement('dd');
    dd.dataset.field = k;
    dd.textContent = plain(v);
    dl.append(dt, dd);
  }
  body.appendChild(dl);
  if (!evaluation) {
    const note = document.createElement('p');
    note.className = 'note';
    note.dataset.field = 'evaluation_note';
    note.textContent = metrics.evaluation_note || 'Not evaluated on this data: `pareto train --evaluate` evaluates it and registers a version that carries the figures.';
    body.appendChild(note);
    return;
  }
  const verdict = r => (r.baseline ? 'baseline' : !evaluation.reliable ? 'unreliable' : r.beats_baseline ? 'beats the baseline' : 'does NOT beat the baseline');

  const repeat = card(grid, { id: 'fv_repeat', title: `Repeat within ${evaluation.horizon_days} days: ROC-AUC against the baseline`, description: 'Each model and the recency/frequency baseline on the same test persons, with 95% bootstrap intervals.' });
  const repeatRows = evaluation.repeat.map(r => ({ model: r.name, roc_auc: r.roc_auc, low: r.roc_auc_ci[0], high: r.roc_auc_ci[1], pr_auc: r.pr_auc, positives: evaluation.positives, verdict: verdict(r) }));
  try {
    await drawChart(repeat, {
      layer: [
        { mark: 'bar', encoding: { y: { field: 'model', type: 'nominal', sort: null, title: null }, x: { field: 'roc_auc', type: 'quantitative', title: 'ROC-AUC', scale: { domain: [0, 1] } }, color: { field: 'verdict', type: 'nominal', title: null }, tooltip: [{ field: 'model' }, { field: 'roc_auc', format: '.3f' }, { field: 'low', format: '.3f' }, { field: 'high', format: '.3f' }, { field: 'pr_auc', format: '.3f' }, { field: 'positives' }] } },
        { mark: { type: 'rule', color: '#111827' }, encoding: { y: { field: 'model', type: 'nominal', sort: null }, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
      ],
    }, { columns: [], rows: repeatRows });
  } catch (e) {
    setState(repeat, 'error', `Could not draw the repeat figures: ${errorText(e)}`);
  }
  const repeatTable = card(grid, { id: 'fv_repeat_table', title: 'Repeat: ROC-AUC, PR-AUC and positives' });
  drawTable(repeatTable, { columns: ['model', 'roc_auc', 'low', 'high', 'pr_auc', 'positives', 'verdict'].map(name => ({ name })), rows: repeatRows });

  const spend = card(grid, { id: 'fv_spend_deciles', title: 'Spend in the window: predicted vs actual by decile', description: evaluation.spend.map(r => `${r.name}: normalized Gini ${f3(r.gini)}, Spearman ${f3(r.spearman)}`).join(' · ') });
  const deciles = [];
  for (const d of evaluation.deciles) {
    deciles.push({ decile: d.decile, kind: 'predicted', brl: d.predicted }, { decile: d.decile, kind: 'actual', brl: d.actual });
  }
  try {
    await drawChart(spend, {
      mark: 'bar',
      encoding: { x: { field: 'decile', type: 'ordinal', title: 'Decile of expected spend (1 = highest)' }, xOffset: { field: 'kind' }, y: { field: 'brl', type: 'quantitative', title: 'Mean spend per person (BRL)' }, color: { field: 'kind', type: 'nominal', title: null }, tooltip: [{ field: 'decile' }, { field: 'kind' }, { field: 'brl', format: '.2f' }] },
    }, { columns: [], rows: deciles });
  } catch (e) {
    setState(spend, 'error', `Could not draw the deciles: ${errorText(e)}`);
  }
  const spendTable = card(grid, { id: 'fv_spend_table', title: 'Spend: the hurdle model against the RFM baseline' });
  drawTable(spendTable, { columns: ['model', 'gini', 'spearman', 'verdict'].map(name => ({ name })), rows: evaluation.spend.map(r => ({ model: r.name, gini: r.gini, spearman: r.spearman, verdict: verdict(r) })) });

  const bgnbd = card(grid, { id: 'fv_bgnbd', title: 'BG/NBD: expected vs actual purchase days in the window', description: 'By repeat purchase days before the snapshot (the model\'s usual calibration check).' });
  if (!evaluation.bgnbd_buckets.length) {
    setState(bgnbd, 'empty', `BG/NBD has no fit on this data${evaluation.bgnbd_error ? `: ${evaluation.bgnbd_error}` : ''}.`);
    return;
  }
  const buckets = [];
  for (const b of evaluation.bgnbd_buckets) {
    buckets.push({ x: b.x, kind: 'expected', purchases: b.expected, persons: b.persons }, { x: b.x, kind: 'actual', purchases: b.actual, persons: b.persons });
  }
  try {
    await drawChart(bgnbd, {
      mark: 'bar',
      encoding: { x: { field: 'x', type: 'ordinal', sort: null, title: 'Repeat purchase days before the snapshot' }, xOffset: { field: 'kind' }, y: { field: 'purchases', type: 'quantitative', title: 'Purchase days in the window' }, color: { field: 'kind', type: 'nominal', title: null }, tooltip: [{ field: 'x' }, { field: 'kind' }, { field: 'purchases', format: '.1f' }, { field: 'persons' }] },
    }, { columns: [], rows: buckets });
  } catch (e) {
    setState(bgnbd, 'error', `Could not draw BG/NBD's check: ${errorText(e)}`);
  }
}

// The high-value model (`pareto train`): for one registered version, its metrics.json drawn as
// ROC, precision–recall, cumulative gains and calibration curves — each model beside the
// first-basket-value baseline — and the best model's global drivers.
const HV_MODEL = 'high_value_customer';
const MAX_POINTS = 300;

// A curve's points as {x, y}: metrics.json writes objects ({fpr, tpr, threshold}); pairs [x, y]
// are read too. Long curves are thinned to about MAX_POINTS, keeping the first and last point.
function points(curve, xKey, yKey) {
  if (!Array.isArray(curve)) return [];
  const all = curve.map(p => (Array.isArray(p) ? { x: p[0], y: p[1] } : p && typeof p === 'object' ? { x: p[xKey], y: p[yKey] } : null))
    .filter(p => p && typeof p.x === 'number' && typeof p.y === 'number');
  if (all.length <= MAX_POINTS) return all;
  const step = Math.ceil(all.length / MAX_POINTS);
  const out = all.filter((_, i) => i % step === 0);
  if (out[out.length - 1] !== all[all.length - 1]) out.push(all[all.length - 1]);
  return out;
}

const auc = v => (typeof v === 'number' ? v.toFixed(3) : '–');
const PCT = { format: '.0%' };
const LEGEND = { orient: 'bottom', direction: 'vertical', title: 'Model, ROC-AUC [95% CI]', labelLimit: 320 };

// The series of one version: each model, then the baseline (when it has curves).
function seriesOf(metrics) {
  const out = (metrics.models || []).map(m => ({
    name: `${m.model} ${auc(m.roc_auc)}${Array.isArray(m.roc_auc_ci95) ? ` [${m.roc_auc_ci95.map(auc).join(', ')}]` : ''}`,
    model: m, curves: m.curves || {},
  }));
  const b = metrics.baseline;
  if (b) out.push({ name: `baseline (${b.column || 'first basket value'}) ${auc(b.roc_auc)}`, model: b, curves: b.curves || {}, baseline: true });
  return out;
}

function curveRows(series, kind, xKey, yKey) {
  const rows = [];
  for (const s of series) points(s.curves[kind], xKey, yKey).forEach((p, i) => rows.push({ series: s.name, i, x: p.x, y: p.y }));
  return rows;
}

// A curve chart: one line per series, the reference line(s) dashed in grey.
function curveSpec({ rows, names, x, y, reference, points: withPoints = false, width = 0 }) {
  // At phone width the titles and legend labels end in an ellipsis inside the card: the x title
  // is centred over the plot, which is narrower than the card by the y axis.
  const room = width > 0 && width < 600 ? width : 0;
  const axisX = room ? { ...PCT, titleLimit: room - 90 } : PCT;
  const legend = room ? { ...LEGEND, labelLimit: room - 110, titleLimit: room - 110 } : LEGEND;
  return {
    layer: [
      { data: { values: reference }, mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4], strokeWidth: 1.5 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      { data: { values: rows }, mark: { type: 'line', point: withPoints },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: x, scale: { domain: [0, 1] }, axis: axisX },
          y: { field: 'y', type: 'quantitative', title: y, scale: { domain: [0, 1] }, axis: PCT },
          color: { field: 'series', type: 'nominal', sort: names, scale: { domain: names }, legend },
          order: { field: withPoints ? 'x' : 'i', type: 'quantitative' },
          tooltip: [{ field: 'series', title: 'Model' }, { field: 'x', title: x, format: '.1%' }, { field: 'y', title: y, format: '.1%' }],
        } },
    ],
  };
}

async function drawCurve(c, what, build) {
  try {
    const { rows, spec } = build(c.querySelector('.body').clientWidth);
    if (!rows.length) {
      setState(c, 'empty', `This version has no ${what} in its metrics.json.`);
      return;
    }
    await drawChart(c, spec, { columns: [], rows });
  } catch (e) {
    setState(c, 'error', `Could not draw the ${what}: ${errorText(e)}`);
  }
}

async function highValue(grid, models) {
  const hv = models.filter(m => (m.name ?? m.model) === HV_MODEL && m.version !== undefined);
  if (!hv.length) return null;
  const section = document.createElement('div');
  section.className = 'grid';
  section.dataset.section = 'high_value';
  grid.after(section);
  const head = card(section, { id: 'hv_version', title: 'High-value customer model: curves of one version', description: 'Each model trained by `pareto train` beside the baseline (the first basket\'s value), on the same test persons.' });
  head.classList.add('wide');
  const sorted = [...hv].sort((a, b) => Number(b.version) - Number(a.version));
  const chosen = sorted.find(m => m.stage === 'production') || sorted[0];
  const body = setState(head, 'ready');
  body.innerHTML = '';
  const label = document.createElement('label');
  label.className = 'version-pick';
  label.textContent = 'Version ';
  const select = document.createElement('select');
  select.id = 'hv-version';
  for (const m of sorted) {
    const o = document.createElement('option');
    o.value = String(m.version);
    o.textContent = `v${m.version}${m.stage ? ` (${m.stage})` : ''}`;
    if (m === chosen) o.selected = true;
    select.appendChild(o);
  }
  label.appendChild(select);
  const facts = document.createElement('p');
  facts.className = 'note';
  facts.dataset.field = 'hv_facts';
  body.append(label, facts);

  const cards = {
    roc: card(section, { id: 'hv_roc', title: 'ROC curves', description: 'True against false positive rate as the score threshold falls; the dashed diagonal is a random score.' }),
    pr: card(section, { id: 'hv_pr', title: 'Precision–recall curves', description: 'Precision among the persons flagged against the share of high-value persons found; the dashed line is the positive rate (no skill).' }),
    gains: card(section, { id: 'hv_gains', title: 'Cumulative gains (lift)', description: 'Share of the high-value persons captured when targeting the top share of persons by score; the dashed diagonal is random targeting.' }),
    calibration: card(section, { id: 'hv_calibration', title: 'Calibration', description: 'Observed high-value rate against the mean predicted probability per score bin; the dashed diagonal is perfect calibration.' }),
    drivers: card(section, { id: 'hv_drivers', title: 'Global drivers', description: 'The best model\'s features by mean absolute contribution to the log-odds over the test persons.' }),
  };

  const draw = async version => {
    for (const c of Object.values(cards)) setState(c, 'loading');
    facts.textContent = '';
    let v;
    try {
      v = await api(`/models/${HV_MODEL}/versions/${encodeURIComponent(version)}`);
    } catch (e) {
      for (const c of Object.values(cards)) setState(c, 'error', `Could not load ${HV_MODEL} v${version}: ${errorText(e)}`);
      return;
    }
    const metrics = (v && (v.metrics || (v.run && v.run.metrics))) || {};
    const series = seriesOf(metrics);
    if (!(metrics.models || []).length) {
      for (const c of Object.values(cards)) setState(c, 'empty', `${HV_MODEL} v${version} has no evaluated models in its metrics.json.`);
      return;
    }
    const names = series.map(s => s.name);
    const withCurves = series.filter(s => !s.baseline || ['roc', 'pr', 'gains'].some(k => Array.isArray(s.curves[k]) && s.curves[k].length));
    const curveNames = withCurves.map(s => s.name);
    const rows = metrics.test_rows ?? metrics.models[0].rows;
    const positives = metrics.test_positives ?? metrics.models[0].positives;
    const rate = rows ? positives / rows : null;
    facts.textContent = [
      `best model: ${metrics.best ?? '–'}`,
      `test persons: ${plain(rows)}, of whom high value: ${plain(positives)} (${percent(rate)})`,
      metrics.protocol ? `protocol: ${metrics.protocol}` : null,
      metrics.baseline && !withCurves.some(s => s.baseline) ? `baseline (${metrics.baseline.column || 'first basket value'}): ROC-AUC ${auc(metrics.baseline.roc_auc)}, no curves in this version` : null,
    ].filter(Boolean).join(' · ');
    const diagonal = [{ x: 0, y: 0 }, { x: 1, y: 1 }];
    await Promise.all([
      drawCurve(cards.roc, 'ROC curves', w => {
        const r = curveRows(withCurves, 'roc', 'fpr', 'tpr');
        return { rows: r, spec: curveSpec({ width: w, rows: r, names: curveNames, x: 'False positive rate (% of other persons)', y: 'True positive rate (%)', reference: diagonal }) };
      }),
      drawCurve(cards.pr, 'precision–recall curves', w => {
        const r = curveRows(withCurves, 'pr', 'recall', 'precision');
        const ref = rate === null ? [] : [{ x: 0, y: rate }, { x: 1, y: rate }];
        return { rows: r, spec: curveSpec({ width: w, rows: r, names: curveNames, x: 'Recall (% of high-value persons found)', y: 'Precision (% of flagged persons)', reference: ref }) };
      }),
      drawCurve(cards.gains, 'cumulative gains', w => {
        const r = curveRows(withCurves, 'gains', 'fraction_targeted', 'fraction_captured');
        return { rows: r, spec: curveSpec({ width: w, rows: r, names: curveNames, x: 'Persons targeted, top score first (%)', y: 'High-value persons captured (%)', reference: diagonal }) };
      }),
      drawCurve(cards.calibration, 'calibration', w => {
        const r = [];
        for (const s of series) {
          if (s.baseline) continue;
          for (const b of s.model.calibration || []) {
            if (typeof b.mean_predicted === 'number' && typeof b.observed_rate === 'number') r.push({ series: s.name, x: b.mean_predicted, y: b.observed_rate, persons: b.count });
          }
        }
        const spec = curveSpec({ width: w, rows: r, names: names.filter((_, i) => !series[i].baseline), x: 'Mean predicted probability in the bin (%)', y: 'Observed high-value rate (%)', reference: diagonal, points: true });
        spec.layer[1].encoding.tooltip.push({ field: 'persons', title: 'Persons in the bin' });
        return { rows: r, spec };
      }),
      (async () => {
        const best = metrics.models.find(m => m.model === metrics.best) || metrics.models.reduce((a, b) => ((b.roc_auc ?? 0) > (a.roc_auc ?? 0) ? b : a));
        const drivers = (best.drivers || []).map(d => ({ feature: d.feature, importance: d.mean_abs_contribution ?? d.importance ?? d.value }))
          .filter(d => d.feature !== undefined && typeof d.importance === 'number')
          .sort((a, b) => b.importance - a.importance).slice(0, 15);
        cards.drivers.querySelector('h2').textContent = `Global drivers of ${best.model}`;
        if (!drivers.length) {
          setState(cards.drivers, 'empty', `${best.model} has no global drivers in this version's metrics.json.`);
          return;
        }
        const room = cards.drivers.querySelector('.body').clientWidth;
        try {
          await drawChart(cards.drivers, {
            height: { step: 24 },
            mark: 'bar',
            encoding: {
              y: { field: 'feature', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: room > 0 && room < 600 ? 120 : 180 } },
              x: { field: 'importance', type: 'quantitative', title: 'Mean |contribution| (log-odds)', axis: room > 0 && room < 600 ? { titleLimit: room - 150 } : {} },
              tooltip: [{ field: 'feature' }, { field: 'importance', title: 'Mean |contribution|', format: '.4f' }],
            },
          }, { columns: [], rows: drivers });
        } catch (e) {
          setState(cards.drivers, 'error', `Could not draw the drivers: ${errorText(e)}`);
        }
      })(),
    ]);
  };
  select.addEventListener('change', () => draw(select.value));
  await draw(chosen.version);
  return section;
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
