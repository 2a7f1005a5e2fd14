// Live dashboard: loads /api/runs?detail=true once, then follows /api/events (server-sent events).
// No framework and no build step: the charts are a few SVG polylines drawn here.
'use strict';

const runs = new Map(); // run id -> {run_id, status, train_steps: [], evaluations: [], best}
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, attrs, text) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function fmt(x, digits) { return x === undefined || x === null || Number.isNaN(x) ? '–' : Number(x).toFixed(digits); }

function bestOf(evaluations) {
  let best = null;
  for (const e of evaluations) if (!best || e.accuracy > best.accuracy) best = e;
  return best;
}

function upsert(runId) {
  if (!runs.has(runId)) runs.set(runId, { run_id: runId, status: null, train_steps: [], evaluations: [], best: null });
  return runs.get(runId);
}

function insertByStep(list, item) {
  const i = list.findIndex(x => x.step >= item.step);
  if (i === -1) list.push(item);
  else if (list[i].step === item.step) list[i] = item;
  else list.splice(i, 0, item);
}

// A line chart: series = [{cls, points: [[x, y], ...]}]; y range fixed when given (accuracy is 0..1).
function chart(series, yMin, yMax, yLabel) {
  const w = 360, h = 140, left = 34, right = 8, top = 8, bottom = 18;
  const svg = el('svg:svg', { class: 'chart', viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none' });
  const all = series.flatMap(s => s.points);
  const xs = all.map(p => p[0]);
  const ys = all.map(p => p[1]);
  const x0 = xs.length ? Math.min(...xs) : 0, x1 = xs.length ? Math.max(...xs) : 1;
  const y0 = yMin !== undefined ? yMin : (ys.length ? Math.min(...ys) : 0);
  const y1 = yMax !== undefined ? yMax : (ys.length ? Math.max(...ys) : 1);
  const sx = x => left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (w - left - right);
  const sy = y => top + (1 - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0))) * (h - top - bottom);
  svg.append(el('svg:line', { class: 'axis', x1: left, y1: h - bottom, x2: w - right, y2: h - bottom }));
  svg.append(el('svg:line', { class: 'axis', x1: left, y1: top, x2: left, y2: h - bottom }));
  svg.append(el('svg:text', { class: 'label', x: 2, y: top + 8 }, fmt(y1, 2)));
  svg.append(el('svg:text', { class: 'label', x: 2, y: h - bottom }, fmt(y0, 2)));
  svg.append(el('svg:text', { class: 'label', x: left, y: h - 4 }, `step ${x0}`));
  svg.append(el('svg:text', { class: 'label', x: w - right - 50, y: h - 4 }, `step ${x1}`));
  svg.append(el('svg:text', { class: 'label', x: left + 4, y: top + 8 }, yLabel));
  for (const s of series) {
    if (!s.points.length) continue;
    svg.append(el('svg:polyline', {
      class: s.cls,
      points: s.points.map(p => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' '),
      'data-points': s.points.map(p => `${p[0]}:${p[1]}`).join(' '),
    }));
    if (s.dots) for (const p of s.points) svg.append(el('svg:circle', { class: 'point', cx: sx(p[0]), cy: sy(p[1]), r: 2.5 }));
  }
  return svg;
}

function confusion(best) {
  const table = el('table', { class: 'confusion' });
  const head = el('tr');
  head.append(el('th', {}, 'true \\ predicted'));
  best.confusion_matrix.forEach((_, c) => head.append(el('th', {}, String(c))));
  table.append(head);
  best.confusion_matrix.forEach((row, r) => {
    const tr = el('tr');
    tr.append(el('th', {}, String(r)));
    row.forEach((count, c) => tr.append(el('td', { class: r === c ? 'diagonal' : '' }, String(count))));
    table.append(tr);
  });
  return table;
}

function render(run) {
  const id = 'run-' + run.run_id;
  let card = document.getElementById(id);
  if (!card) {
    card = el('section', { class: 'run', id, 'data-run': run.run_id });
    const all = [...runs.keys()].sort();
    const next = all.slice(all.indexOf(run.run_id) + 1).map(r => document.getElementById('run-' + r)).find(Boolean);
    document.getElementById('runs').insertBefore(card, next || null);
    document.getElementById('empty').hidden = true;
  }
  card.replaceChildren();
  const latest = run.evaluations[run.evaluations.length - 1];
  const lastTrain = run.train_steps[run.train_steps.length - 1];
  run.best = bestOf(run.evaluations);
  card.append(el('h2', {}, run.run_id));
  const facts = el('div', { class: 'facts' });
  const fact = (name, value) => { const s = el('span'); s.append(name + ' '); s.append(el('b', {}, value)); facts.append(s); };
  fact('status', run.status ? `${run.status.state} ${run.status.step}/${run.status.total_steps}` : '–');
  fact('step', lastTrain ? String(lastTrain.step) : (latest ? String(latest.step) : '–'));
  fact('accuracy', latest ? fmt(latest.accuracy, 4) : '–');
  fact('best', run.best ? `${fmt(run.best.accuracy, 4)} @ ${run.best.step}` : '–');
  fact('macro F1', latest ? fmt(latest.macro_f1, 4) : '–');
  card.append(facts);

  card.append(el('div', { class: 'chart-title' }, 'loss (train solid, validation dashed)'));
  card.append(chart([
    { cls: 'loss-curve', points: run.train_steps.map(s => [s.step, s.loss]) },
    { cls: 'eval-loss-curve', points: run.evaluations.map(e => [e.step, e.loss]) },
  ], undefined, undefined, 'loss'));

  card.append(el('div', { class: 'chart-title' }, 'validation accuracy'));
  const accuracy = chart([{ cls: 'accuracy-curve', dots: true, points: run.evaluations.map(e => [e.step, e.accuracy]) }],
    0, 1, 'accuracy');
  accuracy.classList.add('accuracy-chart');
  card.append(accuracy);

  if (run.best) {
    card.append(el('div', { class: 'chart-title' }, `confusion matrix of the best checkpoint (step ${run.best.step}, n=${run.best.examples})`));
    card.append(confusion(run.best));
  }
}

function apply(update) {
  const run = upsert(update.run_id);
  if (update.kind === 'train') insertByStep(run.train_steps, update.data);
  else if (update.kind === 'eval') insertByStep(run.evaluations, update.data);
  else if (update.kind === 'status') run.status = update.data;
  render(run);
}

async function load() {
  const response = await fetch('api/runs?detail=true');
  for (const r of await response.json()) {
    const run = upsert(r.run_id);
    run.status = r.status || null;
    for (const s of r.train_steps || []) insertByStep(run.train_steps, s);
    for (const e of r.evaluations || []) insertByStep(run.evaluations, e);
    render(run);
  }
}

function follow() {
  const connection = document.getElementById('connection');
  const events = new EventSource('api/events');
  events.onopen = () => { connection.textContent = 'live'; connection.classList.add('live'); };
  events.onerror = () => { connection.textContent = 'reconnecting…'; connection.classList.remove('live'); };
  events.onmessage = message => apply(JSON.parse(message.data));
}

// Follow first, then load: an event that arrives during the load is applied either way (by step, idempotent).
follow();
load().catch(e => { document.getElementById('connection').textContent = 'cannot load runs: ' + e; });
