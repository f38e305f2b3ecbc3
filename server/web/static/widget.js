/*
 * <folio-search>: a Folio search box with a results dropdown for any page.
 *
 *   <script src="https://folio.example/widget.js" defer></script>
 *   <folio-search placeholder="Search the news" size="5"></folio-search>
 *
 * Attributes: endpoint (Folio's base URL: its origin and server.base_path,
 * e.g. https://folio.example/folio; default: the folder this script was
 * loaded from), placeholder, size (results shown, 1-20, default 5), from / to (a
 * fixed date window, YYYY-MM-DD), key (a search key, sent as
 * "Authorization: Bearer <key>"), token (a reader token, a JWT the portal
 * signs, sent as "X-Folio-Token: <token>"). Property tokenProvider: a
 * function returning (a promise of) a fresh token, called before the token
 * expires and once more when Folio refuses it (401 invalid_token).
 * Theming: --folio-font, --folio-fg, --folio-bg, --folio-muted,
 * --folio-border, --folio-accent, --folio-active-bg, --folio-mark-bg,
 * --folio-mark-fg, --folio-radius, --folio-width.
 * Everything lives in a shadow root: the page's CSS cannot reach in and the
 * widget's CSS cannot leak out. Article text is only ever inserted as text.
 */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('folio-search')) return;

  // Folio serves widget.js at the root of its base path, so the folder of
  // this script's URL is Folio's base URL (https://folio.example/folio).
  const script = document.currentScript;
  const scriptBase = (script && script.src ? new URL('.', new URL(script.src, document.baseURI)).href : location.origin).replace(/\/+$/, '');

  const CSS = `
:host { display: inline-block; position: relative; width: var(--folio-width, 24rem); max-width: 100%;
  font: 15px/1.4 var(--folio-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--folio-fg, #1b1f24); --_bg: var(--folio-bg, #fff); --_line: var(--folio-border, #d0d7de);
  --_muted: var(--folio-muted, #57606a); --_accent: var(--folio-accent, #0b5cad);
  --_active: var(--folio-active-bg, #e7f0fb); --_r: var(--folio-radius, 6px); }
@media (prefers-color-scheme: dark) {
  :host { color: var(--folio-fg, #e6edf3); --_bg: var(--folio-bg, #0f1419); --_line: var(--folio-border, #30363d);
    --_muted: var(--folio-muted, #9da7b3); --_accent: var(--folio-accent, #79b8ff); --_active: var(--folio-active-bg, #1c2a3a); }
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
input { width: 100%; font: inherit; color: inherit; background: var(--_bg); border: 1px solid var(--_line);
  border-radius: var(--_r); padding: .45rem .6rem; margin: 0; }
input:focus-visible, a:focus-visible { outline: 3px solid var(--_accent); outline-offset: 1px; }
.panel { position: absolute; z-index: 2147483000; left: 0; right: 0; top: calc(100% + 4px); background: var(--_bg);
  border: 1px solid var(--_line); border-radius: var(--_r); box-shadow: 0 6px 24px rgba(0,0,0,.18);
  display: flex; flex-direction: column; max-height: min(70vh, var(--_room, 70vh)); overflow: hidden; text-align: left; }
.panel[hidden] { display: none; }
ul { list-style: none; margin: 0; padding: 0; flex: 0 1 auto; min-height: 0; overflow: auto; overscroll-behavior: contain; }
.msg, .all { flex: none; }
li { display: block; margin: 0; padding: .5rem .65rem; border-bottom: 1px solid var(--_line); cursor: pointer; }
li[aria-selected="true"] { background: var(--_active); }
a { color: var(--_accent); text-decoration: none; }
.title { display: block; font-weight: 600; }
.date { display: block; color: var(--_muted); font-size: .85em; }
.snippet { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; margin-top: .15rem; font-size: .9em; }
mark { background: var(--folio-mark-bg, #ffe066); color: var(--folio-mark-fg, #1b1f24); border-radius: 2px; }
.msg { padding: .6rem .65rem; color: var(--_muted); }
.all { display: block; padding: .5rem .65rem; font-weight: 600; border-top: 1px solid var(--_line); margin-top: -1px; }
.all[aria-selected="true"] { background: var(--_active); }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

  let sheet = null;
  function adoptStyles(root) {
    try {
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      root.adoptedStyleSheets = [sheet];
    } catch {
      const style = document.createElement('style');
      style.textContent = CSS;
      root.append(style);
    }
  }

  // The renderer of marked text (decodeEntities, appendMarked, safeHref, el),
  // shared with Folio's pages: the server puts static/render.js here.
/* render.js */

  let instances = 0;

  // The Folio base URLs whose refusal this page has explained in the console.
  const explained = new Set();

  // explainFailure tells the page's developer, in the console, why a search
  // of endpoint failed without an answer: the browser hides the reason from
  // scripts, so a no-cors request for widget.js (which Folio lets any page
  // load) tells a refusal by CORS (the server answers) from no server at all.
  async function explainFailure(endpoint) {
    if (explained.has(endpoint)) return;
    explained.add(endpoint);
    const origin = location.origin;
    if (new URL(endpoint).origin !== origin) {
      try {
        await fetch(`${endpoint}/widget.js`, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
        console.error(`<folio-search>: ${endpoint} does not allow searches from this page's origin, ${origin}. ` +
          `The administrator of that Folio server must add ${origin} to server.cors.allowed_origins ` +
          `(environment variable FOLIO_SERVER_CORS_ALLOWED_ORIGINS) and restart it.`);
        return;
      } catch { /* not reachable either: said below */ }
    }
    console.error(`<folio-search>: ${endpoint} cannot be reached from this page: check the endpoint attribute ` +
      `or the src of widget.js, that the server runs, and that this page's Content-Security-Policy allows it in connect-src.`);
  }

  // expiresSoon reports whether the JWT token expires within 30 s (or
  // cannot be read); the signature is Folio's to check, not the widget's.
  function expiresSoon(token) {
    try {
      const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return typeof claims.exp !== 'number' || claims.exp * 1000 - Date.now() < 30000;
    } catch {
      return true;
    }
  }

  class FolioSearch extends HTMLElement {
    static get observedAttributes() { return ['placeholder']; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      adoptStyles(root);
      const id = `folio-search-${++instances}`;
      this._input = el('input');
      this._input.type = 'search';
      this._input.autocomplete = 'off';
      this._input.spellcheck = false;
      this._input.setAttribute('role', 'combobox');
      this._input.setAttribute('aria-autocomplete', 'list');
      this._input.setAttribute('aria-expanded', 'false');
      this._input.setAttribute('aria-controls', `${id}-list`);
      this._input.setAttribute('aria-label', 'Search articles');
      this._input.setAttribute('part', 'input');
      this._panel = el('div', 'panel');
      this._panel.hidden = true;
      this._panel.setAttribute('part', 'panel');
      this._list = el('ul');
      this._list.id = `${id}-list`;
      this._list.setAttribute('role', 'listbox');
      this._list.setAttribute('aria-label', 'Search results');
      this._msg = el('div', 'msg');
      this._msg.hidden = true;
      this._all = el('a', 'all', 'See all results');
      this._all.id = `${id}-all`;
      this._all.hidden = true;
      this._status = el('div', 'vh');
      this._status.setAttribute('role', 'status');
      this._status.setAttribute('aria-live', 'polite');
      this._panel.append(this._list, this._msg, this._all);
      root.append(this._input, this._panel, this._status);
      this._id = id;
      this._items = []; // [{node, href, id, position}] including "see all" last (no id)
      this._active = -1;
      this._timer = 0;
      this._inflight = null;
      this._seq = 0;
      this._input.addEventListener('input', () => this._schedule());
      this._input.addEventListener('keydown', (e) => this._key(e));
      this._input.addEventListener('focus', () => { if (this._items.length || !this._msg.hidden) this._open(true); });
      this._list.addEventListener('mousemove', (e) => {
        const li = e.target.closest && e.target.closest('li');
        if (li) this._setActive(this._items.findIndex((it) => it.node === li));
      });
      this._list.addEventListener('click', (e) => {
        const li = e.target.closest && e.target.closest('li');
        if (li && !(e.target.closest && e.target.closest('a'))) li.querySelector('a').click();
      });
      const opened = (e) => {
        const a = e.target.closest && e.target.closest('a');
        if (a && e.button !== 2) this._opened(this._items.find((it) => it.node.contains(a)));
      };
      this._list.addEventListener('click', opened);
      this._list.addEventListener('auxclick', opened); // a middle click opens a tab
      this._onOutside = (e) => { if (!e.composedPath().includes(this)) this._open(false); };
    }

    connectedCallback() {
      this._input.placeholder = this.getAttribute('placeholder') || 'Search articles';
      document.addEventListener('pointerdown', this._onOutside);
    }

    disconnectedCallback() {
      document.removeEventListener('pointerdown', this._onOutside);
    }

    attributeChangedCallback(name, _old, value) {
      if (name === 'placeholder') this._input.placeholder = value || 'Search articles';
    }

    get _endpoint() {
      return (this.getAttribute('endpoint') || scriptBase).replace(/\/+$/, '');
    }

    get _size() {
      const n = parseInt(this.getAttribute('size') || '5', 10);
      return Math.min(20, Math.max(1, Number.isFinite(n) ? n : 5));
    }

    _params(q) {
      const p = new URLSearchParams({ q });
      for (const k of ['from', 'to']) {
        const v = this.getAttribute(k);
        if (v) p.set(k, v);
      }
      return p;
    }

    _schedule() {
      clearTimeout(this._timer);
      this._timer = setTimeout(() => this._search(this._input.value.trim()), 200);
    }

    async _search(q) {
      if (this._inflight) this._inflight.abort();
      if (!q) {
        this._render(null);
        this._open(false);
        return;
      }
      this._inflight = new AbortController();
      const my = ++this._seq;
      const p = this._params(q);
      p.set('size', String(this._size));
      p.set('as_you_type', 'true');
      try {
        let { res, body } = await this._fetch(p, false);
        if (res.status === 401 && body && body.error && body.error.code === 'invalid_token' && this.tokenProvider) {
          ({ res, body } = await this._fetch(p, true)); // refused: once more with a fresh token
        }
        if (my !== this._seq) return;
        this._panel.dataset.query = q; // what the panel shows an answer for
        if (!res.ok) {
          const m = body && body.error && body.error.message;
          this._fail(m ? `Search failed: ${m}` : `Search failed (${res.status}).`);
          return;
        }
        this._render(q, body);
      } catch (e) {
        if (e.name === 'AbortError' || my !== this._seq) return;
        this._panel.dataset.query = q;
        this._fail('Search is not available from this page.');
        explainFailure(this._endpoint);
      }
    }

    // _fetch runs the search of parameters p with the key and the reader
    // token (fresh from tokenProvider when fresh is set, or when the token
    // expires within 30 s) and returns the answer and its JSON body.
    async _fetch(p, fresh) {
      const headers = { Accept: 'application/json' };
      const key = this.getAttribute('key');
      if (key) headers.Authorization = 'Bearer ' + key;
      const token = await this._token(fresh);
      if (token) headers['X-Folio-Token'] = token;
      const res = await fetch(`${this._endpoint}/api/search?${p}`, { headers, signal: this._inflight.signal, credentials: 'omit' });
      let body = null;
      try { body = await res.json(); } catch { /* not JSON */ }
      return { res, body };
    }

    // _token is the reader token to send: the token attribute, replaced by
    // what tokenProvider returns when fresh is set or the current token
    // expires within 30 s (its exp claim).
    async _token(fresh) {
      let token = this.getAttribute('token') || '';
      if (this.tokenProvider && (fresh || !token || expiresSoon(token))) {
        token = String(await this.tokenProvider() || '');
        if (token) this.setAttribute('token', token);
      }
      return token;
    }

    _fail(message) {
      this._list.replaceChildren();
      this._items = [];
      this._active = -1;
      this._all.hidden = true;
      this._msg.textContent = message;
      this._msg.hidden = false;
      this._status.textContent = message;
      this._open(true);
    }

    _render(q, r) {
      this._list.replaceChildren();
      this._items = [];
      this._active = -1;
      this._input.removeAttribute('aria-activedescendant');
      if (!r) {
        this._msg.hidden = true;
        this._all.hidden = true;
        this._status.textContent = '';
        return;
      }
      this._queryID = r.query_id;
      r.hits.forEach((h, i) => {
        const li = el('li');
        li.id = `${this._id}-opt-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.id = h.id;
        const a = el('a', 'title');
        a.href = safeHref(h.url) || `${this._endpoint}/articles/${encodeURIComponent(h.id)}?q=${encodeURIComponent(q)}`;
        a.tabIndex = -1;
        if (h.highlights.title.length > 0) appendMarked(a, h.highlights.title[0]);
        else a.textContent = h.title || '(untitled)';
        li.append(a);
        if (h.date || h.source) li.append(el('span', 'date', [h.date, h.source].filter(Boolean).join(' · ')));
        if (h.highlights.body.length > 0) {
          const s = el('span', 'snippet');
          appendMarked(s, h.highlights.body[0]);
          li.append(s);
        }
        this._list.append(li);
        this._items.push({ node: li, href: a.href, id: h.id, position: i + 1 });
      });
      const ap = this._params(q);
      const token = this.getAttribute('token');
      if (token) ap.set('token', token); // the page keeps it for the session and takes it out of its URL
      const all = `${this._endpoint}/?${ap}`;
      this._all.href = all;
      this._all.textContent = r.total > 0 ? `See all ${r.total.toLocaleString('en')} results` : 'Open the search page';
      this._all.setAttribute('role', 'option');
      this._all.setAttribute('aria-selected', 'false');
      this._all.hidden = false;
      this._items.push({ node: this._all, href: all });
      const n = r.total;
      this._msg.textContent = n === 0 ? `No results for ${echo(q)}.` : '';
      this._msg.hidden = n !== 0;
      this._status.textContent = n === 0 ? 'No results.' : `${n.toLocaleString('en')} result${n === 1 ? '' : 's'}.`;
      this._open(true);
    }

    _open(on) {
      if (on) {
        // Fit the panel between the box and the bottom of the window (at
        // least 10rem), so that "See all results" below the list stays in view.
        const room = window.innerHeight - this._input.getBoundingClientRect().bottom - 12;
        this._panel.style.setProperty('--_room', `${Math.max(160, Math.floor(room))}px`);
      }
      this._panel.hidden = !on;
      this._input.setAttribute('aria-expanded', String(on));
      if (!on) this._setActive(-1);
    }

    // _opened tells Folio's search analytics that a result was opened: a
    // beacon (POST /api/events, a plain-text body, so a simple cross-origin
    // request) that outlives the page it leaves.
    _opened(item) {
      if (!item || !item.id || !this._queryID || !navigator.sendBeacon) return;
      const body = JSON.stringify({ query_id: this._queryID, id: item.id, position: item.position });
      try { navigator.sendBeacon(`${this._endpoint}/api/events`, body); } catch { /* dropped */ }
    }

    _setActive(i) {
      this._items.forEach((it, j) => it.node.setAttribute('aria-selected', String(i === j)));
      this._active = i;
      if (i >= 0) {
        this._input.setAttribute('aria-activedescendant', this._items[i].node.id);
        this._items[i].node.scrollIntoView({ block: 'nearest' });
      } else {
        this._input.removeAttribute('aria-activedescendant');
      }
    }

    _key(e) {
      const n = this._items.length;
      switch (e.key) {
        case 'ArrowDown':
          if (!n) return;
          e.preventDefault();
          if (this._panel.hidden) this._open(true);
          this._setActive((this._active + 1) % n);
          break;
        case 'ArrowUp':
          if (!n) return;
          e.preventDefault();
          this._setActive(this._active <= 0 ? n - 1 : this._active - 1);
          break;
        case 'Enter': {
          e.preventDefault();
          clearTimeout(this._timer);
          const q = this._input.value.trim();
          if (this._active >= 0) {
            this._opened(this._items[this._active]);
            location.assign(this._items[this._active].href);
          }
          else if (q) location.assign(`${this._endpoint}/?${this._params(q)}`);
          break;
        }
        case 'Escape':
          if (!this._panel.hidden) {
            e.preventDefault();
            this._open(false);
          }
          break;
      }
    }
  }

  customElements.define('folio-search', FolioSearch);
})();
