/**
 * `GET /` of `fewprompt serve`: one self-contained page (no CDN, no build step) to try the mounted models — pick a
 * classifier or a Taskflow task, type or paste texts (one per line), and see what came back drawn as a person would
 * look at it: labels with probability bars, entities highlighted in the text, words and POS tags as chips, a parse as
 * arcs over the words, corrections marked. It calls the same JSON API as any client (`GET /v1/models`,
 * `POST /v1/models/NAME:predict`), asking for the API key when the server wants one.
 */

const STYLE = `
[hidden] { display: none !important; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.3rem; } select, textarea, button, input { font: inherit; }
textarea { width: 100%; box-sizing: border-box; min-height: 6rem; }
.row { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }
.result { border-top: 1px solid #ddd; padding: .6rem 0; }
.text { color: #555; margin-bottom: .3rem; }
.bar { display: flex; align-items: center; gap: .5rem; }
.bar .name { width: 8rem; text-align: right; }
.bar .track { flex: 1; background: #eee; height: .9rem; border-radius: 3px; }
.bar .fill { background: #4a7bd0; height: 100%; border-radius: 3px; }
.bar.top .fill { background: #2a9d5b; }
.chip { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 0 .3rem; margin: .1rem; }
.chip sub { color: #777; margin-left: .15rem; }
mark { border-radius: 3px; padding: 0 .15rem; }
mark sub { color: #555; margin-left: .1rem; }
ins { background: #c8f0c8; text-decoration: none; } del { background: #f6c6c6; }
.error { color: #b00020; } svg text { font-size: 14px; } svg .rel { font-size: 11px; fill: #555; }
`;

const SCRIPT = `
const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...kids) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const k of kids) e.append(k);
  return e;
};
let apiKey = '';
const headers = () => (apiKey ? { 'X-API-Key': apiKey } : {});

async function loadModels() {
  const res = await fetch('/v1/models', { headers: headers() });
  if (res.status === 401) {
    $('#auth').hidden = false;
    $('#status').textContent = 'this server needs an API key';
    return;
  }
  const { models } = await res.json();
  const select = $('#model');
  select.replaceChildren();
  for (const [name, info] of Object.entries(models)) {
    const what = info.kind === 'taskflow' ? info.task : (info.labels || []).join(' / ');
    select.append(el('option', { value: name, textContent: name + ' — ' + what }));
  }
  $('#status').textContent = Object.keys(models).length + ' model(s) mounted';
}

function bars(p) {
  const probs = p.probabilities || { [p.label]: p.score };
  const rows = Object.entries(probs).sort((a, b) => b[1] - a[1]);
  return el('div', {}, ...rows.map(([label, v]) => {
    const fill = el('div', { className: 'fill' });
    fill.style.width = (100 * v).toFixed(1) + '%';
    return el('div', { className: 'bar' + (label === p.label ? ' top' : '') },
      el('span', { className: 'name', textContent: label }), el('span', { className: 'track' }, fill),
      el('span', { className: 'value', textContent: v.toFixed(3) }));
  }));
}

const COLORS = { PER: '#ffd6a5', LOC: '#caffbf', ORG: '#9bf6ff', TIME: '#ffc6ff' };
const ENTITY = /^(PER|LOC|ORG|TIME|nr|ns|nt|t|PERSON|ORGANIZATION|LOCATION)$/;
function pairs(list) {
  const entities = list.some(([, tag]) => ENTITY.test(tag));
  return el('div', {}, ...list.map(([word, tag]) => {
    if (!entities) return el('span', { className: 'chip' }, word, el('sub', { textContent: tag }));
    if (!ENTITY.test(tag)) return document.createTextNode(word);
    const m = el('mark', {}, word, el('sub', { textContent: tag }));
    m.style.background = COLORS[tag] || '#fdffb6';
    return m;
  }));
}

function arcs(p) {
  const words = p.word, left = [], mid = [];
  let at = 10;
  for (const w of words) { left.push(at); mid.push(at + 8 * w.length); at += 16 * w.length + 28; }
  const span = (i) => Math.abs(p.head[i] - 1 - i);
  const height = 30 + 24 * Math.max(1, ...words.map((_, i) => (p.head[i] === 0 ? 0 : span(i))));
  const ns = 'http://www.w3.org/2000/svg', svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', at); svg.setAttribute('height', height + 30);
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
  };
  words.forEach((w, i) => {
    add('text', { x: left[i], y: height + 22 }, w);
    const h = p.head[i];
    if (h === 0) { add('text', { class: 'rel', x: mid[i] - 10, y: 12, fill: '#2a9d5b' }, p.deprel[i]); return; }
    const from = mid[h - 1], to = mid[i], top = height - 32 * span(i);
    add('path', { class: 'arc', fill: 'none', stroke: '#4a7bd0',
      d: 'M' + from + ',' + height + ' C' + from + ',' + top + ' ' + to + ',' + top + ' ' + to + ',' + (height - 4) });
    add('circle', { cx: to, cy: height - 4, r: 2.5, fill: '#4a7bd0' });
    add('text', { class: 'rel', x: (from + to) / 2 - 10, y: height - 0.75 * (height - top) - 3 }, p.deprel[i]);
  });
  return svg;
}

function corrections(p) {
  const chars = [...p.source], out = el('div', {});
  const wrong = new Map((p.errors || []).map((e) => [e.position, e.correction]));
  chars.forEach((c, i) => {
    const fix = wrong.get(i);
    if (!fix) { out.append(c); return; }
    out.append(el('del', { textContent: c }), el('ins', { textContent: Object.values(fix)[0] }));
  });
  return out;
}

function render(p) {
  if (Array.isArray(p) && p.every((x) => typeof x === 'string'))
    return el('div', {}, ...p.map((w) => el('span', { className: 'chip', textContent: w })));
  if (Array.isArray(p) && p.every((x) => Array.isArray(x) && x.length === 2)) return pairs(p);
  if (p && Array.isArray(p.word) && Array.isArray(p.head)) return arcs(p);
  if (p && typeof p.source === 'string' && 'target' in p) return corrections(p);
  if (p && typeof p.label === 'string') return bars(p);
  return el('pre', { textContent: typeof p === 'string' ? p : JSON.stringify(p, null, 1) });
}

async function run(event) {
  event.preventDefault();
  const texts = $('#texts').value.split('\\n').map((t) => t.trim()).filter((t) => t.length > 0);
  const name = $('#model').value;
  $('#results').replaceChildren();
  if (texts.length === 0 || !name) return;
  $('#status').textContent = 'running…';
  const res = await fetch('/v1/models/' + encodeURIComponent(name) + ':predict', {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers() }, body: JSON.stringify({ texts }),
  });
  const body = await res.json();
  if (!res.ok) {
    $('#results').append(el('div', { className: 'error', textContent: body.error || res.statusText }));
    $('#status').textContent = 'error ' + res.status;
    return;
  }
  body.predictions.forEach((p, i) => $('#results').append(
    el('div', { className: 'result' }, el('div', { className: 'text', textContent: texts[i] }), render(p))));
  $('#status').textContent = texts.length + ' text(s)';
}

$('#form').addEventListener('submit', run);
$('#auth').addEventListener('submit', (e) => {
  e.preventDefault();
  apiKey = $('#key').value;
  $('#auth').hidden = true;
  loadModels();
});
loadModels();
`;

/** The page (HTML with its style and script inline). */
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><title>fewprompt playground</title><style>${STYLE}</style></head>
<body>
<h1>fewprompt playground</h1>
<form id="auth" hidden class="row"><input id="key" type="password" placeholder="API key"><button>use key</button></form>
<form id="form">
  <div class="row"><label for="model">model</label><select id="model"></select><span id="status"></span></div>
  <textarea id="texts" placeholder="one text per line">物流很快，很满意
三亚是一个美丽的城市</textarea>
  <div class="row"><button id="run" type="submit">run</button></div>
</form>
<div id="results"></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
