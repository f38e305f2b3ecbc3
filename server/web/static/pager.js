// The search page's pager: First, Previous, numbered pages around the
// current one, Next and Last, as links (each a URL of the page). Pages up
// to the API's window (search.max_window, from <html data-max-window>) are
// linked by number; past it, Next follows the answer's cursor, and the
// answer's page number says which page a cursor page is.
import { el } from './render.js';

const WINDOW = Number(document.documentElement.dataset.maxWindow) || 10000;

// AROUND is how many numbered pages are linked on each side of the current one.
const AROUND = 2;

// renderPager fills nav for the answer r (its page, size, total and
// cursor). link(text, target) returns a link to target — {page: n} or
// {cursor: c} — that the page follows itself. It returns whether nav is
// shown: only when there is more than one page and r.page is one of them.
export function renderPager(nav, r, link) {
  const pages = Math.max(1, Math.ceil(r.total / r.size));
  const byNumber = Math.max(1, Math.floor(WINDOW / r.size)); // the deepest page a page number reaches
  const page = r.page;
  nav.hidden = r.total <= r.size || page > pages;
  if (nav.hidden) return false;
  const ul = el('ul');
  // item appends a link; text is [symbol, word] for First / Previous /
  // Next / Last (the word is dropped on narrow screens; label still says it).
  const item = (id, text, label, target, cls = '') => {
    const li = el('li', cls);
    const words = Array.isArray(text);
    let a;
    if (target) {
      a = link(words ? '' : text, target);
    } else {
      a = el('a', '', words ? '' : text);
      a.setAttribute('aria-disabled', 'true');
    }
    if (words) {
      const [symbol, word] = text;
      const w = el('span', 'word', word);
      if (symbol === '«' || symbol === '‹') a.append(symbol, w);
      else a.append(w, symbol);
    }
    if (id) a.id = id;
    if (label) a.setAttribute('aria-label', label);
    li.append(a);
    ul.append(li);
    return a;
  };
  const numbered = (n) => n <= byNumber;
  // First and Last are left out on narrow screens: pages 1 and the last are linked by number.
  item('first', ['«', ' First'], 'First page', page > 1 ? { page: 1 } : null, 'edge');
  item('prev', ['‹', ' Previous'], 'Previous page', page > 1 && numbered(page - 1) ? { page: page - 1 } : null);
  const last = Math.min(pages, byNumber);
  const shown = new Set([1, last]);
  for (let n = page - AROUND; n <= page + AROUND; n++) if (n >= 1 && n <= last) shown.add(n);
  if (page > last) shown.add(page);
  let before = 0;
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (before && n > before + 1) ul.append(el('li', 'gap', '…'));
    const far = Math.abs(n - page) > 1 && n !== 1 && n !== last; // left out on narrow screens
    const a = item('', n.toLocaleString('en'), `Page ${n.toLocaleString('en')}`, n === page || !numbered(n) ? null : { page: n }, far ? 'far' : '');
    if (n === page) {
      a.removeAttribute('aria-disabled');
      a.setAttribute('aria-current', 'page');
      a.className = 'current';
    }
    before = n;
  }
  const next = page < pages ? (numbered(page + 1) ? { page: page + 1 } : r.cursor ? { cursor: r.cursor } : null) : null;
  item('next', ['›', 'Next '], 'Next page', next);
  item('last', ['»', 'Last '], `Last page (${pages.toLocaleString('en')})`, page < pages && numbered(pages) ? { page: pages } : null, 'edge');
  const info = el('p', '', `Page ${page.toLocaleString('en')} of ${pages.toLocaleString('en')}`);
  info.id = 'pageinfo';
  nav.replaceChildren(ul, info);
  return true;
}
