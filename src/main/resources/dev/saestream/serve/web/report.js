// Label quality (#/sae/<id>/report): `saestream label report` for one SAE, from /api/labels/report —
// per scorer the mean score and its 95% interval beside the null explanation's, the share of labels
// whose interval clears their null's, the same by density decile, parse failures, and how much of the
// labels' basis is still their features' current top windows.

import { api, listHref } from './api.js';
import { h, replace, fmtInt, fmtFixed, fmtDensity } from './dom.js';
import { live } from './live.js';
import { errorBox, throttle } from './views.js';

export function reportView(root, { sae }) {
  let controller = new AbortController();
  const body = h('div', { id: 'report-body' }, h('p', { class: 'muted' }, 'Building the report…'));
  replace(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Label quality'),
      h('p', { class: 'sub' }, `How good the labels of ${sae} are: each scorer's mean score beside the null explanation's. `,
        h('a', { href: listHref(sae) }, 'features'))),
    body);

  async function load() {
    controller.abort();
    controller = new AbortController();
    try {
      render(await api.labelReport(sae, controller.signal));
    } catch (e) {
      if (e.name !== 'AbortError') replace(body, errorBox(e));
    }
  }

  function render(r) {
    const scorers = Object.entries(r.scorers || {});
    replace(body,
      h('section', { class: 'card', id: 'report-summary' },
        h('dl', { class: 'totals' }, [['labels', r.labels], ['ok', r.ok], ['failed', r.failed]].map(([k, v]) =>
          h('div', null, h('dt', null, k), h('dd', { class: 'num', dataset: { stat: k } }, fmtInt(v))))),
        h('p', { class: 'small', id: 'report-basis' }, basisText(r.basis))),
      h('section', { class: 'card', id: 'report-scorers' }, h('h2', null, 'Scorers'),
        scorers.length === 0 ? h('p', { class: 'muted' }, 'No label has a score yet.')
          : h('div', { class: 'table-scroll' }, h('table', { class: 'compact report' },
            h('thead', null, h('tr', null, ['scorer', 'metric', 'labels', 'score [95% CI]', 'null [95% CI]', 'score − null',
              'informative', 'above chance', 'parse failures'].map((t, i) => h('th', { class: i >= 2 ? 'num' : null }, t)))),
            h('tbody', null, scorers.map(([name, s]) => h('tr', { dataset: { scorer: name } },
              h('td', null, name),
              h('td', null, String(s.metric)),
              cell('scored', fmtInt(s.scored)),
              cell('score', meanText(s.score)),
              cell('baseline', s.baseline == null ? 'none' : meanText(s.baseline)),
              cell('gap', signed(s.meanGap)),
              cell('informative', s.withBaseline > 0 ? `${pct(s.informativeShare)} (${fmtInt(s.informative)} of ${fmtInt(s.withBaseline)})` : '—'),
              cell('above-chance', pct(s.aboveChance)),
              cell('parse-failures', `${fmtInt(s.parseFailures)} of ${fmtInt(s.examples)} (${pct(s.parseFailureRate, 1)})`))))))),
      scorers.map(([name, s]) => h('section', { class: 'card report-deciles', dataset: { scorer: name } },
        h('h2', null, `${name} by density decile`),
        h('div', { class: 'table-scroll' }, h('table', { class: 'compact' },
          h('thead', null, h('tr', null, ['decile', 'density', 'labels', 'score', 'null', 'informative'].map((t, i) =>
            h('th', { class: i === 1 ? null : 'num' }, t)))),
          h('tbody', null, (s.byDensity || []).map((d) => h('tr', { dataset: { decile: String(d.decile) } },
            h('td', { class: 'num' }, fmtInt(d.decile)),
            h('td', null, `${fmtDensity(num(d.densityLow))} – ${fmtDensity(num(d.densityHigh))}`),
            h('td', { class: 'num' }, fmtInt(d.scored)),
            h('td', { class: 'num' }, d.score == null ? '—' : fmtFixed(num(d.score.mean), 3)),
            h('td', { class: 'num' }, d.baseline == null ? '—' : fmtFixed(num(d.baseline.mean), 3)),
            h('td', { class: 'num' }, pct(d.informativeShare))))))))),
    );
  }

  load();
  // the server rebuilds the report at most every few seconds; follow the catalogue no faster
  const reload = throttle(load, 5000);
  const off = live.on('features', (c) => {
    if (c && c.saeId === sae) reload();
  });
  return () => {
    off();
    reload.cancel();
    controller.abort();
  };
}

function cell(key, text) {
  return h('td', { class: 'num', dataset: { cell: key } }, text);
}

/** A share or gap from the API: a number, or the string "NaN" when there was nothing to divide by. */
function num(x) {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function pct(x, decimals = 0) {
  const v = num(x);
  return v == null ? '—' : `${(100 * v).toFixed(decimals)}%`;
}

function signed(x) {
  const v = num(x);
  return v == null ? '—' : (v >= 0 ? '+' : '') + v.toFixed(3);
}

/** `0.792 [0.770, 0.814]` */
export function meanText(m) {
  if (!m) return '—';
  return `${fmtFixed(num(m.mean), 3)} [${fmtFixed(num(m.ciLow), 3)}, ${fmtFixed(num(m.ciHigh), 3)}]`;
}

function basisText(b) {
  if (b == null) return 'Basis: no feature states to compare the labels with.';
  if (!b.compared) return 'Basis: no ok label has a feature state yet.';
  const mean = num(b.meanShare);
  return `Basis: labels are based on ${mean == null ? '—' : (100 * mean).toFixed(0) + '%'} of their feature's current top windows on average; `
    + `${fmtInt(b.belowHalf)} of ${fmtInt(b.compared)} (${(100 * b.belowHalf / b.compared).toFixed(0)}%) on less than half.`;
}
