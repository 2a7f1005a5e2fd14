// Live dashboard: loads /api/curves once, then follows /api/events (server-sent events).
// Every kept point stays in memory; what is drawn is smoothed from all of them and then downsampled to about one
// point per pixel column, so 50 runs of thousands of steps redraw quickly. Charts are uPlot (canvas).
'use strict';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf'];
const SPEED_WINDOW = 50; // latest steps that examples/s and the ETA are measured over

const runs = new Map(); // run id -> run (see newRun)
const state = {
  xMode: 'step', smoothing: 0.6, filter: '', hidden: new Set(), xRange: null,
  sort: { key: 'best_accuracy', desc: true }, focus: null,
};
const charts = { loss: null, accuracy: null };
const drawn = { loss: null, accuracy: null }; // what was last handed to each chart, for tests and debugging

function newRun(id) {
  return {
    id, color: colorFor(runs.size), status: null, params: {}, totalSteps: 0, trainStepsSeen: 0,
    train: { step: [], loss: [], eps: [], time: [] }, evals: [], evalTimes: [], best: null,
  };
}

function colorFor(i) {
  return i < PALETTE.length ? PALETTE[i] : `hsl(${(i * 137.5) % 360}, 60%, 45%)`;
}

function run(id) {
  if (!runs.has(id)) runs.set(id, newRun(id));
  return runs.get(id);
}

// ---- the data: initial load, then updates -------------------------------------------------------------------

function load(curves) {
  for (const c of curves) {
    const r = run(c.run_id);
    r.status = c.status || null;
    r.params = c.params || {};
    r.trainStepsSeen = c.train_steps_seen;
    r.totalSteps = c.train.total_steps || (c.status ? c.status.total_steps : 0);
    r.train = { step: c.train.step, loss: c.train.loss, eps: c.train.examples_per_second, time: c.train.time };
    r.evals = [];
    r.evalTimes = [];
    (c.evaluations || []).forEach((e, i) => addEval(r, e, c.evaluation_times[i]));
  }
}

function apply(update) {
  const r = run(update.run_id);
  const d = update.data;
  if (update.kind === 'train') {
    addTrainPoint(r, d, update.time);
  } else if (update.kind === 'eval') {
    addEval(r, d, update.time);
  } else if (update.kind === 'status') {
    r.status = d;
    if (d.params && Object.keys(d.params).length) r.params = d.params;
    if (d.total_steps) r.totalSteps = d.total_steps;
  }
}

function addTrainPoint(r, d, time) {
  const t = r.train;
  const n = t.step.length;
  if (n && d.step <= t.step[n - 1]) {
    if (t.step.indexOf(d.step) >= 0) return; // already known (the initial load and the stream overlap)
    const i = t.step.findIndex(s => s > d.step);
    t.step.splice(i, 0, d.step); t.loss.splice(i, 0, d.loss);
    t.eps.splice(i, 0, d.examples_per_second); t.time.splice(i, 0, time);
  } else {
    t.step.push(d.step); t.loss.push(d.loss); t.eps.push(d.examples_per_second); t.time.push(time);
  }
  r.trainStepsSeen++;
  if (d.total_steps) r.totalSteps = d.total_steps;
}

function addEval(r, e, time) {
  const i = r.evals.findIndex(x => x.step >= e.step);
  if (i >= 0 && r.evals[i].step === e.step) return;
  if (i === -1) { r.evals.push(e); r.evalTimes.push(time); } else { r.evals.splice(i, 0, e); r.evalTimes.splice(i, 0, time); }
  if (!r.best || e.accuracy > r.best.accuracy || (e.accuracy === r.best.accuracy && e.step < r.best.step)) r.best = e;
}

// ---- which runs, and where their points go on x -------------------------------------------------------------

function haystack(r) {
  return (r.id + ' ' + Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ')).toLowerCase();
}

function listedRuns() {
  const f = state.filter.trim().toLowerCase();
  return [...runs.values()].filter(r => !f || f.split(/\s+/).every(term => haystack(r).includes(term)));
}

function drawnRuns() {
  return listedRuns().filter(r => !state.hidden.has(r.id));
}

function batchSize(r) {
  const b = Number(r.params.batch_size);
  return b > 0 ? b : NaN;
}

function startTime(r) {
  const times = [];
  if (r.train.time.length) times.push(r.train.time[0]);
  if (r.evalTimes.length) times.push(r.evalTimes[0]);
  return times.length ? Math.min(...times) : 0;
}

// x of a point with this step and publish time (ms), in the chosen mode; NaN when the run cannot say.
function xOf(r, step, time) {
  switch (state.xMode) {
    case 'examples': return step * batchSize(r);
    case 'relative': return (time - startTime(r)) / 60000;
    case 'wall': return time / 1000;
    default: return step;
  }
}

// TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled to 0.
function smooth(values, weight) {
  if (weight <= 0) return values.slice();
  const out = new Array(values.length);
  let last = 0;
  let debias = 1;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i];
    debias *= weight;
    out[i] = last / (1 - debias);
  }
  return out;
}

// Aligns per-run [xs, ys] on one x array for uPlot. When the distinct x values in range exceed the budget, x is cut
// into `budget` equal buckets and each run draws the mean of its points in each bucket.
function align(perRun, budget) {
  let lo = Infinity, hi = -Infinity;
  const distinct = new Set();
  for (const [xs] of perRun) {
    for (const x of xs) {
      if (!Number.isFinite(x)) continue;
      if (state.xRange && (x < state.xRange[0] || x > state.xRange[1])) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (distinct.size <= 2 * budget) distinct.add(x);
    }
  }
  if (state.xRange) { lo = state.xRange[0]; hi = state.xRange[1]; }
  if (!(hi >= lo)) return [[], ...perRun.map(() => [])];
  const inRange = x => Number.isFinite(x) && x >= lo && x <= hi;
  if (distinct.size <= 2 * budget) {
    const xs = [...distinct].sort((a, b) => a - b);
    const index = new Map(xs.map((x, i) => [x, i]));
    return [xs, ...perRun.map(([rx, ry]) => {
      const ys = new Array(xs.length).fill(null);
      rx.forEach((x, i) => { if (inRange(x)) ys[index.get(x)] = ry[i]; });
      return ys;
    })];
  }
  const width = (hi - lo) / budget || 1;
  const xs = Array.from({ length: budget }, (_, i) => lo + (i + 0.5) * width);
  return [xs, ...perRun.map(([rx, ry]) => {
    const sum = new Float64Array(budget), count = new Uint32Array(budget);
    rx.forEach((x, i) => {
      if (!inRange(x)) return;
      const b = Math.min(budget - 1, Math.floor((x - lo) / width));
      sum[b] += ry[i]; count[b]++;
    });
    return Array.from(sum, (s, b) => count[b] ? s / count[b] : null);
  })];
}

// ---- charts -------------------------------------------------------------------------------------------------

function xLabel() {
  return { step: 'step', examples: 'examples seen', relative: 'minutes since the run started', wall: 'wall time' }[state.xMode];
}

function formatX(x) {
  if (x === null || x === undefined) return '';
  if (state.xMode === 'wall') return new Date(x * 1000).toLocaleTimeString();
  if (state.xMode === 'relative') return x.toFixed(2) + ' min';
  return Math.round(x).toLocaleString();
}

function chartWidth(container) {
  return Math.max(300, container.clientWidth || 600);
}

function buildChart(name, container, seriesRuns, data, yRange, points) {
  const tip = document.getElementById(name + '-tip');
  const opts = {
    width: chartWidth(container), height: 300,
    legend: { show: false },
    scales: { x: { time: state.xMode === 'wall' }, y: { range: yRange } },
    axes: [{ label: xLabel() }, {}],
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    series: [{ label: xLabel() }, ...seriesRuns.map(r => ({
      label: r.id, stroke: r.color, width: 1.5, spanGaps: true, points: { show: points, size: 5, fill: r.color },
    }))],
    hooks: {
      setSelect: [u => {
        if (u.select.width < 4) return;
        const lo = u.posToVal(u.select.left, 'x'), hi = u.posToVal(u.select.left + u.select.width, 'x');
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        state.xRange = [lo, hi];
        render();
      }],
      setCursor: [u => showTip(u, tip)],
    },
  };
  container.textContent = '';
  const chart = new uPlot(opts, data, container);
  chart.over.addEventListener('dblclick', () => { state.xRange = null; render(); });
  chart.over.addEventListener('mouseleave', () => { tip.hidden = true; });
  chart.runIds = seriesRuns.map(r => r.id).join('\n');
  return chart;
}

function showTip(u, tip) {
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined || u.cursor.left < 0) { tip.hidden = true; return; }
  const lines = [formatX(u.data[0][idx])];
  for (let s = 1; s < u.series.length; s++) {
    const v = u.data[s][idx];
    if (v !== null && v !== undefined) lines.push(`${u.series[s].label}: ${v.toFixed(4)}`);
  }
  if (lines.length === 1) { tip.hidden = true; return; }
  tip.textContent = lines.join('\n');
  tip.hidden = false;
  tip.style.left = (u.over.offsetLeft + u.cursor.left + 14) + 'px';
  tip.style.top = (u.over.offsetTop + u.cursor.top + 14) + 'px';
}

// y padded around the data: accuracy is scaled to its own range, not 0..1.
function paddedRange(u, min, max) {
  if (min === null || max === null) return [0, 1];
  const pad = Math.max((max - min) * 0.08, 0.005);
  return [min - pad, max + pad];
}

function drawChart(name, seriesRuns, data, points) {
  const container = document.getElementById(name + '-chart');
  const chart = charts[name];
  const ids = seriesRuns.map(r => r.id).join('\n');
  const sameShape = chart && chart.runIds === ids && chart.xMode === state.xMode
    && chart.width === chartWidth(container);
  if (sameShape) {
    chart.setData(data);
  } else {
    if (chart) chart.destroy();
    charts[name] = buildChart(name, container, seriesRuns, data, paddedRange, points);
    charts[name].xMode = state.xMode;
  }
  drawn[name] = { x: data[0], series: Object.fromEntries(seriesRuns.map((r, i) => [r.id, data[i + 1]])) };
}

function drawLoss(seriesRuns) {
  const budget = Math.floor(chartWidth(document.getElementById('loss-chart')));
  const perRun = seriesRuns.map(r => [r.train.step.map((s, i) => xOf(r, s, r.train.time[i])), smooth(r.train.loss, state.smoothing)]);
  drawChart('loss', seriesRuns, align(perRun, budget), false);
}

function drawAccuracy(seriesRuns) {
  const budget = Math.floor(chartWidth(document.getElementById('accuracy-chart')));
  const perRun = seriesRuns.map(r => [r.evals.map((e, i) => xOf(r, e.step, r.evalTimes[i])), r.evals.map(e => e.accuracy)]);
  drawChart('accuracy', seriesRuns, align(perRun, budget), true);
}

// ---- the run table ------------------------------------------------------------------------------------------

function lastStep(r) {
  const n = r.train.step.length;
  return Math.max(n ? r.train.step[n - 1] : 0, r.status ? r.status.step : 0);
}

function isFinished(r) {
  return r.status && (r.status.state === 'COMPLETED' || r.status.state === 'FAILED');
}

function examplesPerSecond(r) {
  const eps = r.train.eps;
  if (!eps.length || isFinished(r)) return NaN;
  const recent = eps.slice(-SPEED_WINDOW);
  return recent.reduce((a, b) => a + b, 0) / recent.length;
}

// Seconds left: remaining steps at the pace of the latest steps (publish times, so pauses count).
function etaSeconds(r) {
  const t = r.train;
  const n = t.step.length;
  if (isFinished(r) || n < 2 || !r.totalSteps) return NaN;
  const k = Math.max(0, n - 1 - SPEED_WINDOW);
  const steps = t.step[n - 1] - t.step[k];
  if (steps <= 0) return NaN;
  const seconds = (t.time[n - 1] - t.time[k]) / 1000;
  if (seconds <= 0) return NaN; // steps published all at once (a replay): no pace to go by
  return Math.max(0, r.totalSteps - t.step[n - 1]) * seconds / steps;
}

function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), rest = s % 60;
  return (h ? h + ':' + String(m).padStart(2, '0') : m) + ':' + String(rest).padStart(2, '0');
}

function fmt(x, digits) {
  return x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(digits);
}

// Hyper-parameters whose values are not the same in every run that announced its hyper-parameters (runs from
// before trainers announced them have none, and differ in nothing).
function differingParams(list) {
  const announced = list.filter(r => Object.keys(r.params).length);
  const keys = new Set(announced.flatMap(r => Object.keys(r.params)));
  return [...keys].filter(k => new Set(announced.map(r => r.params[k])).size > 1).sort();
}

function columns(list) {
  const base = [
    { key: 'shown', label: '', value: r => !state.hidden.has(r.id) },
    { key: 'run_id', label: 'run', id: true, value: r => r.id },
    { key: 'status', label: 'status', value: r => r.status ? r.status.state : (r.evals.length ? 'EVALUATED' : '–') },
    { key: 'progress', label: 'progress', value: r => r.totalSteps ? lastStep(r) / r.totalSteps : NaN,
      text: r => r.totalSteps ? `${lastStep(r)}/${r.totalSteps} (${(100 * lastStep(r) / r.totalSteps).toFixed(0)}%)` : '–' },
    { key: 'examples_per_second', label: 'examples/s', value: examplesPerSecond, text: r => fmt(examplesPerSecond(r), 1) },
    { key: 'eta', label: 'ETA', value: etaSeconds, text: r => formatDuration(etaSeconds(r)) },
    { key: 'best_accuracy', label: 'best accuracy', value: r => r.best ? r.best.accuracy : NaN, text: r => fmt(r.best && r.best.accuracy, 4) },
    { key: 'best_step', label: 'best step', value: r => r.best ? r.best.step : NaN, text: r => r.best ? String(r.best.step) : '–' },
  ];
  return base.concat(differingParams(list).map(k => ({
    key: 'param:' + k, label: k, param: true, value: r => {
      const v = r.params[k];
      return v !== undefined && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : (v === undefined ? null : v);
    },
  })));
}

function compare(a, b) {
  const missing = v => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
  if (missing(a) || missing(b)) return missing(a) - missing(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function renderTable() {
  const table = document.getElementById('run-table');
  const list = listedRuns();
  const cols = columns(list);
  const sortCol = cols.find(c => c.key === state.sort.key) || cols[1];
  const sorted = list.slice().sort((a, b) => {
    const va = sortCol.value(a), vb = sortCol.value(b);
    const missing = v => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
    if (missing(va) !== missing(vb)) return missing(va) ? 1 : -1; // runs without a value go last either way
    return (state.sort.desc ? -1 : 1) * compare(va, vb) || a.id.localeCompare(b.id);
  });
  const head = document.createElement('tr');
  for (const c of cols) {
    const th = document.createElement('th');
    th.textContent = c.label;
    th.dataset.key = c.key;
    if (c.id) th.className = 'id';
    if (c.key === sortCol.key) th.classList.add('sorted', state.sort.desc ? 'desc' : 'asc');
    if (c.key !== 'shown') th.addEventListener('click', () => sortBy(c.key));
    head.append(th);
  }
  table.tHead.replaceChildren(head);
  const rows = sorted.map(r => {
    const tr = document.createElement('tr');
    tr.dataset.run = r.id;
    if (r.id === state.focus) tr.className = 'focused';
    for (const c of cols) {
      const td = document.createElement('td');
      if (c.key === 'shown') {
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = !state.hidden.has(r.id);
        box.title = 'draw this run';
        box.addEventListener('change', () => { if (box.checked) state.hidden.delete(r.id); else state.hidden.add(r.id); render(); });
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = r.color;
        td.append(box, swatch);
      } else if (c.id) {
        td.className = 'id';
        const link = document.createElement('a');
        link.href = '#';
        link.textContent = r.id;
        link.addEventListener('click', ev => { ev.preventDefault(); focus(r.id); });
        td.append(link);
      } else {
        td.textContent = c.text ? c.text(r) : (c.param ? (r.params[c.key.slice(6)] ?? '–') : String(c.value(r)));
      }
      tr.append(td);
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

function sortBy(key) {
  state.sort = state.sort.key === key ? { key, desc: !state.sort.desc } : { key, desc: true };
  renderTable();
}

// ---- the chosen run: confusion matrix, predictions ----------------------------------------------------------

function focus(id) {
  state.focus = id;
  render();
}

function renderFocus() {
  const select = document.getElementById('focus-run');
  const ids = [...runs.keys()].sort();
  if (!state.focus || !runs.has(state.focus)) {
    // Until one is chosen: the best of the runs the filter lists.
    const best = listedRuns().filter(r => r.best).sort((a, b) => b.best.accuracy - a.best.accuracy)[0];
    state.focus = best ? best.id : ids[0] || null;
  }
  if (select.options.length !== ids.length || [...select.options].some((o, i) => o.value !== ids[i])) {
    select.replaceChildren(...ids.map(id => new Option(id, id)));
  }
  select.value = state.focus || '';
  const box = document.getElementById('confusion');
  const r = state.focus && runs.get(state.focus);
  if (!r || !r.best) { box.textContent = 'no evaluation yet'; return; }
  const m = r.best.confusion_matrix;
  const table = document.createElement('table');
  table.className = 'confusion';
  table.createCaption().textContent = `confusion matrix of the best checkpoint (step ${r.best.step}, accuracy ${fmt(r.best.accuracy, 4)}); rows true, columns predicted`;
  const head = table.insertRow();
  head.append(document.createElement('th'));
  m.forEach((_, j) => { const th = document.createElement('th'); th.textContent = 'predicted ' + j; head.append(th); });
  m.forEach((row, i) => {
    const tr = table.insertRow();
    const th = document.createElement('th');
    th.textContent = 'true ' + i;
    tr.append(th);
    row.forEach(v => { tr.insertCell().textContent = v; });
  });
  box.replaceChildren(table);
}

async function predict(ev) {
  ev.preventDefault();
  const out = document.getElementById('predict-output');
  const sentences = document.getElementById('predict-input').value.split('\n').map(s => s.trim()).filter(Boolean);
  if (!sentences.length) { out.textContent = 'type a sentence first'; return; }
  out.textContent = 'predicting…';
  try {
    const response = await fetch('api/predict', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ run_id: state.focus, sentences }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.message || body.error || `HTTP ${response.status}`);
    const table = document.createElement('table');
    table.className = 'runs';
    table.createCaption().textContent = `run ${body.run_id}, step ${body.step}`;
    for (const p of body.predictions) {
      const tr = table.insertRow();
      tr.insertCell().textContent = p.sentence;
      tr.insertCell().textContent = p.label;
      tr.insertCell().textContent = Object.entries(p.probabilities).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
    }
    out.replaceChildren(table);
  } catch (e) {
    out.innerHTML = '';
    const span = document.createElement('span');
    span.className = 'error';
    span.textContent = 'predict failed: ' + e.message;
    out.append(span);
  }
}

// ---- sweeps: shown only when the service has the sweep endpoints --------------------------------------------

async function loadSweeps() {
  const section = document.getElementById('sweeps');
  let sweeps;
  try {
    const response = await fetch('api/sweeps');
    if (!response.ok) { section.hidden = true; return; }
    sweeps = await response.json();
  } catch (e) {
    section.hidden = true;
    return;
  }
  if (!Array.isArray(sweeps) || !sweeps.length) { section.hidden = true; return; }
  section.hidden = false;
  const rows = sweeps.map(s => {
    const tr = document.createElement('tr');
    tr.dataset.sweep = s.sweep_id;
    const link = document.createElement('a');
    link.href = '#';
    link.textContent = s.sweep_id;
    link.addEventListener('click', ev => { ev.preventDefault(); showSweep(s.sweep_id); });
    const id = tr.insertCell();
    id.className = 'id';
    id.append(link);
    tr.insertCell().textContent = s.runs;
    tr.insertCell().textContent = s.best_run_id || '–';
    tr.insertCell().textContent = fmt(s.best_accuracy, 4);
    return tr;
  });
  document.querySelector('#sweep-list tbody').replaceChildren(...rows);
  if (state.sweep) showSweep(state.sweep);
}

async function showSweep(id) {
  state.sweep = id;
  const box = document.getElementById('sweep-detail');
  let sweep;
  try {
    const response = await fetch('api/sweeps/' + encodeURIComponent(id));
    if (!response.ok) { box.textContent = ''; return; }
    sweep = await response.json();
  } catch (e) {
    box.textContent = '';
    return;
  }
  const varied = sweep.varied || [];
  const ranked = (sweep.runs || []).slice().sort((a, b) => (b.best_accuracy ?? -1) - (a.best_accuracy ?? -1));
  const table = document.createElement('table');
  table.className = 'runs leaderboard';
  table.createCaption().textContent = `sweep ${sweep.sweep_id}: runs by best accuracy`;
  const head = table.createTHead().insertRow();
  for (const label of ['#', 'run', 'status', 'best accuracy', 'best step', ...varied]) {
    const th = document.createElement('th');
    th.textContent = label;
    head.append(th);
  }
  const body = table.createTBody();
  ranked.forEach((r, i) => {
    const tr = body.insertRow();
    tr.dataset.run = r.run_id;
    tr.insertCell().textContent = i + 1;
    const cell = tr.insertCell();
    cell.className = 'id';
    cell.textContent = r.run_id;
    tr.insertCell().textContent = r.status || '–';
    tr.insertCell().textContent = fmt(r.best_accuracy, 4);
    tr.insertCell().textContent = r.best_step ?? '–';
    for (const k of varied) tr.insertCell().textContent = (r.params || {})[k] ?? '–';
  });
  box.replaceChildren(table);
}

// ---- rendering, throttled: bursts of steps redraw at most a few times a second ------------------------------

let scheduled = false;
let lastRender = 0;

function render() {
  document.getElementById('empty').hidden = runs.size > 0;
  const shown = drawnRuns();
  drawLoss(shown);
  drawAccuracy(shown);
  renderTable();
  renderFocus();
  lastRender = performance.now();
}

function scheduleRender() {
  if (scheduled) return;
  scheduled = true;
  const wait = Math.max(0, 250 - (performance.now() - lastRender));
  setTimeout(() => requestAnimationFrame(() => { scheduled = false; render(); }), wait);
}

function bindControls() {
  document.getElementById('x-axis').addEventListener('change', ev => { state.xMode = ev.target.value; state.xRange = null; render(); });
  const slider = document.getElementById('smoothing');
  slider.addEventListener('input', () => {
    state.smoothing = Number(slider.value);
    document.getElementById('smoothing-value').textContent = state.smoothing.toFixed(2);
    drawLoss(drawnRuns());
  });
  document.getElementById('filter').addEventListener('input', ev => {
    state.filter = ev.target.value;
    state.xRange = null;
    if (state.focus && !listedRuns().some(r => r.id === state.focus)) state.focus = null; // chosen anew among the listed
    render();
  });
  document.getElementById('focus-run').addEventListener('change', ev => focus(ev.target.value));
  document.getElementById('predict-form').addEventListener('submit', predict);
  let resizeTimer;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(render, 200); });
}

// The stream opens first and buffers, so nothing published while the history loads is lost.
function start() {
  bindControls();
  const connection = document.getElementById('connection');
  let loaded = false;
  const early = [];
  const source = new EventSource('api/events');
  source.onopen = () => { connection.textContent = 'live'; connection.className = 'connection live'; };
  source.onerror = () => { connection.textContent = 'reconnecting…'; connection.className = 'connection'; };
  source.onmessage = msg => {
    const update = JSON.parse(msg.data);
    if (!loaded) { early.push(update); return; }
    apply(update);
    scheduleRender();
  };
  fetch('api/curves').then(r => r.json()).then(curves => {
    load(curves);
    early.forEach(apply);
    loaded = true;
    render();
  });
  loadSweeps();
  setInterval(loadSweeps, 15000);
}

window.dashboard = { runs, state, charts, drawn, render, apply, drawLoss: () => drawLoss(drawnRuns()) };
start();
