// Feature list (#/sae/<id>/features?sort=&order=&q=&offset=&limit=): the server pages, the page
// renders only its rows; live while the stream runs unless frozen.

import { api, listHref, featureHref } from './api.js';
import { h, replace, setText, fmtInt, fmtNum, fmtDensity, fmtScore, fmtAgo } from './dom.js';
import { sparkline, nonEmptyRange, intervalBar } from './charts.js';
import { live } from './live.js';
import { errorBox, throttle } from './views.js';

const SORTS = [
  ['density', 'density'],
  ['max', 'max activation'],
  ['index', 'index'],
  ['score', 'score'],
  ['updated', 'last updated'],
];
const LIMITS = [25, 50, 100, 200];

function readParams(p) {
  const sort = SORTS.some(([k]) => k === p.get('sort')) ? p.get('sort') : 'density';
  const order = p.get('order') === 'asc' || p.get('order') === 'desc' ? p.get('order') : sort === 'index' ? 'asc' : 'desc';
  const limit = LIMITS.includes(Number(p.get('limit'))) ? Number(p.get('limit')) : 50;
  const offset = Math.max(0, Math.floor(Number(p.get('offset')) || 0));
  const q = (p.get('q') || '').slice(0, 200);
  const ranked = p.get('mode') === 'ranked';
  return { sort, order, limit, offset, q, ranked };
}

export function listView(root, { sae, params, search }) {
  let state = readParams(params);
  let controller = null;
  let autoRefresh = true;
  let retry = null;

  const sortSel = h('select', { id: 'sort', events: { change: () => go({ sort: sortSel.value, order: sortSel.value === 'index' ? 'asc' : 'desc', offset: 0 }, true) } },
    SORTS.map(([k, label]) => h('option', { value: k, selected: k === state.sort }, label)));
  const orderBtn = h('button', { type: 'button', id: 'order', class: 'btn', events: { click: () => go({ order: state.order === 'asc' ? 'desc' : 'asc', offset: 0 }, true) } });
  const limitSel = h('select', { id: 'limit', events: { change: () => go({ limit: Number(limitSel.value), offset: 0 }, true) } },
    LIMITS.map((n) => h('option', { value: String(n), selected: n === state.limit }, String(n))));
  const rankedBox = h('input', { type: 'checkbox', id: 'ranked', checked: state.ranked, events: { change: () => go({ ranked: rankedBox.checked, offset: 0 }, true) } });
  const liveBox = h('input', { type: 'checkbox', id: 'live', checked: true, events: { change: () => { autoRefresh = liveBox.checked; } } });
  sortSel.value = state.sort;
  limitSel.value = String(state.limit);
  const summary = h('p', { class: 'summary', id: 'list-summary', 'aria-live': 'polite' });
  const problem = h('div');
  const table = h('table', { class: 'features', id: 'feature-table' });
  const pagerTop = h('nav', { class: 'pager', 'aria-label': 'pages' });
  const pagerBottom = h('nav', { class: 'pager', 'aria-label': 'pages' });

  replace(root,
    h('div', { class: 'page-head' },
      h('h1', null, 'Features'),
      h('p', { class: 'sub' }, sae)),
    h('div', { class: 'toolbar' },
      h('label', null, 'Sort by ', sortSel), orderBtn,
      h('label', null, 'Rows ', limitSel),
      h('label', { class: 'check', title: 'rank by lexical and semantic match (embedding model) instead of filtering' }, rankedBox, ' ranked search'),
      h('label', { class: 'check', title: 'reload this page of the list as the catalogue changes' }, liveBox, ' live'),
      h('span', { class: 'hint muted' }, 'Press ', h('kbd', null, '/'), ' to search explanations')),
    summary, problem, pagerTop, table, pagerBottom);

  function go(changes, push) {
    state = { ...state, ...changes };
    const href = listHref(sae, {
      sort: state.sort, order: state.order, q: state.q || null, offset: state.offset || null,
      limit: state.limit === 50 ? null : state.limit, mode: state.ranked ? 'ranked' : null,
    });
    if (push) history.pushState(null, '', href);
    else history.replaceState(null, '', href);
    load();
  }

  async function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    setText(orderBtn, state.order === 'asc' ? '↑ ascending' : '↓ descending');
    orderBtn.disabled = state.ranked && !!state.q;
    sortSel.disabled = state.ranked && !!state.q;
    try {
      if (state.ranked && state.q) {
        const body = await api.search({ sae, q: state.q, limit: state.limit }, signal);
        renderRanked(Array.isArray(body.items) ? body.items : []);
      } else {
        const body = await api.features({ sae, sort: state.sort, order: state.order, q: state.q || null, offset: state.offset, limit: state.limit }, signal);
        renderPage(body);
      }
      replace(problem);
    } catch (e) {
      if (e.name === 'AbortError') return;
      replace(problem, errorBox(e));
      if (e.code === 'restoring') retry = setTimeout(load, 2000);
    }
  }

  function renderPage(body) {
    const items = Array.isArray(body.items) ? body.items : [];
    const total = Number(body.total) || 0;
    const from = total === 0 ? 0 : state.offset + 1;
    const to = state.offset + items.length;
    setText(summary, total === 0
      ? (state.q ? `No feature's explanation contains every word of “${state.q}”.` : 'No features yet.')
      : `${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(total)} features${state.q ? ` whose explanation contains “${state.q}”` : ''}`);
    const range = nonEmptyRange(items.map((x) => x.histogram));
    const now = Date.now();
    replace(table,
      h('thead', null, h('tr', null,
        h('th', { class: 'num' }, '#'), h('th', null, 'Explanation'), h('th', null, 'Score, 95% CI'),
        h('th', { class: 'num' }, 'Density'), h('th', { class: 'num' }, 'Max'), h('th', null, 'Activations'),
        h('th', { class: 'num' }, 'Updated'))),
      h('tbody', null, items.map((x) => featureRow(sae, x, range, now))));
    pager(pagerTop, total);
    pager(pagerBottom, total);
  }

  function renderRanked(items) {
    setText(summary, items.length === 0 ? `Nothing matches “${state.q}”.`
      : `${fmtInt(items.length)} best matches for “${state.q}”, lexical and semantic`);
    replace(table,
      h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'Explanation'),
        h('th', null, 'Score, 95% CI'), h('th', { class: 'num' }, 'Rank'), h('th', { class: 'num' }, 'Lexical'),
        h('th', { class: 'num' }, 'Semantic'))),
      h('tbody', null, items.map((x) => h('tr', null,
        h('td', { class: 'num idx' }, indexLink(sae, x.index)),
        h('td', { class: 'expl' }, explanationCell(x.explanation, null)),
        h('td', null, scoreCell(x.score)),
        h('td', { class: 'num' }, fmtNum(x.rank, 2)), h('td', { class: 'num' }, fmtNum(x.lexical, 2)),
        h('td', { class: 'num' }, fmtNum(x.semantic, 2))))));
    replace(pagerTop);
    replace(pagerBottom);
  }

  function pager(nav, total) {
    const last = Math.max(0, Math.floor((total - 1) / state.limit) * state.limit);
    const page = Math.floor(state.offset / state.limit) + 1;
    const pages = Math.max(1, Math.ceil(total / state.limit));
    const btn = (label, offset, disabled, cls) => h('button', {
      type: 'button', class: `btn ${cls}`, disabled,
      events: { click: () => go({ offset }, true) },
    }, label);
    replace(nav,
      btn('« first', 0, state.offset === 0, 'first'),
      btn('‹ previous', Math.max(0, state.offset - state.limit), state.offset === 0, 'prev'),
      h('span', { class: 'muted' }, `page ${fmtInt(page)} of ${fmtInt(pages)}`),
      btn('next ›', state.offset + state.limit, state.offset + state.limit >= total, 'next'),
      btn('last »', last, state.offset >= last, 'last'));
  }

  // the header's search box filters this list as one types
  const onSearch = () => {
    const q = search.value.trim();
    if (q !== state.q) go({ q, offset: 0 }, false);
  };
  const debounced = debounce(onSearch, 250);
  search.value = state.q;
  search.addEventListener('input', debounced);

  const refresh = throttle(() => {
    if (autoRefresh && !document.hidden) load();
  }, 3000);
  const offFeatures = live.on('features', (ev) => {
    if (ev.saeId === sae) refresh();
  });
  const poll = setInterval(() => {
    if (live.mode !== 'sse') refresh();
  }, 5000);
  load();

  return () => {
    if (controller) controller.abort();
    clearTimeout(retry);
    search.removeEventListener('input', debounced);
    offFeatures();
    clearInterval(poll);
    refresh.cancel();
  };
}

function debounce(fn, ms) {
  let t = null;
  const call = () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
  return call;
}

export function indexLink(sae, index) {
  const href = featureHref(sae, index);
  return href ? h('a', { href }, String(index)) : h('span', null, String(index));
}

function explanationCell(explanation, status) {
  if (explanation != null) return h('span', null, String(explanation));
  return h('span', { class: status === 'failed' ? 'muted failed' : 'muted' }, status === 'failed' ? 'labelling failed' : 'not labelled yet');
}

function scoreCell(score) {
  if (!score) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'score', title: `${score.scorer || ''} ${score.metric || ''}`.trim() },
    intervalBar(score), h('span', { class: 'score-text' }, fmtScore(score)));
}

function featureRow(sae, x, range, now) {
  return h('tr', { dataset: { index: String(x.index) } },
    h('td', { class: 'num idx' }, indexLink(sae, x.index)),
    h('td', { class: 'expl' }, explanationCell(x.explanation, x.labelStatus)),
    h('td', null, scoreCell(x.score)),
    h('td', { class: 'num' }, fmtDensity(x.density)),
    h('td', { class: 'num' }, fmtNum(x.max, 3)),
    h('td', { class: 'spark-cell', title: `${fmtInt(x.activations)} activations in ${fmtInt(x.documents)} documents` }, sparkline(x.histogram, range)),
    h('td', { class: 'num muted' }, fmtAgo(x.updatedMs, now)));
}
