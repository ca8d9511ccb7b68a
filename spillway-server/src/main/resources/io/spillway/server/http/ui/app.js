// Spillway dashboard: polls /v1/stats every second and /v1/jobs and /v1/queue every two, draws small line
// charts on canvases, and shows a job's detail with Cancel and Retry. No framework, no network
// besides this server. The jobs table keeps one row per job id, newest first (ids are UUIDv7, so
// they sort by creation); while the pointer is on it, rows are updated in place and none is added
// or removed, so nothing moves under the pointer. When the server needs an API key (a 401), the page
// asks for one, keeps it in this tab's session storage and sends it as a bearer token: no cookie, so
// a page of another site can make the browser send no credentials.
'use strict';

const POINTS = 120;
const series = { throughput: [], depth: [], p50: [], p99: [], batch: [] };
let previous = null;
let selected = null;
let jobsAsked = 0;       // numbers the /v1/jobs requests: an answer older than the latest shown is dropped
let jobsShown = 0;
let pointerOnJobs = false;
let filtersChanged = false;

const $ = (id) => document.getElementById(id);

function push(name, value) {
  const s = series[name];
  s.push(value);
  if (s.length > POINTS) s.shift();
}

function draw(canvasId, lines) {
  const canvas = $(canvasId);
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 24;
  ctx.clearRect(0, 0, w, h);
  const max = Math.max(1, ...lines.flatMap((l) => l.data));
  ctx.strokeStyle = '#e3e6ea';
  ctx.fillStyle = '#889';
  ctx.font = '10px system-ui';
  for (let i = 0; i <= 2; i++) {
    const y = pad / 2 + (h - pad) * i / 2;
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(w, y); ctx.stroke();
    ctx.fillText(format(max * (1 - i / 2)), 0, y + 3);
  }
  for (const line of lines) {
    ctx.strokeStyle = line.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    line.data.forEach((v, i) => {
      const x = pad + (w - pad) * i / (POINTS - 1);
      const y = pad / 2 + (h - pad) * (1 - v / max);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
  canvas.dataset.points = String(lines[0].data.length);
  canvas.dataset.last = String(lines[0].data.at(-1) ?? 0);
}

function format(v) {
  if (v >= 10000) return (v / 1000).toFixed(0) + 'k';
  if (v >= 100) return v.toFixed(0);
  return v.toFixed(v >= 10 ? 1 : 2);
}

const KEY_ITEM = 'spillway.key';

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function getJson(url, options = {}) {
  const key = sessionStorage.getItem(KEY_ITEM);
  const headers = { ...(options.headers || {}) };
  if (key) headers.Authorization = 'Bearer ' + key;
  const r = await fetch(url, { ...options, headers });
  const body = await r.json();
  if (r.status === 401) askForKey(key ? body.detail : null);
  if (!r.ok) throw new ApiError(r.status, body.detail || r.statusText);
  return body;
}

// A 401: the server needs a key, or the one given no longer works (revoked, expired).
function askForKey(why) {
  showTotals('locked');
  $('key-form').hidden = false;
  $('key-error').hidden = !why;
  $('key-error').textContent = why || '';
  $('forget-key').hidden = true;
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY_ITEM, $('key-input').value.trim());
  $('key-input').value = '';
  $('key-form').hidden = true;
  $('forget-key').hidden = false;
  filtersChange();
  pollStats();
  pollTasks();
});

$('forget-key').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_ITEM);
  document.querySelector('#jobs tbody').replaceChildren();
  askForKey(null);
});

// The totals: 'shown'; 'forbidden' (a 403: the key reads its own jobs only, so they are hidden,
// saying why); or 'locked' (no key yet).
function showTotals(state) {
  for (const id of ['totals', 'charts', 'tasks-section']) $(id).hidden = state !== 'shown';
  $('totals-note').hidden = state !== 'forbidden';
}

function showLive() {
  $('status').textContent = 'live';
  $('status').classList.remove('down');
}

async function pollStats() {
  try {
    const s = await getJson('/v1/stats');
    const now = performance.now();
    if (previous) {
      const dt = (now - previous.at) / 1000;
      const completed = s.finished.completed - previous.stats.finished.completed;
      const batches = s.batches - previous.stats.batches;
      const batched = s.batched_jobs - previous.stats.batched_jobs;
      push('throughput', Math.max(0, completed / dt));
      push('batch', batches > 0 ? batched / batches : 0);
    }
    push('depth', s.pending);
    push('p50', s.end_to_end_p50_ms);
    push('p99', s.end_to_end_p99_ms);
    previous = { at: now, stats: s };
    const tp = series.throughput.at(-1) ?? 0;
    $('tile-throughput').textContent = format(tp);
    $('tile-throughput').dataset.value = String(tp);
    $('tile-pending').textContent = String(s.pending);
    $('tile-pending').dataset.value = String(s.pending);
    $('tile-processing').textContent = String(s.processing);
    $('tile-oldest').textContent = s.oldest_pending_age_seconds.toFixed(1) + ' s';
    $('tile-latency').textContent = format(s.end_to_end_p50_ms) + ' / ' + format(s.end_to_end_p99_ms) + ' ms';
    $('tile-failed').textContent = String(s.store.failed);
    $('tile-failed').dataset.value = String(s.store.failed);
    draw('chart-throughput', [{ data: series.throughput, color: '#2f6fde' }]);
    draw('chart-depth', [{ data: series.depth, color: '#e08a00' }]);
    draw('chart-latency', [{ data: series.p50, color: '#2f9e5b' }, { data: series.p99, color: '#c0392b' }]);
    draw('chart-batch', [{ data: series.batch, color: '#7b4bd6' }]);
    showTotals('shown');
    showLive();
  } catch (e) {
    if (e.status === 403) {
      showTotals('forbidden');
      return;
    }
    $('status').textContent = e.status === 401 ? 'needs an API key' : 'cannot reach the server: ' + e.message;
    $('status').classList.add('down');
  }
}

// How long a job that ran took, accept to finish; a cancelled or expired job never ran to an end.
function took(job) {
  if (!job.finished_at || !['completed', 'failed'].includes(job.status)) return '';
  return (new Date(job.finished_at) - new Date(job.created_at)) + ' ms';
}

const newestFirst = (a, b) => (a.job_id < b.job_id ? 1 : a.job_id > b.job_id ? -1 : 0);

function jobRow(id) {
  const tr = document.createElement('tr');
  tr.dataset.id = id;
  for (let i = 0; i < 8; i++) tr.append(document.createElement('td'));
  tr.cells[0].className = 'id';
  tr.cells[0].textContent = id; // the whole id: jobs made in one millisecond share all but its end
  const status = document.createElement('span');
  tr.cells[3].append(status);
  tr.addEventListener('click', () => showJob(id));
  return tr;
}

function fillRow(tr, job) {
  tr.dataset.status = job.status;
  const [, tenant, task, status, priority, attempt, created, duration] = tr.cells;
  tenant.textContent = job.tenant;
  task.textContent = job.task;
  status.firstChild.className = 'st st-' + job.status;
  status.firstChild.textContent = job.status;
  priority.textContent = job.priority;
  attempt.textContent = String(job.attempt);
  created.textContent = new Date(job.created_at).toLocaleTimeString();
  duration.textContent = took(job);
}

function jobsQuery() {
  const params = new URLSearchParams({ limit: '50' });
  if ($('filter-status').value) params.set('status', $('filter-status').value);
  if ($('filter-task').value.trim()) params.set('task', $('filter-task').value.trim());
  if ($('filter-tenant').value.trim()) params.set('tenant', $('filter-tenant').value.trim());
  return params.toString();
}

async function pollJobs() {
  const query = jobsQuery();
  const asked = ++jobsAsked;
  const rebuild = filtersChanged;
  let page;
  try {
    page = await getJson('/v1/jobs?' + query);
    $('jobs-error').hidden = true;
    showLive();
  } catch (e) {
    // a filter this key may not use (another tenant's jobs) says so; else the status line says why
    $('jobs-error').hidden = !(e.status === 403 || e.status === 400);
    $('jobs-error').textContent = e.message;
    return;
  }
  // answers can arrive out of order: keep only the newest, and only for the filters now chosen
  if (asked < jobsShown || query !== jobsQuery()) return;
  jobsShown = asked;
  const body = document.querySelector('#jobs tbody');
  const rows = new Map([...body.rows].map((tr) => [tr.dataset.id, tr]));
  const jobs = [...page.jobs].sort(newestFirst);
  const hold = pointerOnJobs && !rebuild;
  for (const job of jobs) {
    const tr = rows.get(job.job_id);
    if (tr) fillRow(tr, job);
  }
  $('jobs-held').hidden = !(hold && jobs.some((job) => !rows.has(job.job_id)));
  if (hold) return;
  if (rebuild && asked === jobsAsked) filtersChanged = false;
  body.replaceChildren(...jobs.map((job) => {
    let tr = rows.get(job.job_id);
    if (!tr) {
      tr = jobRow(job.job_id);
      fillRow(tr, job);
    }
    return tr;
  }));
}

// Each task: what runs now in every process, what waits by priority, how fast it drains.
async function pollTasks() {
  let q;
  try {
    q = await getJson('/v1/queue');
  } catch (e) {
    return;
  }
  const rows = Object.entries(q.tasks).map(([task, t]) => {
    const tr = document.createElement('tr');
    tr.dataset.task = task;
    tr.dataset.running = String(t.running);
    const ttd = t.time_to_drain_seconds === null ? 'no estimate yet' : t.time_to_drain_seconds.toFixed(1) + ' s';
    for (const text of [task, String(t.running),
      t.pending.interactive + ' / ' + t.pending.standard + ' / ' + t.pending.batch,
      format(t.drain_per_second), ttd]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  });
  document.querySelector('#tasks tbody').replaceChildren(...rows);
}

function filtersChange() {
  filtersChanged = true;
  pollJobs();
}

async function showJob(id) {
  selected = id;
  const job = await getJson('/v1/jobs/' + id + '?include=input');
  $('detail').hidden = false;
  $('detail-id').textContent = job.job_id;
  const fields = $('detail-fields');
  fields.replaceChildren();
  // a job that ended without a result shows why in place of the result; one still running has none yet
  const ended = ['failed', 'cancelled', 'expired'].includes(job.status);
  for (const key of ['status', 'tenant', 'task', 'priority', 'attempt', 'max_attempts', 'created_at', 'started_at',
                     'finished_at', 'deadline', 'retry_at', 'error']) {
    if (job[key] === undefined || job[key] === null || (key === 'error' && ended)) continue;
    const dt = document.createElement('dt'); dt.textContent = key;
    const dd = document.createElement('dd'); dd.textContent = String(job[key]);
    dd.dataset.field = key;
    fields.append(dt, dd);
  }
  $('detail-input').textContent = JSON.stringify(job.input, null, 2);
  $('detail-outcome-title').textContent = ended ? 'Error' : 'Result';
  $('detail-outcome').classList.toggle('error', ended);
  $('detail-outcome').textContent = ended ? (job.error || '(no reason recorded)')
    : job.result === null || job.result === undefined ? '(none yet)' : JSON.stringify(job.result, null, 2);
  $('cancel').hidden = job.status !== 'pending';
  $('retry').hidden = !['failed', 'cancelled', 'expired'].includes(job.status);
}

$('cancel').addEventListener('click', async () => {
  try {
    await getJson('/v1/jobs/' + selected + '/cancel', { method: 'POST' });
  } catch (e) {
    alert(e.message);
  }
  await showJob(selected);
  await pollJobs();
});

$('retry').addEventListener('click', async () => {
  try {
    const accepted = await getJson('/v1/jobs/' + selected + '/retry', { method: 'POST' });
    await showJob(accepted.job_id);
  } catch (e) {
    alert(e.message);
  }
  await pollJobs();
});

$('close').addEventListener('click', () => { $('detail').hidden = true; selected = null; });
$('filter-status').addEventListener('change', filtersChange);
$('filter-task').addEventListener('input', filtersChange);
$('filter-tenant').addEventListener('input', filtersChange);
$('jobs').addEventListener('pointerenter', () => { pointerOnJobs = true; });
$('jobs').addEventListener('pointerleave', () => { pointerOnJobs = false; pollJobs(); });

$('forget-key').hidden = !sessionStorage.getItem(KEY_ITEM);
pollStats();
pollJobs();
pollTasks();
setInterval(pollStats, 1000);
setInterval(pollJobs, 2000);
setInterval(pollTasks, 2000);
