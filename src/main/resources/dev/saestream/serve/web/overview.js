// Overview (#/): every SAE with its live totals, the pipeline's status, the labeller and its cost.

import { api, listHref, tryHref, reportHref } from './api.js';
import { h, s, replace, setText, fmtInt, fmtNum, fmtAgo, fmtTime, fmtDollars } from './dom.js';
import { live } from './live.js';
import { errorBox } from './views.js';

const SAE_STATS = [
  ['documents', 'documents'],
  ['tokens', 'tokens'],
  ['features', 'features seen'],
  ['labelled', 'labelled'],
  ['failed', 'label failed'],
  ['dead', 'dead'],
];

const HISTORY = 120;

export function overviewView(root) {
  const saesBox = h('div', { class: 'sae-grid', id: 'saes' });
  const statusBox = h('div', { class: 'status-grid' });
  const problem = h('div', { class: 'problem' });
  const rate = [];
  const stat = {};
  const statEl = (key) => (stat[key] = h('span', { class: 'num', dataset: { stat: key } }, '—'));
  const sparkEl = h('span', { class: 'rate-spark' });

  statusBox.append(
    card('Documents',
      row('produced', statEl('documents.produced')),
      row('encoded', statEl('documents.encoded')),
      row('dead-lettered', statEl('documents.deadLettered'))),
    card('Tokens',
      row('catalogued', statEl('tokens')),
      row('tokens/s', statEl('tokensPerSecond')),
      h('div', { class: 'row' }, sparkEl)),
    card('Consumer lag',
      row('encode', statEl('lag.encode')),
      row('catalog', statEl('lag.catalog')),
      row('label', statEl('lag.label'))),
    card('Labeller',
      row('labelled', statEl('labels.labelled')),
      row('pending', statEl('labels.pending')),
      row('failed', statEl('labels.failed')),
      h('div', { class: 'row' }, stat.progress = h('progress', { max: 1, value: 0, class: 'label-progress', 'aria-label': 'labelled share' }))),
    card('LLM cost',
      row('calls', statEl('llm.calls')),
      row('input tokens', statEl('llm.inputTokens')),
      row('output tokens', statEl('llm.outputTokens')),
      row('cached input', statEl('llm.cachedInputTokens')),
      h('div', { class: 'row', title: 'the tokens at prices.inputPerMillion and prices.outputPerMillion; — while no price is set' },
        h('span', { class: 'muted' }, 'dollars'), statEl('llm.dollars'))),
    card('Dead letters by reason', stat.reasons = h('div', { class: 'reasons', id: 'dead-letter-reasons' })),
    card('Label failures by reason', stat.failures = h('div', { class: 'reasons', id: 'label-failure-reasons' })),
  );

  const restoring = h('p', { class: 'notice', hidden: true }, 'The catalogue is loading from the topics; totals appear when it is done.');
  replace(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Overview'),
      h('p', { class: 'sub' }, 'Live totals of the catalogue, updating as documents stream in.')),
    problem, restoring,
    h('h2', null, 'Sparse autoencoders'), saesBox,
    h('h2', null, 'Pipeline'), statusBox);

  let saeCards = new Map();
  let saesInFlight = false;
  let lastSaes = 0;

  async function loadSaes() {
    if (saesInFlight) return;
    saesInFlight = true;
    lastSaes = Date.now();
    try {
      const body = await api.saes();
      replace(problem);
      renderSaes(Array.isArray(body.items) ? body.items : []);
    } catch (e) {
      if (e.code === 'restoring') restoring.hidden = false;
      else replace(problem, errorBox(e));
    } finally {
      saesInFlight = false;
    }
  }

  function renderSaes(items) {
    const ids = items.map((x) => String(x.saeId));
    if (ids.join('\n') !== [...saeCards.keys()].join('\n')) {
      saeCards = new Map();
      replace(saesBox, items.length ? null : h('p', { class: 'muted' }, 'No SAE has catalogued a document yet.'));
      for (const id of ids) {
        const cells = {};
        const el = h('section', { class: 'card sae', dataset: { sae: id } },
          h('h3', null, h('a', { href: listHref(id) }, id)),
          cells.meta = h('p', { class: 'muted small' }),
          cells.built = h('p', { class: 'muted small sae-built' }),
          cells.explainers = h('p', { class: 'small sae-explainers' }),
          h('dl', { class: 'totals' }, SAE_STATS.map(([k, label]) =>
            h('div', null, h('dt', null, label), cells[k] = h('dd', { class: 'num', dataset: { saeStat: k } }, '—')))),
          cells.bar = h('progress', { max: 1, value: 0, class: 'label-progress', 'aria-label': 'labelled share of features seen' }),
          h('p', { class: 'small' },
            cells.updated = h('span', { class: 'muted' }), ' · ',
            h('a', { href: listHref(id) }, 'features'), ' · ',
            h('a', { href: tryHref(id) }, 'try a text'), ' · ',
            h('a', { href: reportHref(id), class: 'report-link' }, 'Label quality')));
        saeCards.set(id, cells);
        saesBox.append(el);
      }
    }
    for (const x of items) {
      const cells = saeCards.get(String(x.saeId));
      setText(cells.meta, [x.model, x.hook, x.width == null ? null : `width ${fmtInt(x.width)}`].filter((v) => v != null).join(' · '));
      for (const [k] of SAE_STATS) setText(cells[k], fmtInt(x[k]));
      cells.bar.max = Math.max(1, x.features || 0);
      cells.bar.value = x.labelled || 0;
      setText(cells.built, x.firstUpdatedMs == null ? '' : `built ${fmtTime(x.firstUpdatedMs)}, last change ${fmtTime(x.updatedMs)}`);
      const who = Array.isArray(x.explainers) ? x.explainers : [];
      setText(cells.explainers, who.length === 0 ? 'not labelled yet' : 'labelled by ' + who.map((e) =>
        `${[e.kind, e.provider, e.model].filter((v) => v != null && v !== '').join(' ')} (${fmtInt(e.labels)})`).join(', '));
      cells.updatedMs = x.updatedMs;
      setText(cells.updated, `updated ${fmtAgo(x.updatedMs)}`);
    }
  }

  function put(key, value, fmt = fmtInt) {
    if (stat[key]) setText(stat[key], fmt(value));
  }

  function renderStatus(st) {
    restoring.hidden = !st.restoring;
    const d = st.documents || {};
    put('documents.produced', d.produced);
    put('documents.encoded', d.encoded);
    put('documents.deadLettered', d.deadLettered);
    put('tokens', st.tokens);
    put('tokensPerSecond', st.tokensPerSecond, (v) => (v == null ? '—' : fmtNum(v, 3)));
    const lag = st.lag || {};
    put('lag.encode', lag.encode);
    put('lag.catalog', lag.catalog);
    put('lag.label', lag.label);
    const labels = st.labels || {};
    put('labels.labelled', labels.labelled);
    put('labels.pending', labels.pending);
    put('labels.failed', labels.failed);
    const alive = (st.features && st.features.alive) || 0;
    stat.progress.max = Math.max(1, alive);
    stat.progress.value = labels.labelled || 0;
    const llm = st.llm || {};
    put('llm.calls', llm.calls);
    put('llm.inputTokens', llm.inputTokens);
    put('llm.outputTokens', llm.outputTokens);
    put('llm.cachedInputTokens', llm.cachedInputTokens);
    put('llm.dollars', llm.dollars, fmtDollars);
    reasonTable(stat.reasons, d.deadLetterReasons, 'none');
    reasonTable(stat.failures, labels.failureReasons, 'none');
    if (st.tokensPerSecond != null) {
      rate.push(st.tokensPerSecond);
      if (rate.length > HISTORY) rate.shift();
      replace(sparkEl, rateSpark(rate));
    }
    // the per-SAE totals are not in the status event: fetch them at most every 2 s
    if (Date.now() - lastSaes >= 2000) loadSaes();
  }

  const offStatus = live.on('status', renderStatus);
  const clock = setInterval(() => {
    for (const cells of saeCards.values()) setText(cells.updated, `updated ${fmtAgo(cells.updatedMs)}`);
  }, 1000);
  loadSaes();
  if (live.lastStatus) renderStatus(live.lastStatus);
  else api.status().then(renderStatus, (e) => replace(problem, errorBox(e)));

  return () => {
    offStatus();
    clearInterval(clock);
  };
}

function card(title, ...rows) {
  return h('section', { class: 'card' }, h('h3', null, title), rows);
}

function row(label, value) {
  return h('div', { class: 'row' }, h('span', { class: 'muted' }, label), value);
}

function reasonTable(el, reasons, empty) {
  const entries = Object.entries(reasons || {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const key = JSON.stringify(entries);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  replace(el, entries.length === 0 ? h('p', { class: 'muted small' }, empty)
    : h('table', { class: 'compact' }, h('tbody', null, entries.map(([reason, n]) =>
      h('tr', null, h('td', null, reason), h('td', { class: 'num' }, fmtInt(n)))))));
}

function rateSpark(values) {
  const w = 220;
  const ht = 36;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (HISTORY - 1) : 0;
  const x0 = w - step * (values.length - 1);
  const pts = values.map((v, i) => `${(x0 + i * step).toFixed(1)},${(ht - 2 - (v / max) * (ht - 4)).toFixed(1)}`).join(' ');
  return [s('svg', { class: 'rate', viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'tokens per second, recent' },
    s('polyline', { points: pts, class: 'rate-line', 'vector-effect': 'non-scaling-stroke' })),
  h('span', { class: 'muted small' }, `recent tokens/s, peak ${fmtNum(max, 3)}`)];
}
