// The article page: the whole article, with the query's terms marked.
import { api, appendMeta, BASE } from './page.js';
import { appendMarked, safeHref } from './render.js';

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
    $('status').textContent = q ? `${marks} match${marks === 1 ? '' : 'es'} of “${q}” marked.` : '';
  } catch (e) {
    $('error').textContent = e.status === 404 ? 'There is no article with this id.' : `The article could not be loaded: ${e.message}`;
    $('error').hidden = false;
  }
}

load();
