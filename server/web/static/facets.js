// The search page's facet sidebar: which facets it asks the API for, the
// values chosen in them (kept in the page URL as filter=field:value, the
// API's own form) and their rendering as checkboxes (source, tags and the
// index's keyword fields) and year / month buttons (date, which sets the
// from / to bounds). The API counts disjunctively within a facet (a chosen
// value keeps the other values' counts) and conjunctively across facets.
import { el } from './render.js';

// SHOWN is how many values a facet lists before its "Show more" control.
export const SHOWN = 10;
// MAX is the API's largest facet_size: what "Show more" lists.
const MAX = 200;

// FIELDS are the keyword facets, in sidebar order: source, tags, then the
// index's keyword fields (index.keyword_fields, from <html data-keyword-fields>).
export const FIELDS = ['source', 'tags', ...(document.documentElement.dataset.keywordFields || '').split(/\s+/).filter(Boolean)];

const LABELS = { source: 'Source', tags: 'Tags', date: 'Date' };
const label = (f) => LABELS[f] || f.charAt(0).toUpperCase() + f.slice(1).replace(/_/g, ' ');

// readFilters returns the chosen values of URL params p (filter=field:value,
// repeatable) by field, for the facet fields only, each value once.
export function readFilters(p) {
  const out = {};
  for (const f of p.getAll('filter')) {
    const i = f.indexOf(':');
    const field = f.slice(0, i), value = f.slice(i + 1);
    if (i <= 0 || !value || !FIELDS.includes(field)) continue;
    const vs = out[field] || (out[field] = []);
    if (!vs.includes(value)) vs.push(value);
  }
  return out;
}

// appendFilters appends the chosen values as filter=field:value params to p,
// in sidebar order, so one state has one URL.
export function appendFilters(p, filters) {
  for (const f of FIELDS) for (const v of filters[f] || []) p.append('filter', `${f}:${v}`);
}

// expanded are the facets whose "Show more" is open (kept for the tab's life, not in the URL).
const expanded = new Set();

// facetParams adds to the /api/search params p the facets the sidebar
// shows and the chosen filters: one more value than shown, so that the
// sidebar knows whether to offer "Show more".
export function facetParams(p, filters) {
  p.set('facets', ['date', ...FIELDS].join(','));
  p.set('facet_size', String(expanded.size > 0 ? MAX : SHOWN + 1));
  appendFilters(p, filters);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// bounds are the from / to days of a year ("1987") or month ("1987-03") bucket.
export function bounds(value) {
  const [y, m] = value.split('-').map(Number);
  if (!m) return { from: `${y}-01-01`, to: `${y}-12-31` };
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, '0');
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${last}` };
}

const isBucket = (st, value) => {
  const b = bounds(value);
  return st.from === b.from && st.to === b.to;
};

// renderFacets fills the sidebar box with the answer r's facets for the
// state st. on.filter(field, values) is called when the chosen values of a
// field change, on.dates(from, to) when a year or month is chosen ('' to
// clear), on.more() when a facet's "Show more" changes what to ask for.
// Keyboard focus stays on the control it was on across the re-render.
export function renderFacets(box, st, r, on) {
  const focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement.dataset.key : '';
  const byField = {};
  for (const f of r.facets || []) (byField[f.field] || (byField[f.field] = [])).push(f);
  const parts = [];
  const date = dateFacet(st, byField.date || [], on);
  if (date) parts.push(date);
  for (const f of FIELDS) {
    const part = keywordFacet(f, st.filters[f] || [], (byField[f] || [])[0], on);
    if (part) parts.push(part);
  }
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
  if (focused) {
    const again = [...box.querySelectorAll('[data-key]')].find((e) => e.dataset.key === focused);
    if (again) again.focus();
  }
}

// keywordFacet is the fieldset of one keyword facet: a checkbox per value
// with its count (chosen values always listed, also beyond the first
// SHOWN), and "Show more" / "Show fewer" when there are more than SHOWN.
function keywordFacet(field, chosen, facet, on) {
  const buckets = facet ? facet.buckets : [];
  if (buckets.length === 0 && chosen.length === 0) return null;
  const open = expanded.has(field);
  const listed = open ? buckets : buckets.slice(0, SHOWN);
  const values = listed.map((b) => [b.value, b.count]);
  for (const v of chosen) if (!values.some(([x]) => x === v)) values.push([v, buckets.find((b) => b.value === v)?.count]);
  const fs = el('fieldset', 'facet');
  fs.dataset.field = field;
  fs.append(el('legend', '', label(field)));
  const ul = el('ul');
  for (const [value, count] of values) {
    const box = el('input');
    box.type = 'checkbox';
    box.checked = chosen.includes(value);
    box.dataset.key = `${field}:${value}`;
    box.addEventListener('change', () => {
      on.filter(field, box.checked ? [...chosen, value] : chosen.filter((v) => v !== value));
    });
    const lab = el('label');
    lab.append(box, ' ', el('span', 'value', value));
    if (count !== undefined) lab.append(' ', el('span', 'count', count.toLocaleString('en')));
    const li = el('li');
    li.append(lab);
    ul.append(li);
  }
  fs.append(ul);
  if (buckets.length > SHOWN || open) {
    const more = el('button', 'more', open ? 'Show fewer' : 'Show more');
    more.type = 'button';
    more.dataset.key = `${field}:more`;
    more.setAttribute('aria-expanded', String(open));
    more.setAttribute('aria-label', `${open ? 'Show fewer' : 'Show more'} ${label(field).toLowerCase()}`);
    more.addEventListener('click', () => {
      if (open) expanded.delete(field);
      else expanded.add(field);
      on.more();
    });
    fs.append(more);
  }
  return fs;
}

// dateFacet is the fieldset of the date facet: a button per year, and the
// months of the chosen year (or of the only year); pressing the chosen one
// again clears the bounds.
function dateFacet(st, facets, on) {
  const years = facets.find((f) => f.interval === 'year')?.buckets || [];
  const months = facets.find((f) => f.interval === 'month')?.buckets || [];
  if (years.length === 0) return null;
  const fs = el('fieldset', 'facet dates-facet');
  fs.dataset.field = 'date';
  fs.append(el('legend', '', label('date')));
  const button = (value, text, count, cls) => {
    const on_ = isBucket(st, value);
    const b = el('button', cls);
    b.type = 'button';
    b.dataset.key = `date:${value}`;
    b.dataset.value = value;
    b.setAttribute('aria-pressed', String(on_));
    b.append(el('span', 'value', text), ' ', el('span', 'count', count.toLocaleString('en')));
    b.addEventListener('click', () => {
      const bd = on_ ? { from: '', to: '' } : bounds(value);
      on.dates(bd.from, bd.to);
    });
    const li = el('li');
    li.append(b);
    return li;
  };
  const ul = el('ul', 'years');
  const shownYear = years.length === 1 ? years[0].value : years.find((y) => st.from.startsWith(y.value + '-') && st.to.startsWith(y.value + '-'))?.value;
  for (const y of years.slice().reverse()) {
    ul.append(button(y.value, y.value, y.count, 'year'));
    if (y.value !== shownYear) continue;
    const sub = el('ul', 'months');
    sub.setAttribute('aria-label', `Months of ${y.value}`);
    for (const m of months.filter((x) => x.value.startsWith(y.value + '-'))) {
      sub.append(button(m.value, `${MONTHS[Number(m.value.slice(5)) - 1]} ${y.value}`, m.count, 'month'));
    }
    ul.lastChild.append(sub);
  }
  fs.append(ul);
  return fs;
}
