// Compare (#/compare?a=…&b=…): two SAEs' features matched one to one by decoder cosine, with both
// labels side by side, the distribution of best-match cosines and the features left unmatched.

import { api, compareHref } from './api.js';
import { h, replace, fmtInt, fmtFixed } from './dom.js';
import { errorBox } from './views.js';
import { indexLink } from './list.js';

const PAGE = 50;

export function compareView(root, { params }) {
  const a = params.get('a');
  const b = params.get('b');
  const offset = Math.max(0, Number.parseInt(params.get('offset') || '0', 10) || 0);
  const order = params.get('order') === 'asc' ? 'asc' : 'desc';
  let controller = new AbortController();

  const pickA = h('select', { id: 'compare-a', 'aria-label': 'SAE A' });
  const pickB = h('select', { id: 'compare-b', 'aria-label': 'SAE B' });
  const go = h('button', { type: 'submit', class: 'btn', id: 'compare-go' }, 'Compare');
  const form = h('form', { class: 'compare-form', events: { submit: (e) => {
    e.preventDefault();
    location.hash = compareHref(pickA.value, pickB.value);
  } } }, h('label', null, 'A ', pickA), h('label', null, 'B ', pickB), go);
  const body = h('div', { id: 'compare-body' });
  replace(root, h('div', { class: 'page-head' }, h('h1', null, 'Compare two SAEs'),
    h('p', { class: 'sub' }, 'Features matched one to one by the cosine of their decoder directions; only SAEs whose weights this server has can be compared.')),
  form, body);

  api.saes(controller.signal).then((res) => {
    const ids = (Array.isArray(res.items) ? res.items : []).map((x) => String(x.saeId));
    for (const [pick, chosen, fallback] of [[pickA, a, ids[0]], [pickB, b, ids[1] || ids[0]]]) {
      replace(pick, ids.map((id) => h('option', { value: id, selected: id === (chosen || fallback) }, id)));
    }
  }, () => {});

  if (a && b) {
    replace(body, h('p', { class: 'muted' }, 'Matching… (the first comparison of two SAEs takes a few seconds)'));
    api.compare({ a, b, offset, limit: PAGE, order }, controller.signal).then((c) => render(c), (e) => {
      if (e.name !== 'AbortError') replace(body, errorBox(e));
    });
  } else {
    replace(body, h('p', { class: 'muted' }, 'Choose two SAEs.'));
  }

  function render(c) {
    const d = c.bestCosines || {};
    const pct = (x) => `${fmtFixed(100 * (Number(x) || 0), 1)}%`;
    const pager = (total) => h('p', { class: 'pager small' },
      offset > 0 ? h('a', { href: compareHref(a, b, { offset: Math.max(0, offset - PAGE), order }), id: 'compare-prev' }, '‹ previous') : null,
      ` ${fmtInt(Math.min(total, offset + 1))}–${fmtInt(Math.min(total, offset + PAGE))} of ${fmtInt(total)} `,
      offset + PAGE < total ? h('a', { href: compareHref(a, b, { offset: offset + PAGE, order }), id: 'compare-next' }, 'next ›') : null);
    replace(body,
      h('section', { class: 'card', id: 'compare-summary' }, h('h2', null, 'Best-match cosines of A\'s features'),
        h('dl', { class: 'totals' }, [
          ['pairs', fmtInt(c.pairs.total)], ['unmatched in A', fmtInt(c.unmatchedA.total)],
          ['unmatched in B', fmtInt(c.unmatchedB.total)], ['mean', fmtFixed(d.mean, 3)], ['q1', fmtFixed(d.q1, 3)],
          ['median', fmtFixed(d.median, 3)], ['q3', fmtFixed(d.q3, 3)], ['≥ 0.7', pct(d.atLeast07)], ['≥ 0.9', pct(d.atLeast09)],
        ].map(([k, v]) => h('div', null, h('dt', null, k), h('dd', { class: 'num', dataset: { stat: k } }, v))))),
      h('section', { class: 'card', id: 'compare-pairs' },
        h('div', { class: 'card-head' }, h('h2', null, 'Pairs'),
          h('a', { class: 'btn small', id: 'compare-order', href: compareHref(a, b, { order: order === 'desc' ? 'asc' : 'desc' }) },
            order === 'desc' ? 'closest first' : 'farthest first')),
        pager(c.pairs.total),
        h('table', { class: 'compact pairs' },
          h('thead', null, h('tr', null, h('th', null, `A: ${c.a}`), h('th', null, 'label'), h('th', { class: 'num' }, 'cosine'),
            h('th', null, `B: ${c.b}`), h('th', null, 'label'))),
          h('tbody', null, c.pairs.items.map((p) => h('tr', null,
            h('td', { class: 'num idx' }, indexLink(c.a, p.a.index)), h('td', null, labelText(p.a)),
            h('td', { class: 'num' }, fmtFixed(p.cosine, 3)),
            h('td', { class: 'num idx' }, indexLink(c.b, p.b.index)), h('td', null, labelText(p.b))))))),
      unmatchedSection('compare-unmatched-a', `Unmatched in A (${c.a})`, c.a, c.unmatchedA, true, pager),
      unmatchedSection('compare-unmatched-b', `Unmatched in B (${c.b})`, c.b, c.unmatchedB, false, pager));
  }

  return () => controller.abort();
}

function labelText(side) {
  const text = side.explanation == null ? h('span', { class: 'muted' }, 'not labelled') : h('span', null, String(side.explanation));
  return side.score == null ? text : h('span', null, text, h('span', { class: 'muted small' }, ` (${side.score.scorer} ${fmtFixed(side.score.value, 2)})`));
}

function unmatchedSection(id, title, sae, page, withCosine, pager) {
  return h('section', { class: 'card', id }, h('h2', null, title),
    page.total === 0 ? h('p', { class: 'muted' }, 'None.') : [pager(page.total),
      h('table', { class: 'compact' }, h('tbody', null, page.items.map((u) => h('tr', null,
        h('td', { class: 'num idx' }, indexLink(sae, u.feature.index)),
        withCosine ? h('td', { class: 'num', title: 'best cosine with any feature of B' }, fmtFixed(u.bestCosine, 3)) : null,
        h('td', null, labelText(u.feature))))))]);
}
