// Small SVG charts drawn by hand: the activation histogram, its sparkline, a score's interval.

import { s, fmtNum, fmtInt, fmtFixed } from './dom.js';

/** The first and last bins with a count, over several histograms (null when all are empty). */
export function nonEmptyRange(countArrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const counts of countArrays) {
    if (!Array.isArray(counts)) continue;
    counts.forEach((c, i) => {
      if (c > 0) {
        lo = Math.min(lo, i);
        hi = Math.max(hi, i);
      }
    });
  }
  return lo === Infinity ? null : { lo, hi };
}

/** A row's histogram as a sparkline over bins lo..hi (shared by the rows of a page, so they compare). */
export function sparkline(counts, range, width = 96, height = 20) {
  const svg = s('svg', {
    class: 'spark', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'activation histogram',
  });
  if (!Array.isArray(counts) || !range) return svg;
  const n = range.hi - range.lo + 1;
  const bw = width / n;
  let max = 0;
  for (let i = range.lo; i <= range.hi; i++) max = Math.max(max, counts[i] || 0);
  if (max === 0) return svg;
  svg.append(s('line', { x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5, class: 'spark-base' }));
  for (let i = range.lo; i <= range.hi; i++) {
    const c = counts[i] || 0;
    if (c === 0) continue;
    const bh = Math.max(1, (c / max) * (height - 1));
    svg.append(s('rect', {
      x: fmtCoord((i - range.lo) * bw), y: fmtCoord(height - bh), width: fmtCoord(Math.max(0.5, bw - 0.5)),
      height: fmtCoord(bh), class: 'spark-bar',
    }));
  }
  return svg;
}

function fmtCoord(x) {
  return Math.round(x * 100) / 100;
}

/** Round tick values 1, 2, 5 × 10^k within [a, b]. */
function logTicks(a, b) {
  const out = [];
  for (let k = Math.floor(Math.log10(a)); k <= Math.ceil(Math.log10(b)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * Math.pow(10, k);
      if (v >= a * 0.999 && v <= b * 1.001) out.push(v);
    }
  }
  // a wide range keeps only the decades
  return out.length > 8 ? out.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9) : out;
}

function niceMax(x) {
  if (x <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

/**
 * The activation histogram: bars over log-spaced bins (edges from the API), the x axis on a log
 * scale with its values, the y axis in counts, the mean marked. Bin 0 (below the first edge) is
 * drawn at the left when it has a count.
 */
export function histogram(hist, { mean = null, width = 560, height = 200 } = {}) {
  const counts = hist && Array.isArray(hist.counts) ? hist.counts : [];
  const lower = hist && Array.isArray(hist.lower) ? hist.lower : [];
  const upper = hist && Array.isArray(hist.upper) ? hist.upper : [];
  const svg = s('svg', {
    class: 'histogram', viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': 'activation histogram, log-spaced bins',
  });
  const range = nonEmptyRange([counts.map((c, i) => (i === 0 ? 0 : c))]);
  const under = counts[0] || 0;
  if (!range && under === 0) {
    svg.append(s('text', { x: width / 2, y: height / 2, class: 'axis-label', 'text-anchor': 'middle' }, 'no activations yet'));
    return svg;
  }
  const m = { left: 52, right: 12, top: 10, bottom: 38 };
  const underW = under > 0 ? 26 : 0;
  const plotW = width - m.left - m.right - underW;
  const plotH = height - m.top - m.bottom;
  // one bin of margin either side, within the bins that exist
  const lo = range ? Math.max(1, range.lo - 1) : 1;
  const hi = range ? Math.min(counts.length - 1, range.hi + 1) : 1;
  const a = lower[lo];
  const b = upper[hi];
  const x0 = m.left + underW;
  const xs = (v) => x0 + ((Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a))) * plotW;
  let max = under;
  for (let i = lo; i <= hi; i++) max = Math.max(max, counts[i] || 0);
  const yMax = niceMax(max);
  const ys = (c) => m.top + plotH - (c / yMax) * plotH;

  // y grid and axis
  for (const t of [0, yMax / 2, yMax]) {
    svg.append(s('line', { x1: m.left, x2: width - m.right, y1: ys(t), y2: ys(t), class: t === 0 ? 'axis' : 'grid' }));
    svg.append(s('text', { x: m.left - 6, y: ys(t) + 4, class: 'tick', 'text-anchor': 'end' }, fmtInt(t)));
  }
  svg.append(s('text', {
    x: 12, y: m.top + plotH / 2, class: 'axis-label', 'text-anchor': 'middle',
    transform: `rotate(-90 12 ${m.top + plotH / 2})`,
  }, 'count'));

  if (under > 0) {
    const bh = (under / yMax) * plotH;
    svg.append(s('rect', { x: m.left + 2, y: ys(under), width: underW - 6, height: bh, class: 'bar bar-under' },
      s('title', null, `below ${fmtNum(upper[0])}: ${fmtInt(under)}`)));
    svg.append(s('text', { x: m.left + underW / 2, y: height - m.bottom + 16, class: 'tick', 'text-anchor': 'middle' },
      `<${fmtNum(upper[0])}`));
  }
  for (let i = lo; i <= hi; i++) {
    const c = counts[i] || 0;
    if (c === 0) continue;
    const x = xs(lower[i]);
    const w = Math.max(1, xs(upper[i]) - x - 1);
    svg.append(s('rect', { x: fmtCoord(x), y: fmtCoord(ys(c)), width: fmtCoord(w), height: fmtCoord((c / yMax) * plotH), class: 'bar' },
      s('title', null, `[${fmtNum(lower[i])}, ${fmtNum(upper[i])}): ${fmtInt(c)}`)));
  }
  for (const t of logTicks(a, b)) {
    const x = xs(t);
    svg.append(s('line', { x1: x, x2: x, y1: m.top + plotH, y2: m.top + plotH + 4, class: 'axis' }));
    svg.append(s('text', { x, y: m.top + plotH + 16, class: 'tick', 'text-anchor': 'middle' }, fmtNum(t, 2)));
  }
  if (mean != null && mean >= a && mean <= b) {
    const x = xs(mean);
    svg.append(s('line', { x1: x, x2: x, y1: m.top, y2: m.top + plotH, class: 'mean-line' },
      s('title', null, `mean ${fmtNum(mean)}`)));
    svg.append(s('text', { x: x + 4, y: m.top + 10, class: 'tick mean-label' }, `mean ${fmtNum(mean)}`));
  }
  svg.append(s('text', { x: x0 + plotW / 2, y: height - 4, class: 'axis-label', 'text-anchor': 'middle' },
    'activation (log scale)'));
  return svg;
}

/**
 * A score's value and 95% interval on its metric's scale (Pearson r from -1, the others from 0,
 * to 1), with the null explanation's interval behind it when there is one.
 */
export function intervalBar(score, width = 90, height = 14) {
  const lo = score && score.metric === 'pearson_r' ? -1 : 0;
  const xs = (v) => 2 + ((Math.min(1, Math.max(lo, v)) - lo) / (1 - lo)) * (width - 4);
  const mid = height / 2;
  const svg = s('svg', { class: 'ci', width, height, viewBox: `0 0 ${width} ${height}`, 'aria-hidden': 'true' });
  svg.append(s('line', { x1: 2, x2: width - 2, y1: mid, y2: mid, class: 'ci-axis' }));
  if (!score) return svg;
  const base = score.baseline;
  if (base && Number.isFinite(base.ciLow) && Number.isFinite(base.ciHigh)) {
    svg.append(s('rect', { x: xs(base.ciLow), y: mid - 4, width: Math.max(1, xs(base.ciHigh) - xs(base.ciLow)), height: 8, class: 'ci-base' },
      s('title', null, `null explanation ${fmtFixed(base.value)} [${fmtFixed(base.ciLow)}, ${fmtFixed(base.ciHigh)}]`)));
  }
  svg.append(s('rect', { x: xs(score.ciLow), y: mid - 2.5, width: Math.max(1, xs(score.ciHigh) - xs(score.ciLow)), height: 5, class: 'ci-band' }));
  svg.append(s('circle', { cx: xs(score.value), cy: mid, r: 3, class: 'ci-point' }));
  return svg;
}
