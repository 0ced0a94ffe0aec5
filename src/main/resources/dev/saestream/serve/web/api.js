// The REST API (see the README's serve section) and the page's routes.

import { featureIndex } from './dom.js';

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

function url(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v != null && v !== '') q.set(k, String(v));
  }
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request(path, params, init) {
  let res;
  try {
    res = await fetch(url(path, params), { headers: { Accept: 'application/json' }, ...init });
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'The server does not answer (is saestream still running?).');
  }
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    if (res.ok) throw new ApiError(res.status, 'bad-response', 'The server sent something that is not JSON.');
  }
  if (!res.ok) {
    throw new ApiError(res.status, body && body.error, body && body.detail);
  }
  return body;
}

export function getJson(path, params, signal) {
  return request(path, params, { signal });
}

export function postJson(path, params, payload, signal) {
  return request(path, params, {
    method: 'POST',
    signal,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
}

export const api = {
  saes: (signal) => getJson('/api/saes', null, signal),
  status: (signal) => getJson('/api/status', null, signal),
  features: (params, signal) => getJson('/api/features', params, signal),
  feature: (sae, index, signal) => getJson(`/api/features/${index}`, { sae }, signal),
  search: (params, signal) => getJson('/api/search', params, signal),
  activations: (sae, text, signal) => postJson('/api/activations', { sae }, { text }, signal),
  compare: (params, signal) => getJson('/api/compare', params, signal),
  labelReport: (sae, signal) => getJson('/api/labels/report', { sae }, signal),
};

/** The raw JSON of a feature, for a link. */
export function featureJsonHref(sae, index) {
  const i = featureIndex(index);
  return i == null ? null : `/api/features/${i}?sae=${encodeURIComponent(sae)}`;
}

// ---- routes: #/, #/sae/<id>/features?..., #/sae/<id>/feature/<n>, #/sae/<id>/try, #/sae/<id>/report, #/compare?a=…&b=… ----

export function overviewHref() {
  return '#/';
}

export function listHref(sae, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v != null && v !== '') q.set(k, String(v));
  }
  const qs = q.toString();
  return `#/sae/${encodeURIComponent(sae)}/features${qs ? '?' + qs : ''}`;
}

/** A link to a feature page, or null when the index is not a valid feature index. */
export function featureHref(sae, index) {
  const i = featureIndex(index);
  return i == null ? null : `#/sae/${encodeURIComponent(sae)}/feature/${i}`;
}

export function tryHref(sae, feature) {
  const i = featureIndex(feature);
  return `#/sae/${encodeURIComponent(sae)}/try${i == null ? '' : '?feature=' + i}`;
}

/** The label-quality report of an SAE. */
export function reportHref(sae) {
  return `#/sae/${encodeURIComponent(sae)}/report`;
}

export function compareHref(a, b, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ a, b, ...(params || {}) })) {
    if (v != null && v !== '' && !(k === 'offset' && Number(v) === 0)) q.set(k, String(v));
  }
  return `#/compare?${q.toString()}`;
}

/** The current route: {view, sae, index, params}. */
export function parseRoute(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const qAt = raw.indexOf('?');
  const path = qAt < 0 ? raw : raw.slice(0, qAt);
  const params = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
  const parts = path.split('/').filter((p) => p !== '');
  let sae = null;
  try {
    sae = parts[0] === 'sae' && parts[1] ? decodeURIComponent(parts[1]) : null;
  } catch (e) {
    return { view: 'notfound', params };
  }
  if (parts.length === 0) return { view: 'overview', params };
  if (parts[0] === 'features' && parts.length === 1) return { view: 'features', sae: null, params };
  if (parts[0] === 'try' && parts.length === 1) return { view: 'try', sae: null, params };
  if (parts[0] === 'compare' && parts.length === 1) return { view: 'compare', sae: null, params };
  if (sae != null && parts[2] === 'features' && parts.length === 3) return { view: 'features', sae, params };
  if (sae != null && parts[2] === 'try' && parts.length === 3) return { view: 'try', sae, params };
  if (sae != null && parts[2] === 'report' && parts.length === 3) return { view: 'report', sae, params };
  if (sae != null && parts[2] === 'feature' && parts.length === 4) {
    const index = featureIndex(parts[3]);
    if (index != null) return { view: 'feature', sae, index, params };
  }
  return { view: 'notfound', params };
}
