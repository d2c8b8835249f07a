// The lineage graph of the Pipeline page, drawn as plain SVG (a layered graph is a few
// boxes and curves; Vega-Lite has no graph layout). Input: GET /api/v1/lineage, which
// already leaves out every table the user may not SELECT.
//
//   const { nodes, edges } = lineageLayout(graph);   // positions, testable without a DOM
//   drawLineage(body, graph, { selected, onSelect }); // the SVG; a click selects a table
const SVG = 'http://www.w3.org/2000/svg';
const BOX = { width: 172, height: 24, columnGap: 34, rowGap: 8, pad: 6 };

// Fill per layer (the schema of the table's three-level name); anything else is "other".
export const LAYER_COLORS = {
  bronze: '#d6a36a',
  silver: '#b8c2cf',
  gold: '#f2c94c',
  other: '#c4b5fd',
};
export const layerOf = node => (node.layer in LAYER_COLORS && node.layer !== 'other' ? node.layer : 'other');

// Columns by depth (the longest chain of upstreams before a table, so every edge points
// right); within a column, ordered by where their upstreams sit (fewer crossings), then name.
export function lineageLayout(graph) {
  const nodes = Array.isArray(graph && graph.nodes) ? graph.nodes : [];
  const names = new Set(nodes.map(n => n.name));
  const edges = (Array.isArray(graph && graph.edges) ? graph.edges : [])
    .filter(e => names.has(e.from) && names.has(e.to) && e.from !== e.to);
  const parents = new Map(nodes.map(n => [n.name, []]));
  for (const e of edges) parents.get(e.to).push(e.from);
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0;  // recorded lineage may hold a cycle: draw it rather than hang
    seen.add(name);
    const d = Math.max(-1, ...parents.get(name).map(p => depthOf(p, seen))) + 1;
    depth.set(name, d);
    return d;
  };
  const columns = [];
  for (const n of nodes) (columns[depthOf(n.name)] ??= []).push(n);
  const row = new Map();
  const placed = [];
  columns.forEach((column, x) => {
    const key = n => {
      const ys = parents.get(n.name).map(p => row.get(p)).filter(y => y !== undefined);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : -1;
    };
    (column || []).sort((a, b) => key(a) - key(b) || a.name.localeCompare(b.name)).forEach((n, y) => {
      row.set(n.name, y);
      placed.push({
        ...n,
        label: String(n.name).split('.').pop(),
        layer: layerOf(n),
        x: BOX.pad + x * (BOX.width + BOX.columnGap),
        y: BOX.pad + y * (BOX.height + BOX.rowGap),
      });
    });
  });
  const at = new Map(placed.map(p => [p.name, p]));
  const lines = edges.map(e => ({ from: e.from, to: e.to, a: at.get(e.from), b: at.get(e.to) }));
  const width = BOX.pad * 2 + Math.max(1, columns.length) * (BOX.width + BOX.columnGap) - BOX.columnGap;
  const height = BOX.pad * 2 + Math.max(1, ...columns.map(c => (c ? c.length : 0))) * (BOX.height + BOX.rowGap) - BOX.rowGap;
  return { nodes: placed, edges: lines, width, height };
}

const el = (tag, attrs = {}) => {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
};

// Draws the graph into `body` and returns the SVG. The card gets data-nodes and
// data-edges (what was drawn) for people and the browser test.
export function drawLineage(body, graph, { selected, onSelect } = {}) {
  const { nodes, edges, width, height } = lineageLayout(graph);
  const wrap = document.createElement('div');
  wrap.className = 'lineage-graph';
  // Scaled to the card's width (down to min-width in style.css, then the card scrolls).
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `Lineage of ${nodes.length} tables` });
  svg.style.maxWidth = `${width}px`;
  for (const e of edges) {
    const x1 = e.a.x + BOX.width, y1 = e.a.y + BOX.height / 2, x2 = e.b.x, y2 = e.b.y + BOX.height / 2;
    const mid = (x1 + x2) / 2;
    const path = el('path', { class: 'lineage-edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, 'data-from': e.from, 'data-to': e.to });
    svg.appendChild(path);
  }
  for (const n of nodes) {
    const g = el('g', { class: 'lineage-node', transform: `translate(${n.x},${n.y})`, tabindex: 0, 'data-table': n.name, 'data-layer': n.layer });
    if (n.name === selected) g.classList.add('selected');
    const title = el('title');
    title.textContent = `${n.name} (${n.layer})`;
    g.appendChild(title);
    g.appendChild(el('rect', { width: BOX.width, height: BOX.height, rx: 5, fill: LAYER_COLORS[n.layer] }));
    const text = el('text', { x: 7, y: BOX.height / 2 + 4 });
    text.textContent = n.label.length > 25 ? `${n.label.slice(0, 24)}…` : n.label;
    g.appendChild(text);
    const pick = () => onSelect && onSelect(n.name);
    g.addEventListener('click', pick);
    g.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); pick(); } });
    svg.appendChild(g);
  }
  wrap.appendChild(svg);
  const legend = document.createElement('div');
  legend.className = 'lineage-legend';
  for (const layer of Object.keys(LAYER_COLORS)) {
    if (!nodes.some(n => n.layer === layer)) continue;
    const item = document.createElement('span');
    item.innerHTML = '<i></i>';
    item.querySelector('i').style.background = LAYER_COLORS[layer];
    item.append(layer);
    legend.appendChild(item);
  }
  body.innerHTML = '';
  body.append(wrap, legend);
  const card = body.closest('.card');
  if (card) {
    card.dataset.nodes = String(nodes.length);
    card.dataset.edges = String(edges.length);
  }
  return svg;
}

// Marks the selected table in a drawn graph.
export function selectInGraph(svg, name) {
  svg.querySelectorAll('.lineage-node').forEach(g => g.classList.toggle('selected', g.dataset.table === name));
}

// The rows of a table's column lineage: each column and the columns it is computed from.
export function columnLineageRows(graph, name) {
  const node = (graph && Array.isArray(graph.nodes) ? graph.nodes : []).find(n => n.name === name);
  const columns = node && node.columns && typeof node.columns === 'object' ? node.columns : {};
  return Object.entries(columns).map(([column, ups]) => ({
    column,
    computed_from: (Array.isArray(ups) ? ups : []).map(u => `${u.table}.${u.column}`).join(', '),
  }));
}
