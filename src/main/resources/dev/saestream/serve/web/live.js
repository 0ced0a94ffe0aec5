// One live feed for the whole page: server-sent events from /api/events, or, when they are not
// available, /api/status polled every 2 s. Views subscribe to 'status', 'features' and 'mode'.

import { api } from './api.js';

const POLL_MS = 2000;
const RECONNECT_MS = 15000;

const listeners = { status: new Set(), features: new Set(), mode: new Set() };
let source = null;
let pollTimer = null;
let reconnectTimer = null;
let mode = 'connecting';
let lastStatus = null;

function emit(kind, data) {
  for (const fn of listeners[kind]) {
    try {
      fn(data);
    } catch (e) {
      console.error(e);
    }
  }
}

function setMode(m) {
  if (m === mode) return;
  mode = m;
  if (m === 'polling') startPolling();
  else stopPolling();
  emit('mode', m);
}

function startPolling() {
  if (pollTimer) return;
  const tick = async () => {
    try {
      onStatus(await api.status());
    } catch (e) {
      /* the overview shows the error on its own fetches; keep polling */
    }
  };
  tick();
  pollTimer = setInterval(tick, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

function onStatus(status) {
  lastStatus = status;
  emit('status', status);
}

function parse(e) {
  try {
    return JSON.parse(e.data);
  } catch (err) {
    return null;
  }
}

function connect() {
  if (!('EventSource' in window)) {
    setMode('polling');
    return;
  }
  source = new EventSource('/api/events');
  source.onopen = () => setMode('sse');
  source.addEventListener('status', (e) => {
    const data = parse(e);
    if (data) {
      setMode('sse');
      onStatus(data);
    }
  });
  source.addEventListener('features', (e) => {
    const data = parse(e);
    if (data && Array.isArray(data.changed)) emit('features', data);
  });
  source.onerror = () => {
    // the browser retries by itself while CONNECTING; a CLOSED source is retried here, later
    setMode('polling');
    if (source.readyState === EventSource.CLOSED && !reconnectTimer) {
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        connect();
      }, RECONNECT_MS);
    }
  };
}

export const live = {
  start() {
    if (!source && !pollTimer) connect();
  },
  /** Subscribes fn to 'status' | 'features' | 'mode'; returns the unsubscribe function. */
  on(kind, fn) {
    listeners[kind].add(fn);
    return () => listeners[kind].delete(fn);
  },
  get mode() {
    return mode;
  },
  get lastStatus() {
    return lastStatus;
  },
};
