// Shared by the search page and the article page: Folio's paths and API calls.
import { el } from './render.js';

// BASE is the path prefix Folio is served under (server.base_path, which the
// server writes into <html data-base>), percent-encoded as in location.pathname:
// "" or e.g. "/folio". Every page path and API path starts with it.
export const BASE = new URL((document.documentElement.dataset.base || '') + '/', location.origin).pathname.slice(0, -1);

// articleHref is the path of Folio's own page for an article.
export function articleHref(id, q) {
  return BASE + '/articles/' + encodeURIComponent(id) + (q ? '?q=' + encodeURIComponent(q) : '');
}

const KEY = 'folio.searchKey';

// searchKey is the key the user entered this session, if any.
export function searchKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

// setSearchKey keeps k as the search key for the rest of the session.
export function setSearchKey(k) {
  try { sessionStorage.setItem(KEY, k); } catch { /* storage disabled */ }
}

const TOKEN = 'folio.readerToken';

// A reader token given in the page's URL (?token=, as the widget's "See all
// results" link passes it) is kept for the session and taken out of the
// URL at once, so that it stays out of the history and of shared links.
{
  const u = new URL(location.href);
  const t = u.searchParams.get('token');
  if (t) {
    try { sessionStorage.setItem(TOKEN, t); } catch { /* storage disabled */ }
    u.searchParams.delete('token');
    history.replaceState(history.state, '', u.pathname + u.search + u.hash);
  }
}

// readerToken is the reader token of this session, if any.
function readerToken() {
  try { return sessionStorage.getItem(TOKEN) || ''; } catch { return ''; }
}

// ApiError is a 4xx/5xx answer of the API, with its message.
export class ApiError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param || '';
  }
}

// api fetches a JSON API path (below BASE); it throws ApiError for error answers.
export async function api(path, signal) {
  const headers = { Accept: 'application/json' };
  const key = searchKey();
  if (key) headers.Authorization = 'Bearer ' + key;
  const token = readerToken();
  if (token) headers['X-Folio-Token'] = token;
  let res;
  try {
    res = await fetch(BASE + path, { headers, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Folio cannot be reached. Check your connection and try again.');
  }
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, (err && err.message) || `The server answered ${res.status}.`, err && err.param);
  }
  return body;
}

// sendClick tells Folio's search analytics that the result id at position
// (from 1) of the search queryId was opened (POST /api/events). A beacon
// outlives the page it leaves; its body is a plain-text string, so that it
// is a simple request. Analytics never get in the way of the click.
export function sendClick(queryId, id, position) {
  if (!queryId || !navigator.sendBeacon) return;
  try { navigator.sendBeacon(BASE + '/api/events', JSON.stringify({ query_id: queryId, id, position })); } catch { /* dropped */ }
}

// appendMeta appends "date · source · author" of an article or hit to
// parent, from whichever are present (the date as a <time>), and reports
// whether it appended anything.
export function appendMeta(parent, a) {
  if (a.datetime) {
    const t = el('time', '', a.date);
    t.dateTime = a.datetime;
    parent.append(t);
  }
  const rest = [a.source, a.author].filter(Boolean).join(' · ');
  if (rest) parent.append((a.datetime ? ' · ' : '') + rest);
  return Boolean(a.datetime || rest);
}
