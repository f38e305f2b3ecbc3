// The search page: state in the URL, search as you type, keyboard navigation.
import { api, ApiError, appendMeta, articleHref, BASE, sendClick, setSearchKey } from './page.js';
import { appendMarked, echo, el, safeHref } from './render.js';
import { appendFilters, facetParams, readFilters, renderFacets } from './facets.js';
import { renderPager } from './pager.js';

const PAGE_SIZE = 10;
const DEBOUNCE_MS = 200;
// URL sort names → API sort values.
const SORTS = { relevance: 'relevance', newest: '-date', oldest: 'date' };

const $ = (id) => document.getElementById(id);
const form = $('search'), q = $('q'), from = $('from'), to = $('to'), sort = $('sort');
const status = $('status'), errorBox = $('error'), keyForm = $('keyform'), results = $('results');
const suggestion = $('suggestion');
const empty = $('empty'), pager = $('pager');
const facetBox = $('facets'), facetDetails = $('facets-details');
const ranges = [...document.querySelectorAll('[data-range]')];
const relevance = sort.querySelector('option[value=relevance]');

// readState parses the page's URL query into a search state.
function readState(search) {
  const p = new URLSearchParams(search);
  const s = p.get('sort') || 'relevance';
  const page = parseInt(p.get('page') || '1', 10);
  return {
    q: p.get('q') || '',
    from: p.get('from') || '',
    to: p.get('to') || '',
    sort: s in SORTS ? s : 'relevance',
    page: page > 0 ? page : 1,
    filters: readFilters(p),
    cursor: p.get('cursor') || '', // a page past search.max_window, reached by Next
  };
}

// stateURL is the page URL of a state; defaults are left out.
function stateURL(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  if (st.from) p.set('from', st.from);
  if (st.to) p.set('to', st.to);
  appendFilters(p, st.filters);
  if (st.sort !== 'relevance') p.set('sort', st.sort);
  if (st.cursor) p.set('cursor', st.cursor);
  else if (st.page > 1) p.set('page', String(st.page));
  const s = p.toString();
  return BASE + '/' + (s ? '?' + s : '');
}

// chosenSort is the sort of the state, which the sort control may not show:
// a browse (no query) has no relevance, so the index sorts it newest first
// and the control says so, while a query typed next is still sorted by
// relevance unless the user picks another sort.
let chosenSort = 'relevance';
// chosenFilters are the values chosen in the facet sidebar, by field.
let chosenFilters = {};

function controlsState(page = 1) {
  return { q: q.value.trim(), from: from.value, to: to.value, sort: chosenSort, page, filters: chosenFilters, cursor: '' };
}

function fillControls(st) {
  q.value = st.q;
  from.value = st.from;
  to.value = st.to;
  chosenSort = st.sort;
  chosenFilters = st.filters;
  showSort(st);
  markRange();
}

// showSort sets the sort control to the sort the search of st really uses.
function showSort(st) {
  const browse = !st.q;
  relevance.disabled = browse;
  relevance.textContent = browse ? 'Relevance (needs a query)' : 'Relevance';
  sort.value = browse && st.sort === 'relevance' ? 'newest' : st.sort;
}

// typingEntry says that the current history entry was pushed while typing:
// later keystrokes replace it, so Back skips the intermediate prefixes.
let typingEntry = false;

function commit(st, typing) {
  const url = stateURL(st);
  if (url !== location.pathname + location.search) {
    if (typing && typingEntry) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
  }
  typingEntry = typing;
  run(st, typing);
}

// requestParams are the /api/search parameters of a state: the one place
// that says what the page sends.
// While typing, input that is not yet valid syntax (an unclosed quote) is
// searched as text rather than answered with an error.
function requestParams(st, typing) {
  const p = new URLSearchParams({ q: st.q, sort: SORTS[st.sort], page: String(st.page), size: String(PAGE_SIZE) });
  if (typing && (st.q.match(/"/g) || []).length % 2 === 1) p.set('mode', 'text');
  if (typing) p.set('as_you_type', 'true');
  if (st.from) p.set('from', st.from);
  if (st.to) p.set('to', st.to);
  facetParams(p, st.filters);
  if (st.cursor) {
    p.delete('page'); // the cursor carries the page
    p.set('cursor', st.cursor);
  }
  return p;
}

let inflight = null;
let seq = 0;

// run searches for st; typing says the query is still being typed, so an
// error answer is not shown (errors are shown for a submitted query only):
// a query the API refuses while it is typed (unfinished syntax such as
// "title:" or "(oil") is searched again as text.
async function run(st, typing = false) {
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const my = ++seq;
  const p = requestParams(st, typing);
  showSort(st);
  document.body.setAttribute('aria-busy', 'true');
  try {
    let r;
    try {
      r = await api('/api/search?' + p, inflight.signal);
    } catch (e) {
      if (!(typing && e instanceof ApiError && e.status === 400 && e.param === 'q' && p.get('mode') !== 'text')) throw e;
      p.set('mode', 'text');
      r = await api('/api/search?' + p, inflight.signal);
    }
    if (my === seq) render(st, r);
  } catch (e) {
    if (e.name !== 'AbortError' && my === seq && !(typing && e instanceof ApiError && e.status === 400)) showError(e);
  } finally {
    if (my === seq) document.body.removeAttribute('aria-busy');
  }
}

function showError(e) {
  results.replaceChildren();
  facetBox.replaceChildren();
  empty.hidden = true;
  pager.hidden = true;
  errorBox.textContent = e instanceof ApiError && e.status ? `Search failed: ${e.message}` : e.message;
  errorBox.hidden = false;
  keyForm.hidden = !(e instanceof ApiError && e.status === 401);
  status.textContent = 'Search failed.';
}

// facetHandlers are what the facet sidebar's controls do: each choice is a
// new search (page 1) and a history entry.
const facetHandlers = {
  filter(field, values) {
    chosenFilters = { ...chosenFilters, [field]: values };
    if (values.length === 0) delete chosenFilters[field];
    commit(controlsState(), false);
  },
  dates(f, t) {
    from.value = f;
    to.value = t;
    markRange();
    commit(controlsState(), false);
  },
  more() { run(readState(location.search)); },
};

// openFacets shows the sidebar open on wide screens; on narrow ones it is a
// "Filters" disclosure above the results.
const wide = matchMedia('(min-width: 60rem)');
function openFacets() { facetDetails.open = wide.matches; }
wide.addEventListener('change', openFacets);
openFacets();

function render(st, r) {
  errorBox.hidden = true;
  keyForm.hidden = true;
  renderFacets(facetBox, st, r, facetHandlers);
  const chosen = Object.values(st.filters).reduce((n, vs) => n + vs.length, 0) + (st.from || st.to ? 1 : 0);
  $('facets-summary').textContent = chosen ? `Filters (${chosen} chosen)` : 'Filters';
  results.replaceChildren(...r.hits.map((h, i) => hitItem(h, st.q, r.query_id, (r.page - 1) * r.size + i + 1)));
  const n = r.total;
  const what = st.q ? ` for ${echo(st.q)}` : '';
  const count = n === 1 ? '1 result' : `${n.toLocaleString('en')} results`;
  status.textContent = n === 0 ? `No results${what}.` : `${count}${what} (${r.took_ms} ms)`;
  // A browse has no relevance: it says the sort it really has.
  if (!st.q && n > 0) status.textContent = `${count}, ${st.sort === 'oldest' ? 'oldest' : 'newest'} first (${r.took_ms} ms)`;
  suggestion.hidden = !r.suggestion;
  if (r.suggestion) {
    // "Did you mean …?": the corrected query as a link, inserted as text.
    const a = stateLink(r.suggestion, { ...st, q: r.suggestion, page: 1, cursor: '' });
    suggestion.replaceChildren('Did you mean ', a, '?');
  }
  empty.hidden = n !== 0;
  if (n === 0) {
    empty.replaceChildren(el('p', '', st.q ? `No articles match ${echo(st.q)}.` : 'There are no articles yet.'),
      el('p', '', st.from || st.to ? 'Try a wider date range (All time), or fewer words.' : 'Try fewer or different words.'));
  }
  const pages = Math.max(1, Math.ceil(n / r.size));
  if (n > 0 && r.page > pages) {
    // Past the end (an old link, or a page number typed into the URL):
    // say so and offer the last page instead of an empty "Page 500 of 436".
    const a = stateLink(`Go to the last page (${pages.toLocaleString('en')})`, { ...st, page: pages, cursor: '' });
    const there = pages === 1 ? 'there is 1 page' : `there are ${pages.toLocaleString('en')} pages`;
    status.textContent = `Page ${r.page.toLocaleString('en')} is past the end: ${there} of results${what}.`;
    const back = el('p');
    back.append(a);
    empty.replaceChildren(el('p', '', status.textContent), back);
    empty.hidden = false;
  }
  renderPager(pager, r, (text, target) => stateLink(text, { ...st, page: target.page || 1, cursor: target.cursor || '' }, true));
}

// stateLink is a link to the state st that the page follows itself (a new
// history entry); top scrolls to the top of the page.
function stateLink(text, st, top = false) {
  const a = el('a', '', text);
  a.href = stateURL(st);
  a.addEventListener('click', (ev) => {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return; // a new tab or window
    ev.preventDefault();
    fillControls(st);
    commit(st, false);
    if (top) window.scrollTo(0, 0);
  });
  return a;
}

// hitItem is the list item of hit h, at position (from 1) in the results of
// the search queryID; opening one of its links is sent to the analytics.
function hitItem(h, query, queryID, position) {
  const li = el('li', 'hit');
  li.dataset.id = h.id;
  const opened = (ev) => { if (ev.target.closest('a') && ev.button !== 2) sendClick(queryID, h.id, position); };
  li.addEventListener('click', opened);
  li.addEventListener('auxclick', opened); // a middle click opens a tab
  const title = el('h2');
  const a = el('a');
  const external = safeHref(h.url);
  a.href = external || articleHref(h.id, query);
  if (h.highlights.title.length > 0) appendMarked(a, h.highlights.title[0]);
  else a.textContent = h.title || '(untitled)';
  title.append(a);
  const meta = el('p', 'meta');
  const dated = appendMeta(meta, h);
  if (external) {
    const own = el('a', 'own', 'Folio copy');
    own.href = articleHref(h.id, query);
    meta.append(dated ? ' · ' : '', own);
  }
  const snippet = el('p', 'snippet');
  appendFragments(snippet, h.highlights.body);
  li.append(title, meta, snippet);
  if (h.tags && h.tags.length > 0) {
    // The tags as text, one element each.
    const tags = el('p', 'tags');
    tags.append(...h.tags.map((t) => el('span', 'tag', t)));
    li.append(tags);
  }
  return li;
}

// appendFragments renders a hit's body fragments in a row with one ellipsis
// at each gap: the API's fragments carry their own "…" where they cut the
// text, so a gap gets " … " only when neither side has one, and one of two
// facing ellipses is dropped.
function appendFragments(parent, fragments) {
  let prevCut = false;
  fragments.forEach((f, i) => {
    if (i > 0) {
      const cut = f.startsWith('…');
      if (prevCut && cut) f = f.slice(1);
      parent.append(prevCut || cut ? ' ' : ' … ');
    }
    appendMarked(parent, f);
    prevCut = f.endsWith('…');
  });
}

// Quick date ranges, relative to today in the browser's zone.
function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function rangeStart(name) {
  const d = new Date();
  if (name === 'week') d.setDate(d.getDate() - 7);
  else if (name === 'month') d.setMonth(d.getMonth() - 1);
  else if (name === 'year') d.setFullYear(d.getFullYear() - 1);
  else return '';
  return isoDay(d);
}

function markRange() {
  for (const b of ranges) {
    const on = !to.value && from.value === rangeStart(b.dataset.range);
    b.setAttribute('aria-pressed', String(on));
  }
}

// Events.
let timer = 0;
q.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => commit(controlsState(), true), DEBOUNCE_MS);
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearTimeout(timer);
  commit(controlsState(), false);
});
sort.addEventListener('change', () => { chosenSort = sort.value; });
for (const c of [from, to, sort]) {
  c.addEventListener('change', () => { markRange(); commit(controlsState(), false); });
}
for (const b of ranges) {
  b.addEventListener('click', () => {
    from.value = rangeStart(b.dataset.range);
    to.value = '';
    markRange();
    commit(controlsState(), false);
  });
}
keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setSearchKey($('key').value.trim());
  run(readState(location.search));
});
window.addEventListener('popstate', () => {
  typingEntry = false;
  const st = readState(location.search);
  fillControls(st);
  run(st);
});

function isEditable(t) {
  return t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

document.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === '/' && !isEditable(e.target)) {
    e.preventDefault();
    q.focus();
    q.select();
    return;
  }
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Escape') return;
  const links = [...results.querySelectorAll('.hit h2 a')];
  const i = links.indexOf(document.activeElement);
  if (e.key === 'Escape') {
    if (i >= 0) q.focus();
    return;
  }
  if (links.length === 0 || (e.target !== q && i < 0)) return;
  e.preventDefault();
  const j = e.key === 'ArrowDown' ? Math.min(i + 1, links.length - 1) : i - 1;
  if (j < 0) {
    q.focus();
  } else {
    links[j].focus();
    links[j].closest('li').scrollIntoView({ block: 'nearest' });
  }
});

const initial = readState(location.search);
fillControls(initial);
run(initial);
