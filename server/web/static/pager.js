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
  const item = (id, text, label, target) => {
    const li = el('li');
    let a;
    if (target) {
      a = link(text, target);
    } else {
      a = el('a', '', text);
      a.setAttribute('aria-disabled', 'true');
    }
    if (id) a.id = id;
    if (label) a.setAttribute('aria-label', label);
    li.append(a);
    ul.append(li);
    return a;
  };
  const numbered = (n) => n <= byNumber;
  item('first', '« First', 'First page', page > 1 ? { page: 1 } : null);
  item('prev', '‹ Previous', 'Previous page', page > 1 && numbered(page - 1) ? { page: page - 1 } : null);
  const last = Math.min(pages, byNumber);
  const shown = new Set([1, last]);
  for (let n = page - AROUND; n <= page + AROUND; n++) if (n >= 1 && n <= last) shown.add(n);
  if (page > last) shown.add(page);
  let before = 0;
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (before && n > before + 1) ul.append(el('li', 'gap', '…'));
    const a = item('', n.toLocaleString('en'), `Page ${n.toLocaleString('en')}`, n === page || !numbered(n) ? null : { page: n });
    if (n === page) {
      a.removeAttribute('aria-disabled');
      a.setAttribute('aria-current', 'page');
      a.className = 'current';
    }
    before = n;
  }
  const next = page < pages ? (numbered(page + 1) ? { page: page + 1 } : r.cursor ? { cursor: r.cursor } : null) : null;
  item('next', 'Next ›', 'Next page', next);
  item('last', 'Last »', `Last page (${pages.toLocaleString('en')})`, page < pages && numbered(pages) ? { page: pages } : null);
  const info = el('p', '', `Page ${page.toLocaleString('en')} of ${pages.toLocaleString('en')}`);
  info.id = 'pageinfo';
  nav.replaceChildren(ul, info);
  return true;
}
