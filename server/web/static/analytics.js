// The search analytics page (/admin/analytics): the admin key typed into the
// page (kept in sessionStorage, never in the URL), then the four reports of
// /api/admin/analytics as tables and a plain SVG chart, from their JSON.
import { articleHref, BASE } from './page.js';
import { el } from './render.js';

const $ = (id) => document.getElementById(id);
const KEY = 'folio.adminKey';
const SVG = 'http://www.w3.org/2000/svg';

function adminKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}
function setAdminKey(k) {
  try { if (k) sessionStorage.setItem(KEY, k); else sessionStorage.removeItem(KEY); } catch { /* storage disabled */ }
}

// report fetches one report's JSON with the admin key; a failure throws
// with the API's message and status.
async function report(name, params) {
  const res = await fetch(`${BASE}/api/admin/analytics/${name}?${params}`, {
    headers: { Accept: 'application/json', Authorization: 'Bearer ' + adminKey() },
  });
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = new Error((body && body.error && body.error.message) || `The server answered ${res.status}.`);
    e.status = res.status;
    throw e;
  }
  return body;
}

const num = (v, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (v) => `${num(v * 100, 0)} %`;

function cell(text, cls) {
  const td = el('td', cls || '');
  td.append(text);
  return td;
}

// fill replaces the rows of table id with one row per item (made by row),
// or one "nothing yet" row.
function fill(id, items, row) {
  const body = $(id).tBodies[0];
  const cols = $(id).tHead.rows[0].cells.length;
  if (items.length === 0) {
    const td = cell('Nothing recorded in this range.', 'empty');
    td.colSpan = cols;
    const tr = el('tr');
    tr.append(td);
    body.replaceChildren(tr);
    return;
  }
  body.replaceChildren(...items.map((r) => {
    const tr = el('tr');
    tr.append(...row(r));
    return tr;
  }));
}

function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

// chart draws the volume rows as bars (searches) with their zero-result
// part in the error colour, a few date labels below, the maximum at the left.
function chart(rows, interval) {
  const box = $('chart');
  if (rows.length === 0) {
    box.replaceChildren(el('p', 'note', 'No searches recorded in this range.'));
    return;
  }
  const W = 720, H = 200, left = 36, bottom = 22, top = 8;
  const max = Math.max(1, ...rows.map((r) => r.searches));
  const bw = (W - left) / rows.length;
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title' });
  s.append(svg('title', { id: 'chart-title' }, `Searches per ${interval}: at most ${max}`));
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  s.append(svg('line', { class: 'axis', x1: left, y1: H - bottom, x2: W, y2: H - bottom }));
  s.append(svg('text', { x: left - 4, y: top + 10, 'text-anchor': 'end' }, String(max)));
  s.append(svg('text', { x: left - 4, y: H - bottom, 'text-anchor': 'end' }, '0'));
  const label = (t) => (interval === 'hour' ? t.slice(5, 13).replace('T', ' ') + 'h' : t.slice(0, 10));
  const every = Math.max(1, Math.ceil(rows.length / 6));
  rows.forEach((r, i) => {
    const x = left + i * bw + bw * 0.1, w = Math.max(1, bw * 0.8);
    const g = svg('g', { class: 'bucket' });
    g.append(svg('title', {}, `${label(r.start)}: ${r.searches} searches, ${r.zero_results} found nothing`));
    g.append(svg('rect', { class: 'searches', x, y: y(r.searches), width: w, height: H - bottom - y(r.searches) }));
    if (r.zero_results > 0) g.append(svg('rect', { class: 'zero', x, y: y(r.zero_results), width: w, height: H - bottom - y(r.zero_results) }));
    s.append(g);
    if (i % every === 0) s.append(svg('text', { x: left + i * bw, y: H - 6 }, label(r.start)));
  });
  const legend = el('p', 'legend');
  const key = (cls, text) => { const sp = el('span'); sp.append(el('span', 'swatch ' + cls), text); return sp; };
  legend.append(key('searches', 'searches'), key('zero', 'found nothing'));
  box.replaceChildren(s, legend);
}

function showError(e) {
  $('error').textContent = e.message;
  $('error').hidden = false;
  if (e.status === 401 || e.status === 403) {
    $('reports').hidden = true;
    $('range').hidden = true;
    $('keyform').hidden = false;
    $('adminkey').focus();
  }
}

// load fetches the four reports for the range and draws them.
async function load() {
  const p = new URLSearchParams();
  if ($('from').value) p.set('from', $('from').value);
  if ($('to').value) p.set('to', $('to').value);
  const interval = $('interval').value;
  const lp = new URLSearchParams(p);
  lp.set('limit', '50');
  const vp = new URLSearchParams(p);
  vp.set('interval', interval);
  document.body.setAttribute('aria-busy', 'true');
  try {
    const [volume, queries, zero, articles] = await Promise.all([
      report('volume', vp), report('queries', lp), report('zero-results', lp), report('articles', lp)]);
    $('error').hidden = true;
    $('keyform').hidden = true;
    $('range').hidden = false;
    $('reports').hidden = false;
    const total = volume.rows.reduce((n, r) => n + r.searches, 0);
    const zeros = volume.rows.reduce((n, r) => n + r.zero_results, 0);
    $('volume-summary').textContent = `${num(total)} searches, ${num(zeros)} found nothing` + (total ? ` (${pct(zeros / total)}).` : '.');
    // In a cluster every report counts the nodes that answered; say which did not.
    const nodes = volume.nodes;
    $('nodes').hidden = !nodes;
    if (nodes) {
      const missing = [...nodes.missing, ...Object.keys(nodes.failed || {})];
      $('nodes').textContent = `Counted nodes: ${nodes.answered.join(', ')}.` +
        (missing.length ? ` Not counted (did not answer): ${missing.join(', ')}.` : '');
      $('nodes').className = missing.length ? 'error' : 'note';
    }
    chart(volume.rows, interval);
    fill('queries', queries.rows, (r) => [cell(r.query), cell(num(r.count), 'num'), cell(num(r.mean_hits, 1), 'num'),
      cell(num(r.clicks), 'num'), cell(pct(r.ctr), 'num'), cell(r.clicks ? num(r.mean_click_position, 1) : '–', 'num')]);
    fill('zero', zero.rows, (r) => [cell(r.query), cell(num(r.count), 'num'), cell(r.suggestion || '–')]);
    fill('articles', articles.rows, (r) => {
      const a = el('a', '', r.id);
      a.href = articleHref(r.id);
      return [cell(a), cell(num(r.clicks), 'num'), cell(num(r.mean_position, 1), 'num'),
        cell(r.queries.map((q) => `${q.query} (${q.clicks})`).join(', '))];
    });
  } catch (e) {
    showError(e);
  } finally {
    document.body.removeAttribute('aria-busy');
  }
}

$('keyform').addEventListener('submit', (e) => {
  e.preventDefault();
  setAdminKey($('adminkey').value.trim());
  $('adminkey').value = '';
  load();
});
$('forget').addEventListener('click', () => {
  setAdminKey('');
  $('reports').hidden = true;
  $('range').hidden = true;
  $('keyform').hidden = false;
});
for (const id of ['from', 'to', 'interval']) $(id).addEventListener('change', load);

if (adminKey()) load();
else $('keyform').hidden = false;
