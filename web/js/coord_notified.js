// "Avisados": who was told of a request, by which channel and in which round, whether it
// reached them, and who of them took it. Shown with an open request's details and under a
// closed one's log; loads on first show and keeps what it read until the desk is read again.
import { api, el } from './api.js';
import { t } from './i18n.js';
import { errorText } from './auth.js';
import { timeEl } from './format.js';

const seen = new Map();

function who(n) {
  if (n.kind === 'request_status') return t('coord.notified_requester');
  return n.display_name ?? t('log.deleted_account');
}

function entry(n) {
  const at = n.sent_at ?? n.queued_at;
  return el('li', { 'data-account-id': n.account_id ?? '', 'data-status': n.status, 'data-channel': n.channel },
    el('strong', {}, who(n)), ' · ',
    el('span', { class: 'nowrap' }, t(`coord.notified_channel_${n.channel}`)),
    n.round ? [' · ', el('span', { class: 'nowrap' }, t('coord.notified_round', { n: n.round }))] : null,
    n.kind === 'unclaimed' ? [' · ', t('coord.notified_unclaimed')] : null,
    ' · ', el('span', { class: `nowrap notified-status ${n.status}` }, t(`coord.notified_status_${n.status}`)), ' ', timeEl(at),
    n.status === 'failed' && n.error ? el('span', { class: 'meta user-text' }, ` (${n.error})`) : null,
    n.claimed ? [' ', el('span', { class: 'badge open claimed' }, t('coord.notified_claimed'))] : null);
}

/** The list of request `id`; `rerender` draws the desk again once it has loaded. */
export function notifiedView(id, rerender) {
  const got = seen.get(id);
  if (!got) {
    seen.set(id, { loading: true });
    (async () => {
      const now = seen.get(id);
      try { now.list = (await api(`/api/requests/${id}/notifications`)).notifications; } catch (err) { now.error = errorText(err); }
      now.loading = false;
      rerender();
    })();
  }
  const list = got?.list ?? [];
  return el('div', { class: 'notified', 'data-request-id': id },
    el('h3', {}, t('coord.notified_title')),
    !got || got.loading ? el('p', { class: 'status' }, t('common.loading')) : null,
    got?.error ? el('p', { class: 'status error' }, got.error) : null,
    got && !got.loading && !got.error && !list.length ? el('p', { class: 'empty' }, t('coord.notified_empty')) : null,
    list.length ? el('ul', { class: 'log' }, list.map(entry)) : null);
}

export function forgetNotified() { seen.clear(); }
