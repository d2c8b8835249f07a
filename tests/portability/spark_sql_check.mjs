// Checks that SQL files parse as Spark SQL (the grammar of Databricks Runtime), with the
// `SparkSQL` parser of dt-sql-parser (built from Spark's own ANTLR grammar), and that they
// use none of the DuckDB-only types and functions the grammar cannot tell from Spark's own
// (a function call or a type name parses whatever its name).
//
// Usage: node spark_sql_check.mjs [--grammar-only] PATH...   (a PATH is a .sql file or a folder searched for them)
// Prints one line per problem, "file:line:column: construct: parser message", then a
// summary "spark-sql: N of M files parse". Exit codes: 0 all parse, 1 some do not,
// 77 skipped (dt-sql-parser is not installed: scripts/portability_setup.sh installs it).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIP = 77;
const here = dirname(fileURLToPath(import.meta.url));
// dt-sql-parser's dist imports folders, which Node's ESM loader refuses; the set-up bundles
// it into one module with esbuild (package.json `bundle`).
const bundle = process.env.PARETO_SPARK_PARSER || join(here, 'node_modules', '.bundle', 'dt-sql-parser.mjs');
if (!existsSync(bundle)) {
  console.log(`SKIPPED: no Spark SQL parser at ${bundle} (scripts/portability_setup.sh installs it)`);
  process.exit(SKIP);
}
const { SparkSQL } = await import(bundle);

// Constructs the grammar rejects, named so a failure says what to change.
const named = [
  [/\bqualify\b/i, 'QUALIFY (DuckDB only: filter row_number() in a subquery)'],
  [/::/, '`::` cast (write CAST(x AS type))'],
  [/\/\//, '`//` integer division (write div(a, b))'],
  [/\bexclude\s*\(/i, 'SELECT * EXCLUDE (DuckDB only)'],
  [/\bcolumns\s*\(/i, 'COLUMNS(...) (DuckDB only)'],
];
// Names the grammar accepts but Spark does not have: DuckDB types and functions the
// models once used or could easily use. Spark's types are listed; any other type fails.
const sparkTypes = new Set(['boolean', 'tinyint', 'byte', 'smallint', 'short', 'int', 'integer',
  'bigint', 'long', 'float', 'real', 'double', 'date', 'timestamp', 'timestamp_ntz',
  'timestamp_ltz', 'string', 'char', 'character', 'varchar', 'binary', 'decimal', 'dec',
  'numeric', 'interval', 'array', 'struct', 'map', 'void', 'variant']);
const duckdbFunctions = ['getvariable', 'regexp_full_match', 'regexp_matches', 'quantile_disc',
  'quantile_cont', 'quantile', 'arg_max', 'arg_min', 'timezone', 'isodow', 'generate_series',
  'unnest', 'struct_pack', 'to_months', 'to_days', 'epoch', 'epoch_ms', 'epoch_us', 'strftime',
  'strptime', 'list_value', 'list_aggregate', 'string_agg', 'today', 'current_setting',
  'read_parquet', 'read_csv'];
// Names both engines have, with different arguments or results (DuckDB's first):
// date_diff/datediff(part, start, end) vs datediff(end, start); date_sub(part, a, b) vs
// date_sub(date, days); dayofweek Sunday 0 vs 1; weekday Sunday 0 vs Monday 0.
const differingFunctions = ['date_diff', 'datediff', 'date_sub', 'dayofweek', 'weekday'];

// Comments and string literals blanked (same length, newlines kept), so the lint sees code.
function codeOnly(sql) {
  return sql.replace(/--[^\n]*|'(?:[^']|'')*'/g, m => m.replace(/[^\n]/g, ' '));
}

function position(text, index) {
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function lint(sql) {
  const code = codeOnly(sql);
  const found = [];
  for (const m of code.matchAll(/\bcast\s*\(/gi)) {
    // the type after the matching AS at depth 0 of this CAST
    let depth = 0, i = m.index + m[0].length;
    for (; i < code.length; ++i) {
      const c = code[i];
      if (c === '(') depth++;
      else if (c === ')') { if (depth === 0) break; depth--; }
      else if (depth === 0 && /\bas\b/i.test(code.slice(i - 1, i + 3)) && /^as\s/i.test(code.slice(i, i + 3))) {
        const type = /^as\s+([a-z_]+)/i.exec(code.slice(i))?.[1];
        if (type && !sparkTypes.has(type.toLowerCase())) {
          found.push({ ...position(sql, i), construct: `type ${type.toUpperCase()}`, message: 'not a Spark SQL type (DECIMAL(38, s) holds what HUGEINT did)' });
        }
        break;
      }
    }
  }
  const calls = (names, message) => {
    for (const name of names) {
      for (const m of code.matchAll(new RegExp(`\\b${name}\\s*\\(`, 'gi'))) {
        found.push({ ...position(sql, m.index), construct: `function ${name}()`, message });
      }
    }
  };
  calls(duckdbFunctions, 'DuckDB only, not a Spark SQL function (docs/scale-out.md lists the portable ones)');
  calls(differingFunctions, 'means something else in Spark SQL than in DuckDB (docs/scale-out.md lists the portable ones)');
  return found;
}

function sqlFiles(path) {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path).sort().flatMap(name => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const child = join(path, name);
    return statSync(child).isDirectory() ? sqlFiles(child) : (name.endsWith('.sql') ? [child] : []);
  });
}

// --grammar-only: the grammar's verdict alone, without the DuckDB-name lint.
const grammarOnly = process.argv.includes('--grammar-only');
const paths = process.argv.slice(2).filter(a => a !== '--grammar-only');
if (paths.length === 0) {
  console.error('usage: node spark_sql_check.mjs PATH...');
  process.exit(2);
}
const files = paths.flatMap(p => sqlFiles(resolve(p)));
if (files.length === 0) {
  console.error(`no .sql files under ${paths.join(' ')}`);
  process.exit(1);
}
const parser = new SparkSQL();
let passing = 0;
for (const file of files) {
  const sql = readFileSync(file, 'utf8');
  const lines = sql.split('\n');
  const problems = [];
  // ANTLR's own listener also prints each error to the console; the lines below say it once.
  const quiet = console.error;
  console.error = () => {};
  let errors;
  try { errors = parser.validate(sql); } finally { console.error = quiet; }
  const seen = new Set();
  for (const e of errors) {
    const key = `${e.startLine}:${e.startColumn}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = lines[e.startLine - 1] ?? '';
    const hit = named.find(([re]) => re.test(text));
    problems.push({ line: e.startLine, column: e.startColumn, construct: hit ? hit[1] : 'syntax', message: e.message });
  }
  if (!grammarOnly) problems.push(...lint(sql));
  const name = relative(process.cwd(), file) || file;
  if (problems.length === 0) { passing++; continue; }
  for (const p of problems) console.log(`${name}:${p.line}:${p.column}: ${p.construct}: ${p.message}`);
}
console.log(`spark-sql: ${passing} of ${files.length} files parse as Spark SQL`);
process.exit(passing === files.length ? 0 : 1);
