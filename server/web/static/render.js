// Shared by the search page and the article page: safe rendering and API calls.

// BASE is the path prefix Folio is served under (server.base_path, which the
// server writes into <html data-base>), percent-encoded as in location.pathname:
// "" or e.g. "/folio". Every page path and API path starts with it.
export const BASE = new URL((document.documentElement.dataset.base || '') + '/', location.origin).pathname.slice(0, -1);

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// decodeEntities turns the character references of escaped text back into
// characters. Its result is only ever used as text, never as markup.
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
  });
}

// appendMarked renders a snippet from the API (HTML-escaped text where only
// <mark> and </mark> are tags) into parent, as text nodes and <mark>
// elements only: anything else that looks like a tag stays visible text, so
// no article text can become markup.
export function appendMarked(parent, snippet) {
  let marked = false;
  for (const part of String(snippet).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') { marked = true; continue; }
    if (part === '</mark>') { marked = false; continue; }
    if (part === '') continue;
    const text = document.createTextNode(decodeEntities(part));
    if (marked) {
      const m = document.createElement('mark');
      m.append(text);
      parent.append(m);
    } else {
      parent.append(text);
    }
  }
}

// safeHref returns url when it is an absolute http(s) URL, else null (so
// javascript: and data: URLs from article metadata are never linked).
export function safeHref(url) {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

// articleHref is the path of Folio's own page for an article.
export function articleHref(id, q) {
  return BASE + '/articles/' + encodeURIComponent(id) + (q ? '?q=' + encodeURIComponent(q) : '');
}

// el creates an element with a class and text content.
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const KEY = 'folio.searchKey';

// searchKey is the key the user entered this session, if any.
export function searchKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

export function setSearchKey(k) {
  try { sessionStorage.setItem(KEY, k); } catch { /* storage disabled */ }
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

// formatMeta is "date · source · author" from whichever are present.
export function formatMeta(a) {
  return [a.date, a.source, a.author].filter(Boolean).join(' · ');
}
