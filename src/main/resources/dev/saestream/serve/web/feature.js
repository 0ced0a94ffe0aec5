// Feature page (#/sae/<id>/feature/<index>): label and scores, top windows shaded by activation,
// quantile groups, histogram, statistics, facets, nearest features; refreshed while the stream runs.

import { api, featureHref, featureJsonHref, listHref, tryHref } from './api.js';
import { h, replace, setText, fmtInt, fmtNum, fmtFixed, fmtDensity, fmtAgo, fmtTime } from './dom.js';
import { histogram, intervalBar } from './charts.js';
import { windowView, scaleLegend } from './tokens.js';
import { live } from './live.js';
import { errorBox, throttle } from './views.js';
import { indexLink } from './list.js';

const POLL_MS = 3000;

export function featureView(root, { sae, index }) {
  let controller = null;
  let feature = null;
  let strongestFirst = true;
  const openGroups = new Set();
  let retry = null;

  const updated = h('span', { class: 'updated muted', id: 'updated', 'aria-live': 'off' }, '');
  const problem = h('div');
  const body = h('div', { class: 'feature-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const prev = index > 0 ? h('a', { href: featureHref(sae, index - 1), class: 'btn', title: 'previous feature ( [ )', id: 'prev-feature' }, `‹ ${index - 1}`) : null;
  const next = h('a', { href: featureHref(sae, index + 1), class: 'btn', title: 'next feature ( ] )', id: 'next-feature' }, `${index + 1} ›`);

  replace(root,
    h('div', { class: 'page-head feature-head' },
      h('div', null,
        h('h1', null, `Feature ${index}`),
        h('p', { class: 'sub' }, h('a', { href: listHref(sae) }, sae), ' · ', updated)),
      h('div', { class: 'head-actions' }, prev, next,
        h('a', { href: tryHref(sae, index), class: 'btn' }, 'try a text'),
        h('a', { href: featureJsonHref(sae, index), class: 'btn', id: 'raw-json', target: '_blank', rel: 'noopener' }, 'raw JSON'))),
    problem, body);

  async function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const f = await api.feature(sae, index, controller.signal);
      replace(problem);
      if (!feature || f.version !== feature.version || labelKey(f) !== labelKey(feature)) {
        feature = f;
        render();
      }
      feature = f;
      tick();
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 404) {
        replace(body, h('p', { class: 'notice' },
          `Feature ${index} has not fired yet in ${sae}, or the SAE is unknown. This page shows it as soon as it does.`));
      } else {
        replace(problem, errorBox(e));
        if (e.code === 'restoring') retry = setTimeout(load, 2000);
      }
    }
  }

  function tick() {
    if (!feature) return;
    setText(updated, `version ${fmtInt(feature.version)}, updated ${fmtAgo(feature.updatedMs)}`);
  }

  function render() {
    const f = feature;
    const max = Number(f.max) || 0;
    const main = h('div', { class: 'feature-main' },
      labelSection(f),
      h('section', { class: 'card', id: 'top' },
        h('div', { class: 'card-head' }, h('h2', null, 'Top activations'), scaleLegend(max)),
        windowsList(f.top, max, 'No windows yet.')),
      quantileSection(f, max));
    const aside = h('aside', { class: 'feature-aside' },
      statsSection(f),
      h('section', { class: 'card', id: 'histogram' }, h('h2', null, 'Activation histogram'),
        histogram(f.histogram, { mean: f.mean, width: 400, height: 180 })),
      facetSection(f.facet),
      matchesSection(f.matches),
      nearestSection(sae, f.nearest));
    replace(body, h('div', { class: 'feature-grid' }, main, aside));
  }

  function quantileSection(f, max) {
    const groups = Array.isArray(f.quantiles) ? [...f.quantiles] : [];
    if (strongestFirst) groups.reverse();
    const toggle = h('button', {
      type: 'button', class: 'btn small', id: 'quantile-order',
      events: { click: () => { strongestFirst = !strongestFirst; render(); } },
    }, strongestFirst ? 'strongest first' : 'weakest first');
    const total = groups.reduce((n, g) => n + (Array.isArray(g.windows) ? g.windows.length : 0), 0);
    return h('section', { class: 'card', id: 'quantiles' },
      h('div', { class: 'card-head' }, h('h2', null, 'Activation quantiles'), toggle),
      h('p', { class: 'muted small' }, 'Windows from a uniform sample of everywhere the feature fires, in groups of equal size by peak activation.'),
      groups.length === 0 ? h('p', { class: 'muted' }, 'No sample yet.') : groups.map((g, i) => {
        const n = Array.isArray(g.windows) ? g.windows.length : 0;
        const d = h('details', {
          class: 'quantile', dataset: { group: String(g.group) },
          open: openGroups.has(g.group) || (openGroups.size === 0 && i === 0),
          events: { toggle: () => { if (d.open) openGroups.add(g.group); else openGroups.delete(g.group); } },
        },
        h('summary', null,
          h('span', { class: 'q-name' }, `Group ${g.group + 1} of ${groups.length}`),
          h('span', { class: 'q-bounds' }, `peak ${fmtNum(g.low, 3)} – ${fmtNum(g.high, 3)}`),
          h('span', { class: 'muted' }, `${fmtInt(n)} windows${total ? ` (${Math.round((100 * n) / total)}% of the sample)` : ''}`)),
        windowsList(g.windows, max, 'empty'));
        return d;
      }));
  }

  const refresh = throttle(load, 1000);
  const offFeatures = live.on('features', (ev) => {
    if (ev.saeId === sae && ev.changed.includes(index)) refresh();
  });
  // without the event stream the page polls
  const poll = setInterval(() => {
    if (live.mode !== 'sse' && !document.hidden) load();
  }, POLL_MS);
  const clock = setInterval(tick, 1000);
  const onKey = (e) => {
    if (e.target.closest && e.target.closest('input, textarea, select')) return;
    if (e.key === '[' && index > 0) location.hash = featureHref(sae, index - 1);
    if (e.key === ']') location.hash = featureHref(sae, index + 1);
  };
  document.addEventListener('keydown', onKey);
  load();

  return () => {
    if (controller) controller.abort();
    clearTimeout(retry);
    offFeatures();
    refresh.cancel();
    clearInterval(poll);
    clearInterval(clock);
    document.removeEventListener('keydown', onKey);
  };
}

function labelKey(f) {
  const l = f && f.label;
  return l ? `${l.createdMs}/${l.basedOnVersion}/${l.basisShare}/${l.status}` : '';
}

function windowsList(windows, max, empty) {
  const list = Array.isArray(windows) ? windows : [];
  return list.length === 0 ? h('p', { class: 'muted' }, empty) : h('div', { class: 'windows' }, list.map((w) => windowView(w, max)));
}

function explainerText(e) {
  if (!e) return '—';
  return [e.kind, e.provider, e.model].filter((v) => v != null && v !== '').join(' · ');
}

function labelSection(f) {
  const l = f.label;
  const sec = h('section', { class: 'card label', id: 'label' }, h('h2', null, 'Label'));
  if (!l) {
    sec.append(h('p', { class: 'muted' }, 'Not labelled yet: the labeller names a feature once it has enough examples.'));
    return sec;
  }
  if (l.explanation != null) sec.append(h('p', { class: 'explanation', id: 'explanation' }, String(l.explanation)));
  if (l.status === 'failed') {
    sec.append(h('p', { class: 'error' }, h('strong', null, 'Labelling failed'), l.failure ? ` ${l.failure}` : ''));
  }
  const meta = [h('span', null, 'explainer ', h('strong', null, explainerText(l.explainer)))];
  if (l.basisShare != null) {
    meta.push(h('span', { id: 'basis' }, `label based on ${Math.round(l.basisShare * 100)}% of current top examples`,
      l.basedOnVersion != null ? ` (feature version ${fmtInt(l.basedOnVersion)} of ${fmtInt(f.version)})` : ''));
  }
  meta.push(h('span', { title: fmtTime(l.createdMs) }, `labelled ${fmtAgo(l.createdMs)}`));
  sec.append(h('p', { class: 'label-meta muted' }, meta.flatMap((m, i) => (i ? [' · ', m] : [m]))));

  const scores = Array.isArray(l.scores) ? l.scores : [];
  if (scores.length) {
    sec.append(h('div', { class: 'table-scroll' }, h('table', { class: 'scores', id: 'scores' },
      h('thead', null, h('tr', null, h('th', null, 'Scorer'), h('th', null, 'Value, 95% CI'), h('th', null, ''),
        h('th', { class: 'num' }, 'n'), h('th', { class: 'num' }, 'Parse fail.'),
        h('th', null, 'Null explanation'))),
      h('tbody', null, scores.map((sc) => h('tr', { dataset: { scorer: String(sc.scorer) } },
        h('td', null, h('span', { class: 'strong' }, String(sc.scorer)), ' ', h('span', { class: 'muted small' }, String(sc.metric))),
        h('td', { class: 'ci-text' }, h('span', { class: 'strong' }, fmtFixed(sc.value)), ` [${fmtFixed(sc.ciLow)}, ${fmtFixed(sc.ciHigh)}]`),
        h('td', null, intervalBar(sc, 100, 14)),
        h('td', { class: 'num' }, fmtInt(sc.n)),
        h('td', { class: 'num' }, `${fmtInt(sc.parseFailures)} (${fmtNum((sc.parseFailureRate || 0) * 100, 2)}%)`),
        h('td', { class: 'null' }, sc.baseline ? `${fmtFixed(sc.baseline.value)} [${fmtFixed(sc.baseline.ciLow)}, ${fmtFixed(sc.baseline.ciHigh)}]` : '—',
          sc.informative == null ? null : sc.informative
            ? h('span', { class: 'yes', title: 'the interval lies above the null explanation\'s' }, ' informative')
            : h('span', { class: 'no', title: 'the interval overlaps the null explanation\'s' }, ' not informative'))))))));
  }
  const c = l.cost || {};
  sec.append(h('p', { class: 'small muted', id: 'cost' },
    `cost: ${fmtInt(c.calls)} LLM calls, ${fmtInt(c.inputTokens)} input + ${fmtInt(c.outputTokens)} output tokens`));
  const warnings = Array.isArray(l.warnings) ? l.warnings : [];
  if (warnings.length) sec.append(h('ul', { class: 'warnings' }, warnings.map((w) => h('li', null, String(w)))));
  const history = Array.isArray(l.history) ? l.history : [];
  if (history.length) {
    sec.append(h('details', { class: 'history', id: 'history' },
      h('summary', null, `Label history (${history.length})`),
      h('table', { class: 'compact' },
        h('thead', null, h('tr', null, h('th', null, 'When'), h('th', { class: 'num' }, 'Version'), h('th', null, 'Status'),
          h('th', null, 'Explainer'), h('th', null, 'Explanation'), h('th', null, 'Scores'))),
        h('tbody', null, history.map((x) => h('tr', null,
          h('td', { title: fmtTime(x.createdMs) }, fmtAgo(x.createdMs)), h('td', { class: 'num' }, fmtInt(x.version)),
          h('td', null, String(x.status)), h('td', null, explainerText(x.explainer)),
          h('td', null, x.explanation == null ? '—' : String(x.explanation)),
          h('td', null, Object.entries(x.scores || {}).map(([k, v]) => `${k} ${fmtFixed(v)}`).join(', ') || '—')))))));
  }
  return sec;
}

function statsSection(f) {
  const row = (label, value, key) => h('div', null, h('dt', null, label), h('dd', { class: 'num', dataset: { stat: key } }, value));
  return h('section', { class: 'card', id: 'stats' }, h('h2', null, 'Statistics'),
    h('dl', { class: 'stats' },
      row('density', fmtDensity(f.density), 'density'),
      row('activations', fmtInt(f.activations), 'activations'),
      row('documents', fmtInt(f.documents), 'documents'),
      row('windows', fmtInt(f.windows), 'windows'),
      row('max', fmtNum(f.max, 4), 'max'),
      row('mean', fmtNum(f.mean, 4), 'mean'),
      row('tokens seen', fmtInt(f.tokensSeen), 'tokensSeen')));
}

function facetSection(facet) {
  if (!facet || typeof facet.counts !== 'object' || facet.counts == null) return null;
  const entries = Object.entries(facet.counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = entries.reduce((n, [, c]) => n + c, 0) || 1;
  return h('section', { class: 'card', id: 'facet' }, h('h2', null, `By ${String(facet.field)}`),
    h('table', { class: 'compact facet' }, h('tbody', null, entries.map(([k, c]) => {
      const bar = h('span', { class: 'facet-bar' });
      bar.style.width = `${Math.max(1, Math.round((100 * c) / total))}%`;
      return h('tr', null, h('td', null, k), h('td', { class: 'num' }, fmtInt(c)), h('td', { class: 'facet-cell' }, bar));
    }))));
}

function matchesSection(matches) {
  const list = Array.isArray(matches) ? matches : [];
  if (list.length === 0) return null;
  return h('section', { class: 'card', id: 'matches' }, h('h2', null, 'In other SAEs'),
    h('p', { class: 'muted small' }, 'the closest decoder direction in each other SAE at this hook'),
    h('table', { class: 'compact matches' }, h('tbody', null, list.map((m) => h('tr', { dataset: { sae: String(m.saeId) } },
      h('td', null, h('span', { class: 'muted small' }, String(m.saeId)), ' ', indexLink(m.saeId, m.index)),
      h('td', { class: 'num' }, fmtFixed(m.cosine, 3)),
      h('td', null, m.explanation == null ? h('span', { class: 'muted' }, 'not labelled') : String(m.explanation)))))));
}

function nearestSection(sae, nearest) {
  const list = Array.isArray(nearest) ? nearest : [];
  return h('section', { class: 'card', id: 'nearest' }, h('h2', null, 'Nearest features'),
    h('p', { class: 'muted small' }, 'by cosine similarity of decoder directions'),
    list.length === 0 ? h('p', { class: 'muted' }, 'Not available (the SAE weights are not loaded here).')
      : h('table', { class: 'compact nearest' }, h('tbody', null, list.map((n) => h('tr', null,
        h('td', { class: 'num idx' }, indexLink(sae, n.index)),
        h('td', { class: 'num' }, fmtFixed(n.cosine)),
        h('td', null, n.explanation == null ? h('span', { class: 'muted' }, 'not labelled') : String(n.explanation)))))));
}
