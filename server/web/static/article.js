// The article page: the whole article, with the query's terms marked.
import { api, appendMeta, articleHref, BASE } from './page.js';
import { appendMarked, echo, el, safeHref } from './render.js';

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(location.pathname.slice((BASE + '/articles/').length));
const q = new URLSearchParams(location.search).get('q') || '';

if (q) $('back').href = BASE + '/?q=' + encodeURIComponent(q);

async function load() {
  try {
    const a = await api('/api/articles/' + encodeURIComponent(id) + (q ? '?q=' + encodeURIComponent(q) : ''));
    const title = $('title'), body = $('body');
    if (a.marked) {
      appendMarked(title, a.marked.title);
      appendMarked(body, a.marked.body);
    } else {
      title.textContent = a.title;
      body.textContent = a.body;
    }
    if (!title.textContent) title.textContent = '(untitled)';
    document.title = `${a.title || id} — Folio`;
    const meta = $('meta');
    appendMeta(meta, a);
    if (a.tags.length) meta.append(' · ' + a.tags.join(', '));
    const url = safeHref(a.url);
    if (url) {
      $('original-link').href = url;
      $('original').hidden = false;
    }
    $('article').hidden = false;
    const marks = body.querySelectorAll('mark').length + title.querySelectorAll('mark').length;
    $('status').textContent = q ? `${marks} match${marks === 1 ? '' : 'es'} of ${echo(q)} marked.` : '';
  } catch (e) {
    $('error').textContent = e.status === 404 ? 'There is no article with this id.' : `The article could not be loaded: ${e.message}`;
    $('error').hidden = false;
  }
}

// RELATED is how many related articles the page lists.
const RELATED = 5;

// loadRelated lists the articles most like this one (GET /api/related/{id}):
// titles as text, linked to their Folio pages, with date and source. A
// failure only leaves the list out: the article is what the page is for.
async function loadRelated() {
  let r;
  try {
    r = await api('/api/related/' + encodeURIComponent(id) + '?size=' + RELATED);
  } catch {
    return;
  }
  if (!r.hits.length) return;
  $('related-list').replaceChildren(...r.hits.map((h) => {
    const li = el('li');
    li.dataset.id = h.id;
    const a = el('a', '', h.title || '(untitled)');
    a.href = articleHref(h.id);
    const meta = el('span', 'meta');
    if (appendMeta(meta, h)) li.append(a, ' ', meta);
    else li.append(a);
    return li;
  }));
  $('related').hidden = false;
}

load();
loadRelated();
