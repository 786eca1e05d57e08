// The coordinator's history of closed requests (filtered by state and closing date, paged,
// until the retention purge) and the audit log of one request, with who was told of it
// (js/coord_notified.js), shown under its row.
import { api, el } from './api.js';
import { t } from './i18n.js';
import { errorText } from './auth.js';
import { timeEl } from './format.js';
import { busy } from './feedback.js';
import { notifiedView } from './coord_notified.js';

const CLOSED = ['done', 'cancelled', 'expired', 'rejected'];
const state = { status: '', from: '', to: '', rows: [], next: null, error: '', logOf: null, logs: new Map() };

// Midnight at the start of a local date, as RFC 3339; `to` is the day after the date given,
// so a range includes its last day.
function startOf(date, days = 0) {
  const d = new Date(`${date}T00:00`);
  d.setDate(d.getDate() + days);
  return d.toISOString();
}

function query(page) {
  return {
    status: state.status || undefined,
    from: state.from ? startOf(state.from) : undefined,
    to: state.to ? startOf(state.to, 1) : undefined,
    page,
  };
}

export async function loadHistory() {
  try {
    const r = await api('/api/review/history', { query: query(1) });
    state.rows = r.requests;
    state.next = r.next_page;
    state.error = '';
  } catch (err) { state.error = errorText(err); }
}

async function more(rerender) {
  const r = await api('/api/review/history', { query: query(state.next) });
  state.rows = state.rows.concat(r.requests);
  state.next = r.next_page;
  rerender();
}

export function historyView(rerender) {
  const filters = el('form', {
    class: 'filters', id: 'history-filters',
    // The choice is kept as it is made, so a refresh of the desk does not undo it.
    onchange: (e) => { if (e.target.name in state) state[e.target.name] = e.target.value; },
    onsubmit: async (e) => {
      e.preventDefault();
      const f = e.currentTarget.elements;
      Object.assign(state, { status: f.status.value, from: f.from.value, to: f.to.value });
      await busy(f.apply, loadHistory);
      rerender();
    },
  },
  el('label', { class: 'wide' }, t('history.status'), el('select', { name: 'status', id: 'history-status' },
    el('option', { value: '' }, t('history.all')),
    CLOSED.map((s) => el('option', { value: s, selected: s === state.status }, t(`status.${s}`))))),
  el('label', {}, t('history.from'), el('input', { type: 'date', name: 'from', id: 'history-from', value: state.from })),
  el('label', {}, t('history.to'), el('input', { type: 'date', name: 'to', id: 'history-to', value: state.to })),
  el('button', { type: 'submit', class: 'secondary wide', name: 'apply', id: 'history-apply' }, t('history.apply')));
  const filtered = state.status || state.from || state.to;
  return el('section', { class: 'card', id: 'coord-history' },
    el('h2', {}, t('history.title')),
    el('p', { class: 'status' }, t('history.hint')),
    filters,
    state.error ? el('p', { class: 'status error', role: 'alert' }, state.error) : null,
    state.rows.length ? null : el('div', { class: 'empty', id: 'history-empty' },
      el('p', {}, t(filtered ? 'history.empty_filtered' : 'history.empty')),
      filtered ? el('button', {
        type: 'button', class: 'secondary',
        onclick: async () => { Object.assign(state, { status: '', from: '', to: '' }); await loadHistory(); rerender(); },
      }, t('history.clear')) : null),
    el('ul', { class: 'place-list', id: 'history-list' }, state.rows.map((r) => el('li', { 'data-request-id': r.id },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, `${t(`cat.${r.category}`)} · ${t(`urgency.${r.urgency}`)}`),
        el('span', { class: 'badge unknown', 'data-status': r.status }, t(`status.${r.status}`)),
        el('span', { class: 'meta' }, t('history.closed'), ' ', timeEl(r.closed_at, 'date')),
        el('div', { class: 'row' },
          el('button', {
            type: 'button', class: 'secondary show-log', 'aria-expanded': String(state.logOf === r.id),
            onclick: () => { state.logOf = state.logOf === r.id ? null : r.id; rerender(); },
          }, t('history.log')))),
      state.logOf === r.id ? el('div', { class: 'in-place' }, requestLog(r.id, rerender), notifiedView(r.id, rerender)) : null))),
    state.next ? el('button', {
      type: 'button', class: 'secondary', id: 'history-more',
      onclick: (e) => busy(e.currentTarget, () => more(rerender)),
    }, t('history.more')) : null);
}

function who(e) {
  if (e.actor === 'requester') return t('log.requester');
  if (e.actor === 'system') return t('log.system');
  return e.display_name ?? t('log.deleted_account');
}

// "Quién hizo y vio qué": a request's audit log, oldest first, 50 at a time. Loads on first
// show and keeps what it has read.
export function requestLog(id, rerender) {
  const log = state.logs.get(id);
  if (!log) {
    state.logs.set(id, { events: [], next: 1, loading: true });
    (async () => {
      const entry = state.logs.get(id);
      try { await readLog(id); } catch (err) { entry.error = errorText(err); }
      entry.loading = false;
      rerender();
    })();
    return el('p', { class: 'status' }, t('common.loading'));
  }
  return el('div', { class: 'request-log', 'data-request-id': id },
    el('h3', {}, t('log.title')),
    log.error ? el('p', { class: 'status error' }, log.error) : null,
    log.loading ? el('p', { class: 'status' }, t('common.loading')) : null,
    log.events.length || log.loading ? null : el('p', { class: 'empty' }, t('log.empty')),
    el('ul', { class: 'log' }, log.events.map((e) => el('li', { 'data-action': e.action },
      timeEl(e.at), ' · ', who(e), ' · ', t(`log.action.${e.action}`)))),
    log.next ? el('button', {
      type: 'button', class: 'secondary log-more',
      onclick: (ev) => busy(ev.currentTarget, async () => { await readLog(id); rerender(); }),
    }, t('history.more')) : null);
}

async function readLog(id) {
  const log = state.logs.get(id);
  const r = await api(`/api/requests/${id}/events`, { query: { page: log.next } });
  log.events = log.events.concat(r.events);
  log.next = r.next_page;
}

// A new look at the desk reads the logs afresh.
export function forgetLogs() { state.logs.clear(); }
