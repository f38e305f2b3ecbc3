// The one renderer of marked text: the search page and the article page
// import it as an ES module, and the server inlines it into widget.js (a
// classic script) where widget.js says "/* render.js */". So it exports
// only top-level function, const, let and class declarations, imports
// nothing and reads nothing of the page it runs in (no location, no
// <html data-base>): the widget runs in other sites' pages.

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

// echo is a query as typed, for quoting it in a sentence: in “curly
// quotes”, unless it has its own double quotes (a phrase), which then
// delimit it instead of being doubled (“"Diamond Hexagon"”).
export function echo(q) {
  return /["“”]/.test(q) ? q : `“${q}”`;
}

// el creates an element with a class and text content.
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
