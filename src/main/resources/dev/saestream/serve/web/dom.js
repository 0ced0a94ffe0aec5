// Safe DOM building: every string becomes a text node or a plain attribute value, never markup.
// Everything the server sends (texts, tokens, explanations, ids, errors) is untrusted.

const SVG_NS = 'http://www.w3.org/2000/svg';
// event handler attributes, inline styles and markup sinks are refused outright
const FORBIDDEN = /^(on|style$|innerhtml$|outerhtml$|srcdoc$|xlink:href$)/i;
// element properties set as properties (so that a form control's live value follows)
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'type', 'placeholder', 'maxLength', 'min',
  'max', 'step', 'rows', 'spellcheck', 'autocomplete', 'tabIndex', 'hidden', 'open']);

/** The only hrefs the page writes: its own routes ("#/...") and its own API ("/api/..."). */
export function safeHref(href) {
  const s = String(href);
  return s.startsWith('#/') || s.startsWith('/api/') ? s : '#/';
}

function setProps(el, props, svg) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'events') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      continue;
    }
    if (FORBIDDEN.test(k)) throw new Error('refusing to set attribute ' + k);
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'href') el.setAttribute('href', safeHref(v));
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (!svg && PROPERTIES.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function appendChildren(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** An HTML element: h('a', {href: '#/', class: 'x'}, 'text', child). */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props, false);
  appendChildren(el, children);
  return el;
}

/** An SVG element, same rules. */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props, true);
  appendChildren(el, children);
  return el;
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
  return el;
}

/** Sets a text only when it changed (keeps selections and avoids layout work on live updates). */
export function setText(el, text) {
  const t = String(text);
  if (el.textContent !== t) el.textContent = t;
}

// ---- numbers and times ----

const INT = new Intl.NumberFormat('en');

export function fmtInt(x) {
  return x == null ? '—' : INT.format(Math.round(x));
}

/** A number to `digits` significant digits, plain notation for the usual range. */
export function fmtNum(x, digits = 3) {
  if (x == null || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1).replace('e+', 'e');
  return Number(x.toPrecision(digits)).toString();
}

/** A fixed number of decimals, for scores in [0, 1]. */
export function fmtFixed(x, decimals = 2) {
  return x == null || !Number.isFinite(x) ? '—' : x.toFixed(decimals);
}

/** Dollars: cents from $1 up, four decimals below (a few labels cost fractions of a cent). */
export function fmtDollars(x) {
  if (x == null || !Number.isFinite(x)) return '—';
  return '$' + (x >= 1 ? x.toFixed(2) : x.toFixed(4));
}

/** A density (share of tokens) as a percentage with two significant digits. */
export function fmtDensity(d) {
  if (d == null || !Number.isFinite(d)) return '—';
  if (d === 0) return '0%';
  const p = d * 100;
  return (p >= 0.01 ? Number(p.toPrecision(2)).toString() : p.toExponential(1).replace('e+', 'e')) + '%';
}

/** `0.79 [0.70, 0.88] n=100` */
export function fmtScore(score) {
  if (!score) return '—';
  return `${fmtFixed(score.value)} [${fmtFixed(score.ciLow)}, ${fmtFixed(score.ciHigh)}] n=${fmtInt(score.n)}`;
}

export function fmtAgo(ms, now = Date.now()) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const sec = Math.max(0, Math.round((now - ms) / 1000));
  if (sec < 60) return `${sec} s ago`;
  const min = Math.round(sec / 60);
  if (min < 60) return `${min} min ago`;
  const hours = Math.round(min / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function fmtTime(ms) {
  return ms == null || !Number.isFinite(ms) ? '—' : new Date(ms).toLocaleString();
}

/** A feature index from untrusted input: a non-negative safe integer, else null. */
export function featureIndex(x) {
  const n = typeof x === 'string' && /^\d{1,9}$/.test(x) ? Number(x) : x;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The display of a token: a line break is shown as a visible mark instead of breaking the line. */
export function tokenText(t) {
  return String(t).replace(/\r\n|\r|\n/g, '↵').replace(/\t/g, '⇥');
}
