// Tokens shaded by a feature's activation: one hue whose opacity is activation / max, so 0 is
// blank and the strongest activation is solid; the value on hover; the peak token outlined.

import { h, fmtNum, tokenText } from './dom.js';

const HUE = '234, 88, 12';
const MAX_ALPHA = 0.85;

/** The background colour for an activation on a scale up to max ('' for none). */
export function shadeColour(value, max) {
  const a = max > 0 && value > 0 ? Math.min(1, value / max) : 0;
  return a > 0 ? `rgba(${HUE}, ${(a * MAX_ALPHA).toFixed(3)})` : '';
}

export function shade(el, value, max) {
  el.style.backgroundColor = shadeColour(value, max);
  el.classList.toggle('lit', value > 0);
}

/** One token as a span, shaded, with its value in the title. */
export function tokenSpan(text, value, max, { peak = false } = {}) {
  const el = h('span', {
    class: peak ? 'tok peak' : 'tok',
    title: `${JSON.stringify(String(text))}  ${fmtNum(value, 3)}`,
    dataset: { act: String(value) },
  }, tokenText(text));
  shade(el, value, max);
  return el;
}

/** A window of a feature: its tokens shaded on the feature's scale, the peak marked. */
export function windowView(win, max) {
  const tokens = Array.isArray(win.tokens) ? win.tokens : [];
  const acts = Array.isArray(win.acts) ? win.acts : [];
  const peakAt = win.peak - win.first;
  const line = h('div', { class: 'tokens' });
  tokens.forEach((t, i) => line.append(tokenSpan(t, Number(acts[i]) || 0, max, { peak: i === peakAt })));
  return h('div', { class: 'window' },
    h('div', { class: 'window-meta' },
      h('span', { class: 'window-max', title: 'activation at the peak token' }, fmtNum(win.max, 3)),
      h('span', { class: 'window-doc', title: `document ${win.doc}, token ${win.peak}` }, String(win.doc))),
    line);
}

/** The legend of the colour scale from 0 to max. */
export function scaleLegend(max, { peak = true } = {}) {
  const bar = h('span', { class: 'legend-bar' });
  bar.style.backgroundImage = `linear-gradient(to right, rgba(${HUE}, 0), rgba(${HUE}, ${MAX_ALPHA}))`;
  return h('span', { class: 'legend' }, h('span', null, '0'), bar, h('span', null, fmtNum(max, 3)),
    peak ? h('span', { class: 'legend-peak peak-sample', title: 'the peak token of a window' }, 'peak') : null);
}
