// The pareto dashboard: hash routes (#/overview, #/customers, ...). Pages of
// pipelines/olist/dashboard.yaml come from GET /api/v1/dashboard; Model, Pipeline and SQL
// add views of their own APIs, and a dashboard.yaml page with the same id adds its panels to
// them.
import { api, hasToken, setUnauthorizedHandler, takeTokenFromUrl } from './api.js';
import { card, errorText, renderPanel, setState } from './charts.js';
import { modelPage } from './model_page.js';
import { pipelinePage } from './pipeline_page.js';
import { sqlPage } from './sql_page.js';

const BUILT_IN = [
  { id: 'model', title: 'Model', render: modelPage },
  { id: 'pipeline', title: 'Pipeline', render: pipelinePage },
  { id: 'sql', title: 'SQL', render: sqlPage },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const banner = document.getElementById('banner');
let dashboard = { pages: [] };
let loadError = null;

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = false;
}

function pages() {
  const yamlPages = dashboard.pages.filter(p => !BUILT_IN.some(b => b.id === p.id));
  return [...yamlPages, ...BUILT_IN.map(b => ({ ...b, title: (dashboard.pages.find(p => p.id === b.id) || b).title || b.title }))];
}

function drawNav(current) {
  nav.innerHTML = '';
  for (const p of pages()) {
    const a = document.createElement('a');
    a.href = `#/${p.id}`;
    a.textContent = p.title;
    if (p.id === current) a.setAttribute('aria-current', 'page');
    nav.appendChild(a);
  }
}

// The panels of a dashboard.yaml page, each fetched on its own so one slow or failing
// panel does not hold up the others.
export function renderPanels(container, page) {
  const grid = document.createElement('div');
  grid.className = 'grid';
  container.appendChild(grid);
  return Promise.all((page.panels || []).map(panel => {
    const el = card(grid, panel);
    if (panel.kind === 'table' || panel.kind === 'kpi') el.classList.add(`card-${panel.kind}`);
    if (panel.kind === 'kpi') el.classList.add('wide');
    return renderPanel(el, panel, () => api(`/dashboard/panels/${encodeURIComponent(panel.id)}`));
  }));
}

async function route() {
  const id = (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]) || (pages()[0] || {}).id;
  const page = pages().find(p => p.id === id) || pages()[0];
  drawNav(page ? page.id : '');
  main.innerHTML = '';
  if (!page) return;
  document.title = `${page.title} · pareto`;
  // data-render counts the pages drawn, so a reader (the browser tests) can wait for this one.
  const render = String(Number(main.dataset.render || 0) + 1);
  main.dataset.render = render;
  main.dataset.page = page.id;
  main.dataset.ready = 'false';
  const h1 = document.createElement('h1');
  h1.textContent = page.title;
  main.appendChild(h1);
  const work = [];
  const builtIn = BUILT_IN.find(b => b.id === page.id);
  if (builtIn) work.push(builtIn.render(main));
  const yamlPage = dashboard.pages.find(p => p.id === page.id);
  if (yamlPage && (yamlPage.panels || []).length) work.push(renderPanels(main, yamlPage));
  if (loadError && !builtIn) {
    const el = card(main, { id: 'dashboard', title: 'Dashboard' });
    setState(el, 'error', `Could not load the dashboard definition: ${errorText(loadError)}`);
  }
  await Promise.allSettled(work);
  // Only the page still shown says it is ready (a quick second click may have replaced it).
  if (main.dataset.render === render) main.dataset.ready = 'true';
}

async function start() {
  takeTokenFromUrl();
  setUnauthorizedHandler(() => showBanner(
    'Not signed in: open the dashboard URL that `pareto serve` printed (it ends in #token=…), ' +
    'or make a token with `pareto token create --name NAME` and open /#token=TOKEN.'));
  if (!hasToken()) {
    showBanner('No token yet: open the dashboard URL that `pareto serve` printed (it ends in #token=…).');
  }
  try {
    dashboard = await api('/dashboard');
    if (!dashboard || !Array.isArray(dashboard.pages)) dashboard = { pages: [] };
  } catch (e) {
    loadError = e;
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
