// Pieces several views share.

import { h } from './dom.js';

/** An API or network error as a visible, plain-text message. */
export function errorBox(e) {
  const what = e && e.code === 'restoring'
    ? 'The catalogue is still loading from the topics; this page retries by itself.'
    : (e && e.message) || 'Something went wrong.';
  return h('div', { class: 'error', role: 'alert' },
    h('strong', null, e && e.status ? `Error ${e.status}` : 'Error'), ' ', what);
}

export function notFound(root, message) {
  root.replaceChildren(h('div', { class: 'page-head' }, h('h1', null, 'Not found'), h('p', { class: 'sub' }, message),
    h('p', null, h('a', { href: '#/' }, 'Back to the overview'))));
  return () => {};
}

/** A call that runs at most once per `ms`, the last call winning. */
export function throttle(fn, ms) {
  let timer = null;
  let last = 0;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  const call = () => {
    if (timer) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(run, wait);
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
