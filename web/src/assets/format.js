// Numbers for people, one style everywhere (en-US digits, Brazilian real as R$):
// R$ 1.2 M, 3.1%, 1,234, 4.5 days. Panels name a column's format in dashboard.yaml.

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const one = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

// DECIMAL columns may arrive as strings (exact); charts and formats want numbers.
export function toNumber(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

// R$ 1.2 M, R$ 12.3 k, R$ 950.00; exact=true gives R$ 1,234,567.89.
export function brl(v, exact = false) {
  const n = toNumber(v);
  if (n === null) return '–';
  if (exact) return `R$ ${two.format(n)}`;
  const a = Math.abs(n);
  if (a >= 1e9) return `R$ ${one.format(n / 1e9)} B`;
  if (a >= 1e6) return `R$ ${one.format(n / 1e6)} M`;
  if (a >= 1e4) return `R$ ${one.format(n / 1e3)} k`;
  return `R$ ${two.format(n)}`;
}

// A fraction: 0.031 -> 3.1%.
export function percent(v) {
  const n = toNumber(v);
  return n === null ? '–' : `${one.format(n * 100)}%`;
}

export function count(v) {
  const n = toNumber(v);
  return n === null ? '–' : int.format(n);
}

export function days(v) {
  const n = toNumber(v);
  return n === null ? '–' : `${one.format(n)} days`;
}

export function plain(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const n = typeof v === 'number' ? v : null;
  if (n !== null) return Number.isInteger(n) ? int.format(n) : new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }).format(n);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// Milliseconds since the epoch as UTC wall time: 1796034906205 -> "2026-11-30 10:35:06 UTC".
export function timestampMs(v) {
  const n = toNumber(v);
  if (n === null) return '–';
  return new Date(n).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// kind is a panel format name: brl | percent | int | days | score.
export function formatValue(v, kind, { exact = false } = {}) {
  switch (kind) {
    case 'brl': return brl(v, exact);
    case 'percent': return percent(v);
    case 'int': return count(v);
    case 'days': return days(v);
    case 'score': { const n = toNumber(v); return n === null ? '–' : two.format(n); }
    default: return plain(v);
  }
}

// "avg_order_value" -> "Avg order value".
export function humanize(name) {
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
