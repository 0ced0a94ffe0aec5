// Try a text (#/sae/<id>/try): the text encoded on the spot; its tokens shaded by a chosen
// feature, or a token's own features listed when it is clicked.

import { api, featureHref, tryHref } from './api.js';
import { h, replace, setText, fmtInt, fmtNum, featureIndex, tokenText } from './dom.js';
import { shade, scaleLegend } from './tokens.js';
import { errorBox } from './views.js';
import { indexLink } from './list.js';

const MAX_CHARS = 4000;
const STORE = 'saestream.try.text';
const EXAMPLE = 'The European Parliament adopted the resolution on the budget by a large majority.';

export function tryView(root, { sae, params }) {
  let controller = null;
  let result = null;
  let shadeBy = featureIndex(params.get('feature') || '');
  let selected = -1;

  const text = h('textarea', {
    id: 'try-text', rows: 4, maxLength: MAX_CHARS, spellcheck: false, 'aria-label': 'text to encode',
    value: sessionStorage.getItem(STORE) || EXAMPLE,
  });
  const count = h('span', { class: 'muted small' });
  const run = h('button', { type: 'submit', class: 'btn primary', id: 'try-run' }, 'Show activations');
  const featureInput = h('input', {
    type: 'number', id: 'try-feature', min: 0, step: 1, placeholder: 'index', 'aria-label': 'feature to shade by',
    value: shadeBy == null ? '' : String(shadeBy),
  });
  const problem = h('div');
  const tokensBox = h('div', { class: 'tokens try-tokens', id: 'try-tokens', 'aria-label': 'tokens' });
  const legendBox = h('span');
  const shadeInfo = h('p', { class: 'muted small', id: 'shade-info' });
  const topBox = h('div', { id: 'text-features' });
  const tokenBox = h('div', { id: 'token-features' }, h('p', { class: 'muted small' }, 'Click a token to list the features that fire on it.'));
  const results = h('div', { class: 'try-grid', hidden: true },
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Tokens'), legendBox),
      shadeInfo, tokensBox,
      h('h3', { class: 'section-gap' }, 'Features on the selected token'), tokenBox),
    h('section', { class: 'card' }, h('h2', null, 'Features in this text'),
      h('p', { class: 'muted small' }, 'By their strongest activation here; pick one to shade the tokens by it.'), topBox));

  const form = h('form', { class: 'card try-form', events: { submit: (e) => { e.preventDefault(); encode(); } } },
    h('label', { for: 'try-text', class: 'block' }, 'Text (up to 4,000 characters)'), text,
    h('div', { class: 'toolbar' }, run, count,
      h('label', null, 'Shade by feature ', featureInput),
      h('button', { type: 'button', class: 'btn', id: 'try-clear', events: { click: () => setShade(null) } }, 'clear'),
      h('span', { class: 'hint muted' }, h('kbd', null, 'Ctrl'), '+', h('kbd', null, 'Enter'), ' runs')));

  replace(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Try a text'),
      h('p', { class: 'sub' }, `${sae}: the text goes through the same transformer and SAE as the stream`)),
    form, problem, results);

  const updateCount = () => setText(count, `${fmtInt(text.value.length)} / ${fmtInt(MAX_CHARS)}`);
  text.addEventListener('input', updateCount);
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      encode();
    }
  });
  featureInput.addEventListener('change', () => setShade(featureIndex(featureInput.value.trim())));
  updateCount();

  async function encode() {
    if (controller) controller.abort();
    controller = new AbortController();
    sessionStorage.setItem(STORE, text.value);
    run.disabled = true;
    try {
      result = await api.activations(sae, text.value, controller.signal);
      replace(problem);
      selected = -1;
      renderResult();
    } catch (e) {
      if (e.name !== 'AbortError') replace(problem, errorBox(e));
    } finally {
      run.disabled = false;
    }
  }

  /** Per feature in the text: its strongest value, on how many tokens it fires, its explanation. */
  function textFeatures() {
    const by = new Map();
    for (const t of result.tokens || []) {
      for (const f of t.features || []) {
        const x = by.get(f.index) || { index: f.index, max: 0, tokens: 0, explanation: f.explanation };
        x.max = Math.max(x.max, f.value);
        x.tokens += 1;
        by.set(f.index, x);
      }
    }
    return [...by.values()].sort((a, b) => b.max - a.max || a.index - b.index);
  }

  function renderResult() {
    results.hidden = false;
    const feats = textFeatures();
    if (shadeBy == null && feats.length) shadeBy = feats[0].index;
    replace(tokensBox, (result.tokens || []).map((t, i) => h('button', {
      type: 'button', class: 'tok', dataset: { i: String(i) }, 'aria-pressed': 'false',
      events: { click: () => selectToken(i) },
    }, tokenText(t.text))));
    replace(topBox, feats.length === 0 ? h('p', { class: 'muted' }, 'No feature fires on this text.')
      : h('table', { class: 'compact' },
        h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', { class: 'num' }, 'Max'),
          h('th', { class: 'num' }, 'Tokens'), h('th', null, 'Explanation'), h('th', null, ''))),
        h('tbody', null, feats.slice(0, 100).map((f) => featureRow(f, f.max, `${fmtInt(f.tokens)}`)))));
    applyShade();
  }

  function featureRow(f, value, tokens) {
    return h('tr', { dataset: { index: String(f.index) } },
      h('td', { class: 'num idx' }, indexLink(sae, f.index)),
      h('td', { class: 'num' }, fmtNum(value, 3)),
      tokens == null ? null : h('td', { class: 'num' }, tokens),
      h('td', null, f.explanation == null ? h('span', { class: 'muted' }, 'not labelled') : String(f.explanation)),
      h('td', null, h('button', { type: 'button', class: 'btn small shade-btn', events: { click: () => setShade(f.index) } }, 'shade')));
  }

  function setShade(index) {
    shadeBy = index;
    featureInput.value = index == null ? '' : String(index);
    history.replaceState(null, '', tryHref(sae, index));
    if (result) applyShade();
  }

  function applyShade() {
    const tokens = result.tokens || [];
    const values = tokens.map((t) => {
      const f = (t.features || []).find((x) => x.index === shadeBy);
      return f ? f.value : 0;
    });
    const max = Math.max(0, ...values);
    [...tokensBox.children].forEach((el, i) => {
      shade(el, values[i], max);
      el.dataset.act = String(values[i]);
      el.title = `${JSON.stringify(String(tokens[i].text))}  ${shadeBy == null ? '' : `feature ${shadeBy}: ${fmtNum(values[i], 3)}`}`;
    });
    replace(legendBox, shadeBy == null ? null : scaleLegend(max, { peak: false }));
    const href = featureHref(sae, shadeBy);
    replace(shadeInfo, shadeBy == null ? 'No feature chosen: the tokens are not shaded.'
      : max === 0 ? ['Feature ', href ? h('a', { href }, String(shadeBy)) : String(shadeBy), ' does not fire on this text.']
        : ['Shaded by feature ', h('a', { href }, String(shadeBy)), `, strongest here ${fmtNum(max, 3)}.`]);
    for (const tr of topBox.querySelectorAll('tr[data-index]')) tr.classList.toggle('current', Number(tr.dataset.index) === shadeBy);
  }

  function selectToken(i) {
    selected = i;
    [...tokensBox.children].forEach((el, j) => {
      el.classList.toggle('selected', j === i);
      el.setAttribute('aria-pressed', String(j === i));
    });
    const t = result.tokens[i];
    const feats = Array.isArray(t.features) ? t.features : [];
    replace(tokenBox,
      h('p', { class: 'small' }, 'Token ', h('code', null, JSON.stringify(String(t.text))),
        ` at characters ${fmtInt(t.start)}–${fmtInt(t.end)}: `, `${fmtInt(feats.length)} features fire`),
      feats.length === 0 ? null : h('table', { class: 'compact', id: 'token-feature-table' },
        h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', { class: 'num' }, 'Value'),
          h('th', null, 'Explanation'), h('th', null, ''))),
        h('tbody', null, feats.map((f) => featureRow(f, f.value, null)))));
  }

  if (text.value.trim()) encode();
  return () => {
    if (controller) controller.abort();
  };
}
