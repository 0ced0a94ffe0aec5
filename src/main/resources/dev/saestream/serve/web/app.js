// The page's entry point: the hash router, the header (SAE choice, search, live state) and keys.

import { api, parseRoute, listHref, tryHref } from './api.js';
import { h, replace } from './dom.js';
import { live } from './live.js';
import { overviewView } from './overview.js';
import { listView } from './list.js';
import { featureView } from './feature.js';
import { tryView } from './try.js';
import { compareView } from './compare.js';
import { reportView } from './report.js';
import { notFound, errorBox } from './views.js';

const main = document.getElementById('main');
const search = document.getElementById('search');
const saeSelect = document.getElementById('sae-select');
const liveBadge = document.getElementById('live');

let cleanup = null;
let currentSae = null;
let saes = [];
let routeId = 0;

async function loadSaes() {
  try {
    const body = await api.saes();
    saes = (Array.isArray(body.items) ? body.items : []).map((x) => String(x.saeId));
  } catch (e) {
    /* the views show errors; the header only lists what it could read */
  }
  replace(saeSelect, saes.map((id) => h('option', { value: id, selected: id === currentSae }, id)));
  saeSelect.hidden = saes.length < 2;
  return saes;
}

function setNav(view) {
  for (const [id, v] of [['nav-overview', 'overview'], ['nav-features', 'features'], ['nav-try', 'try'], ['nav-compare', 'compare']]) {
    const a = document.getElementById(id);
    if (v === view || (v === 'features' && view === 'feature')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (currentSae) {
    document.getElementById('nav-features').setAttribute('href', listHref(currentSae));
    document.getElementById('nav-try').setAttribute('href', tryHref(currentSae));
  }
}

async function route() {
  const id = ++routeId;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const r = parseRoute(location.hash);
  if (r.sae) currentSae = r.sae;
  if ((r.view === 'features' || r.view === 'try') && r.sae == null) {
    // a link without an SAE: the current one, else the first the server knows
    const list = saes.length ? saes : await loadSaes();
    if (id !== routeId) return;
    const sae = currentSae || list[0];
    if (!sae) {
      setNav(r.view);
      replace(main, h('div', { class: 'page-head' }, h('h1', null, 'No SAE yet'),
        h('p', { class: 'sub' }, 'No document has been catalogued yet. The overview shows when one is.')));
      return;
    }
    location.replace(r.view === 'features' ? listHref(sae, Object.fromEntries(r.params)) : tryHref(sae, r.params.get('feature')));
    return;
  }
  setNav(r.view);
  if (currentSae && saeSelect.value !== currentSae) saeSelect.value = currentSae;
  if (r.view !== 'features') search.value = '';
  window.scrollTo(0, 0);
  try {
    switch (r.view) {
      case 'overview':
        document.title = 'Overview · saestream';
        cleanup = overviewView(main);
        break;
      case 'features':
        document.title = 'Features · saestream';
        cleanup = listView(main, { sae: r.sae, params: r.params, search });
        break;
      case 'feature':
        document.title = `Feature ${r.index} · saestream`;
        cleanup = featureView(main, { sae: r.sae, index: r.index });
        break;
      case 'try':
        document.title = 'Try a text · saestream';
        cleanup = tryView(main, { sae: r.sae, params: r.params });
        break;
      case 'report':
        document.title = 'Label quality · saestream';
        cleanup = reportView(main, { sae: r.sae });
        break;
      case 'compare':
        document.title = 'Compare · saestream';
        cleanup = compareView(main, { params: r.params });
        break;
      default:
        document.title = 'Not found · saestream';
        cleanup = notFound(main, 'This address is not a page of saestream.');
    }
  } catch (e) {
    console.error(e);
    replace(main, errorBox(e));
  }
}

// the header's search: on the list it filters as one types (list.js); elsewhere Enter opens the list
search.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    search.blur();
  } else if (e.key === 'Enter' && parseRoute(location.hash).view !== 'features') {
    const sae = currentSae || saes[0];
    if (sae) location.hash = listHref(sae, { q: search.value.trim() || null });
  }
});

saeSelect.addEventListener('change', () => {
  const r = parseRoute(location.hash);
  currentSae = saeSelect.value;
  location.hash = r.view === 'try' ? tryHref(currentSae) : r.view === 'overview' ? '#/' : listHref(currentSae);
});

// "/" focuses the search from anywhere but a text field
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && t.closest && t.closest('input, textarea, select, [contenteditable]')) return;
  e.preventDefault();
  search.focus();
  search.select();
});

live.on('mode', (mode) => {
  liveBadge.dataset.mode = mode;
  liveBadge.textContent = mode === 'sse' ? 'live' : mode === 'polling' ? 'polling every 2 s' : 'connecting…';
  liveBadge.title = mode === 'sse' ? 'updates arrive as server-sent events' : 'the event stream is not available; the page polls';
});

window.addEventListener('hashchange', route);
live.start();
loadSaes().then(() => {
  if (!currentSae && saes.length) {
    currentSae = saes[0];
    setNav(parseRoute(location.hash).view);
  }
});
route();
