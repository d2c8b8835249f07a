// `pareto export databricks` on the project: the bundle's job has exactly the tasks and
// edges of `pareto dag --no-ml --json`, databricks.yml parses as YAML, every SQL file of
// the bundle parses as Spark SQL (spark_sql_check.mjs; for COPY INTO, Databricks-only, its
// query and the statements around it), and the README describes the ML tasks left out.
//
// Environment: PARETO_BINARY (required), PARETO_PROJECT (default: pipelines/olist).
// Exit codes: 0 passed, 1 failed, 77 skipped (no binary, or the npm packages are missing).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const SKIP = 77;
const skip = why => { console.log(`SKIPPED: ${why}`); process.exit(SKIP); };

const binary = process.env.PARETO_BINARY && resolve(process.env.PARETO_BINARY);
if (!binary || !existsSync(binary)) skip('PARETO_BINARY does not name a pareto binary');
let YAML;
try { YAML = await import('yaml'); } catch { skip('yaml is not installed (scripts/portability_setup.sh)'); }
if (!existsSync(join(here, 'node_modules', '.bundle', 'dt-sql-parser.mjs'))) skip('dt-sql-parser is not installed (scripts/portability_setup.sh)');

const project = resolve(process.env.PARETO_PROJECT || join(root, 'pipelines', 'olist'));
const work = mkdtempSync(join(tmpdir(), 'pareto-export-'));
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

try {
  const lakehouse = join(work, 'lakehouse');  // absent: the graph of a fresh lakehouse
  const out = join(work, 'bundle');
  await exec(binary, ['--project', project, '--lakehouse', lakehouse, 'export', 'databricks', '--out', out]);
  const dag = JSON.parse((await exec(binary, ['--project', project, '--lakehouse', lakehouse, '--json', 'dag', '--no-ml'])).stdout);
  const full = JSON.parse((await exec(binary, ['--project', project, '--lakehouse', lakehouse, '--json', 'dag'])).stdout);

  // databricks.yml parses, and its job is the dag
  const doc = YAML.parse(readFileSync(join(out, 'databricks.yml'), 'utf8'));
  const jobs = Object.values(doc?.resources?.jobs ?? {});
  check(jobs.length === 1, `databricks.yml parses as YAML and has one job (has ${jobs.length})`);
  const tasks = jobs[0]?.tasks ?? [];
  const taskName = key => key.replace('-', '.');  // "silver-slv_orders" -> "silver.slv_orders"
  const jobNodes = tasks.map(t => taskName(t.task_key)).sort();
  const dagNodes = dag.nodes.map(n => n.name).sort();
  check(JSON.stringify(jobNodes) === JSON.stringify(dagNodes),
        `job tasks = dag nodes (${jobNodes.length} and ${dagNodes.length})`);
  const jobEdges = tasks.flatMap(t => (t.depends_on ?? []).map(d => `${taskName(d.task_key)} -> ${taskName(t.task_key)}`)).sort();
  const dagEdges = dag.edges.map(e => `${e.from} -> ${e.to}`).sort();
  const missing = dagEdges.filter(e => !jobEdges.includes(e));
  const extra = jobEdges.filter(e => !dagEdges.includes(e));
  check(missing.length === 0 && extra.length === 0 && jobEdges.length === dagEdges.length,
        `job edges = dag edges, edge for edge (${jobEdges.length} and ${dagEdges.length}; missing ${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'})`);
  for (const t of tasks) {
    const path = t.sql_task?.file?.path;
    check(path && existsSync(join(out, path)), `task ${t.task_key} runs a file of the bundle (${path})`);
  }
  const schedule = jobs[0]?.schedule;
  if (schedule) {
    check(/^\S+ \S+ \S+ \S+ \S+ \S+$/.test(schedule.quartz_cron_expression) && /\?/.test(schedule.quartz_cron_expression),
          `schedule is six-field Quartz cron (${schedule.quartz_cron_expression}) in ${schedule.timezone_id}`);
  }

  // ML tasks: left out of the job, named in the README as the next step
  const mlTasks = full.nodes.filter(n => n.kind === 'post').map(n => n.name);
  const readme = readFileSync(join(out, 'README.md'), 'utf8');
  for (const name of mlTasks) check(readme.includes(`\`${name}\``) && !jobNodes.includes(name), `ML task ${name} is described in README.md, not in the job`);

  // every SQL file parses as Spark SQL: COPY INTO (Databricks SQL, not in Spark's grammar)
  // is checked as its query plus the statements around it, its options by shape.
  const spark = join(work, 'spark');
  const checked = [];
  for (const t of tasks) {
    let sql = readFileSync(join(out, t.sql_task.file.path), 'utf8');
    const copy = /COPY INTO (\S+)\nFROM \(\n([\s\S]*?)\n\)\nFILEFORMAT = CSV\nPATTERN = '[^']*'\nFORMAT_OPTIONS \([^)]*\)\nCOPY_OPTIONS \([^)]*\);\n/.exec(sql);
    if (t.task_key.startsWith('bronze-')) {
      check(copy !== null, `${t.task_key}: COPY INTO with FILEFORMAT, PATTERN, FORMAT_OPTIONS, COPY_OPTIONS`);
      if (copy) sql = sql.replace(copy[0], `INSERT INTO ${copy[1]}\n${copy[2]};\n`);
    }
    const file = join(work, `${t.task_key}.sql`);
    writeFileSync(file, sql);
    checked.push(file);
  }
  const result = await exec(process.execPath, [join(here, 'spark_sql_check.mjs'), ...checked]).catch(e => e);
  process.stdout.write(result.stdout || '');
  check(result.code === undefined || result.code === 0, `every bundle SQL file parses as Spark SQL`);
} catch (e) {
  check(false, `unexpected error: ${e.stderr || e.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures.length ? `${failures.length} check(s) failed` : 'all checks passed');
process.exit(failures.length ? 1 : 0);
