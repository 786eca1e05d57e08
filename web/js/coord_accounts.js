// The coordinator's accounts: alerts of the last 7 days, accounts waiting for verification
// (verify, with a minute to undo), the standing of the rest (take verification back, suspend
// after confirming, reset a password), and each account's activity, shown under its row.
import { api, el } from './api.js';
import { t } from './i18n.js';
import { currentAccount, errorText } from './auth.js';
import { resetLinkFor } from './password.js';
import { act, busy } from './feedback.js';
import { timeEl } from './format.js';

const state = { accounts: [], alerts: [], activityOf: null, activity: null };

export async function loadAccounts() {
  const [accounts, alerts] = await Promise.all([api('/api/accounts'), api('/api/alerts')]);
  state.accounts = accounts.accounts;
  state.alerts = alerts.alerts;
  if (state.activityOf) await readActivity(state.activityOf, true);
}

async function reload(rerender) {
  try { await loadAccounts(); } catch { /* the next look shows it */ }
  rerender();
}

// An alert the catalogs do not name yet still reads as one.
function alertText(action) {
  const key = `alert.${action}`;
  const text = t(key);
  return text === key ? t('alert.unknown') : text;
}

function suspendButton(a, rerender) {
  return el('button', {
    type: 'button', class: 'secondary danger suspend',
    onclick: async (e) => {
      const ok = await act(e.currentTarget, {
        confirm: { title: t('coord.suspend_confirm_title', { name: a.display_name ?? '' }), body: t('coord.suspend_confirm'), confirm: t('coord.suspend'), danger: true },
        run: () => api(`/api/accounts/${a.id ?? a.account_id}/suspend`, { method: 'POST' }),
        done: t('coord.suspended_done', { name: a.display_name ?? '' }),
      });
      if (ok) reload(rerender);
    },
  }, t('coord.suspend'));
}

function alertsView(rerender) {
  const me = currentAccount();
  const suspended = new Set(state.accounts.filter((a) => a.suspended).map((a) => a.id));
  return el('section', { class: 'card' },
    el('h2', {}, t('coord.alerts_title')),
    state.alerts.length ? null : el('p', { class: 'empty', id: 'coord-alerts-empty' }, t('coord.alerts_empty')),
    el('ul', { class: 'place-list', id: 'coord-alerts' }, state.alerts.map((a) => el('li', { 'data-account-id': a.account_id ?? '' },
      el('div', { class: 'task' },
        el('span', { class: 'name' }, [a.display_name, alertText(a.action)].filter(Boolean).join(' · ')),
        el('span', { class: 'meta' }, timeEl(a.at)),
        !a.account_id || a.account_id === me.id ? null
          : suspended.has(a.account_id) ? el('span', { class: 'meta' }, t('coord.suspended'))
            : suspendButton({ id: a.account_id, display_name: a.display_name }, rerender))))));
}

function simple(cls, a, path, key, done, rerender, undo) {
  return el('button', {
    type: 'button', class: cls.startsWith('primary') ? cls : `secondary ${cls}`,
    onclick: async (e) => {
      const ok = await act(e.currentTarget, {
        run: () => api(path, { method: 'POST' }),
        done: t(done, { name: a.display_name }),
        undo: undo ? async () => { await api(undo, { method: 'POST' }); await reload(rerender); } : undefined,
      });
      if (ok) reload(rerender);
    },
  }, t(key));
}

function activityButton(a, rerender) {
  const open = state.activityOf === a.id;
  return el('button', {
    type: 'button', class: 'secondary activity', 'aria-expanded': String(open),
    onclick: (e) => busy(e.currentTarget, async () => {
      if (open) { state.activityOf = null; state.activity = null; } else {
        try { await readActivity(a.id, true); } catch (err) { state.activityOf = a.id; state.activity = { error: errorText(err) }; }
      }
      rerender();
      document.querySelector(`#screen-coordination li[data-account-id="${a.id}"] .activity`)?.scrollIntoView({ block: 'nearest' });
    }),
  }, t(open ? 'coord.hide_activity' : 'coord.activity'));
}

// What an account saw and did to requests, and what happened to the account, 50 of each a
// page, newest first.
async function readActivity(id, fresh) {
  const prev = fresh || state.activityOf !== id ? null : state.activity;
  const [seen, events] = await Promise.all([
    prev && !prev.seenNext ? null : api(`/api/accounts/${id}/request-events`, { query: { page: prev?.seenNext ?? 1 } }),
    prev && !prev.eventsNext ? null : api(`/api/accounts/${id}/events`, { query: { page: prev?.eventsNext ?? 1 } }),
  ]);
  state.activityOf = id;
  state.activity = {
    seen: (prev?.seen ?? []).concat(seen?.events ?? []),
    seenNext: seen ? seen.next_page : null,
    events: (prev?.events ?? []).concat(events?.events ?? []),
    eventsNext: events ? events.next_page : null,
  };
}

function activityView(a, rerender) {
  if (state.activityOf !== a.id || !state.activity) return null;
  const x = state.activity;
  if (x.error) return el('p', { class: 'status error in-place' }, x.error);
  return el('div', { class: 'in-place account-activity' },
    el('h3', {}, t('activity.seen_title')),
    x.seen.length ? el('ul', { class: 'log activity-seen' }, x.seen.map((e) => el('li', { 'data-action': e.action },
      timeEl(e.at), ' · ', t(`log.action.${e.action}`), ' · ', t(`cat.${e.category}`))))
      : el('p', { class: 'empty' }, t('activity.seen_empty')),
    el('h3', {}, t('activity.events_title')),
    x.events.length ? el('ul', { class: 'log activity-events' }, x.events.map((e) => el('li', { 'data-action': e.action },
      timeEl(e.at), ' · ', t(`account_log.${e.action}`) === `account_log.${e.action}` ? alertText(e.action) : t(`account_log.${e.action}`))))
      : el('p', { class: 'empty' }, t('activity.events_empty')),
    x.seenNext || x.eventsNext ? el('button', {
      type: 'button', class: 'secondary activity-more',
      onclick: (e) => busy(e.currentTarget, async () => { await readActivity(a.id, false); rerender(); }),
    }, t('history.more')) : null);
}

export function accountSections(rerender) {
  const me = currentAccount();
  const waiting = state.accounts.filter((a) => !a.verified && !a.suspended);
  const others = state.accounts.filter((a) => a.id !== me.id && (a.verified || a.suspended));
  const row = (a, ...buttons) => el('li', { 'data-account-id': a.id },
    el('div', { class: 'task' },
      el('span', { class: 'name' }, `${a.display_name} · ${t(`role.${a.role}`)}`, a.suspended ? ` · ${t('coord.suspended')}` : ''),
      el('span', { class: 'meta' }, a.email, a.phone ? [' · ', el('span', { class: 'phone' }, a.phone)] : null),
      el('div', { class: 'row' }, ...buttons)),
    activityView(a, rerender));
  const resetButton = (a) => {
    const out = el('div', { class: 'reset-out' });
    return [el('button', { type: 'button', class: 'secondary reset', onclick: () => resetLinkFor(a.id, out) }, t('password.issue')), out];
  };
  return [
    alertsView(rerender),
    el('section', { class: 'card' },
      el('h2', {}, t('coord.accounts_title')),
      waiting.length ? null : el('p', { class: 'empty', id: 'coord-accounts-empty' }, t('coord.accounts_empty')),
      el('ul', { class: 'place-list', id: 'coord-accounts' }, waiting.map((a) => row(a,
        simple('primary verify', a, `/api/accounts/${a.id}/verify`, 'coord.verify', 'coord.verified_done', rerender, `/api/accounts/${a.id}/unverify`),
        suspendButton(a, rerender),
        activityButton(a, rerender))))),
    el('section', { class: 'card' },
      el('h2', {}, t('coord.standing_title')),
      others.length ? null : el('p', { class: 'empty' }, t('coord.standing_empty')),
      el('ul', { class: 'place-list', id: 'coord-standing' }, others.map((a) => row(a,
        a.verified ? simple('unverify', a, `/api/accounts/${a.id}/unverify`, 'coord.unverify', 'coord.unverified_done', rerender) : null,
        a.suspended
          ? simple('unsuspend', a, `/api/accounts/${a.id}/unsuspend`, 'coord.unsuspend', 'coord.unsuspended_done', rerender)
          : suspendButton(a, rerender),
        activityButton(a, rerender),
        ...resetButton(a))))),
  ];
}
