// "Avisos", in "Quiero ayudar": how a volunteer hears of help requests and kitchen needs near
// them: on this phone (Web Push), by mail or by SMS/WhatsApp (the deployment's gateway, when it
// has one), in which language, and hours of quiet. Also the mails' unsubscribe link
// (/?unsubscribe=TOKEN), which works without a session.
import { api, el } from './api.js';
import { t, currentLang, onLangChange } from './i18n.js';
import { currentAccount, errorText, onLogout } from './auth.js';
import { busy, showResult } from './feedback.js';
import { counted } from './format.js';

// A phone that never answers (no service worker yet, a push service out of reach) gets a
// sentence after this long, not a spinner for ever.
const PUSH_WAIT_MS = 20000;
// `node`: the section of account `of`, kept across the volunteer screen's redraws so that a
// half-made change survives them; `settings`: GET /api/me/notifications.
const state = { of: null, node: null, settings: null, loading: false, error: '', status: null };

export function initNotifications() {
  onLangChange(() => { if (state.node) render(); });
  // A phone passed on to someone else must not show this account's notifications.
  onLogout(forgetThisPhone);
}

/** The "Avisos" section for the signed-in account; closed until asked for, then it loads. */
export function notificationsSection() {
  const me = currentAccount()?.id ?? null;
  if (state.of !== me) Object.assign(state, { of: me, node: null, settings: null, loading: false, error: '', status: null });
  if (!state.node) {
    state.node = el('details', {
      class: 'card', id: 'vol-notify',
      ontoggle: (e) => { if (e.currentTarget.open && !state.settings && !state.loading) load(); },
    });
    render();
  }
  return state.node;
}

async function load() {
  const { node } = state;
  state.loading = true;
  render();
  let settings = null;
  let error = '';
  try { settings = await api('/api/me/notifications'); } catch (err) { error = errorText(err); }
  // Someone else may have signed in meanwhile.
  if (state.node !== node) return;
  Object.assign(state, { settings, error, loading: false });
  render();
}

function render() {
  const box = state.node;
  const s = state.settings;
  box.replaceChildren(...[
    el('summary', { id: 'vol-notify-toggle' }, t('vol.alerts_title')),
    el('p', { class: 'status' }, t('vol.alerts_intro')),
    state.loading ? el('p', { class: 'status' }, t('common.loading')) : null,
    state.error ? el('p', { class: 'status error', role: 'alert' }, state.error) : null,
    s && !(s.available.push || s.available.email || s.available.webhook)
      ? el('p', { class: 'empty', id: 'notify-none' }, t('vol.alerts_none')) : null,
    s && (s.available.push || s.available.email || s.available.webhook) ? settingsForm(s) : null,
  ].filter(Boolean));
}

function check(name, label, on, hint) {
  const id = `notify-${name.replace('_', '-')}`;
  return el('div', { class: 'channel' },
    el('label', {}, el('input', { type: 'checkbox', name, id, checked: on, 'aria-describedby': hint ? `${id}-hint` : null }), ' ', label),
    hint ? el('p', { class: 'status', id: `${id}-hint` }, hint) : null);
}

function settingsForm(s) {
  const nothingYet = !s.by_push && !s.by_email && !s.by_webhook && !s.quiet_hours;
  const language = nothingYet ? currentLang() : s.language;
  const status = state.status;
  const form = el('form', { id: 'notify-form', onsubmit: (e) => { e.preventDefault(); save(e.currentTarget); } },
    el('fieldset', {}, el('legend', {}, t('vol.alerts_how')),
      s.available.push ? check('by_push', t('vol.alerts_push'), s.by_push,
        s.by_push && s.push_devices ? counted('vol.alerts_push_devices', s.push_devices) : t('vol.alerts_push_hint')) : null,
      s.available.email ? check('by_email', t('vol.alerts_email'), s.by_email, t('vol.alerts_email_hint')) : null,
      s.available.webhook ? [check('by_webhook', t('vol.alerts_webhook'), s.by_webhook),
        el('label', { class: 'webhook-to' }, t('vol.alerts_webhook_to'),
          el('input', { type: 'tel', name: 'webhook_to', id: 'notify-webhook-to', autocomplete: 'tel', maxlength: 32, value: s.webhook_to ?? '' }))] : null),
    el('label', {}, t('vol.alerts_language'), el('select', { name: 'language', id: 'notify-language' },
      el('option', { value: 'es', selected: language === 'es' }, 'Español'),
      el('option', { value: 'en', selected: language === 'en' }, 'English'))),
    el('fieldset', { class: 'quiet' }, el('legend', {}, t('vol.alerts_quiet')),
      el('p', { class: 'status' }, t('vol.alerts_quiet_hint')),
      el('div', { class: 'quiet-times' },
        el('label', {}, t('vol.alerts_quiet_from'), el('input', { type: 'time', name: 'quiet_from', id: 'notify-quiet-from', value: s.quiet_hours?.from ?? '' })),
        el('label', {}, t('vol.alerts_quiet_to'), el('input', { type: 'time', name: 'quiet_to', id: 'notify-quiet-to', value: s.quiet_hours?.to ?? '' })))),
    el('p', { class: `status${status?.error ? ' error' : ''}`, id: 'notify-status', role: status?.error ? 'alert' : 'status' }, status?.text ?? ''),
    el('button', { type: 'submit', class: 'primary', id: 'notify-save' }, t('vol.alerts_save')));
  return form;
}

// ---- Web Push on this phone

// A reason push cannot work on this phone, said in words (a catalog key).
class PushProblem extends Error {
  constructor(key) { super(key); this.key = key; }
}

function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function inTime(promise, key) {
  return Promise.race([promise, new Promise((_, reject) => { setTimeout(() => reject(new PushProblem(key)), PUSH_WAIT_MS); })]);
}

// The VAPID public key (base64url) as the bytes PushManager.subscribe wants.
function keyBytes(b64url) {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return false;
  const a = new Uint8Array(buffer);
  return a.length === bytes.length && a.every((x, i) => x === bytes[i]);
}

// Asks for permission, subscribes this browser with the server's key and hands the
// subscription to the server. Throws a PushProblem when the phone cannot or will not.
async function subscribeThisPhone(vapidKey) {
  if (!pushSupported() || !vapidKey) throw new PushProblem('vol.alerts_push_unsupported');
  // Asked first, while the tap on "Guardar" still counts as the person's own gesture.
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission === 'denied') throw new PushProblem('vol.alerts_push_denied');
  if (permission !== 'granted') throw new PushProblem('vol.alerts_push_dismissed');
  const reg = await inTime(navigator.serviceWorker.ready, 'vol.alerts_push_failed');
  const key = keyBytes(vapidKey);
  let sub = await reg.pushManager.getSubscription();
  // One made for another server key is of no use: replace it.
  if (sub && !sameKey(sub.options?.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) {
    try {
      sub = await inTime(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), 'vol.alerts_push_failed');
    } catch (err) {
      if (err instanceof PushProblem) throw err;
      throw new PushProblem(err?.name === 'NotAllowedError' ? 'vol.alerts_push_denied' : 'vol.alerts_push_failed');
    }
  }
  return api('/api/me/push-subscriptions', { method: 'POST', body: sub.toJSON() });
}

// Push turned off: this browser stops receiving, and the server forgets it.
async function forgetThisPhone() {
  if (!pushSupported()) return;
  const reg = await navigator.serviceWorker.getRegistration();
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return;
  // The browser stops receiving even when the server could not be told.
  try {
    await api('/api/me/push-subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } });
  } finally {
    await sub.unsubscribe();
  }
}

// ---- saving

function chosen(form) {
  const f = form.elements;
  return {
    language: f.language.value,
    by_push: Boolean(f.by_push?.checked),
    by_email: Boolean(f.by_email?.checked),
    by_webhook: Boolean(f.by_webhook?.checked),
    webhook_to: f.webhook_to?.value.trim() || undefined,
    quiet_hours: f.quiet_from.value && f.quiet_to.value ? { from: f.quiet_from.value, to: f.quiet_to.value } : null,
  };
}

function say(text, error = false) {
  state.status = { text, error };
  const p = document.getElementById('notify-status');
  if (p) {
    p.textContent = text;
    p.classList.toggle('error', error);
    p.setAttribute('role', error ? 'alert' : 'status');
  }
}

async function save(form) {
  const before = state.settings;
  const body = chosen(form);
  if (Boolean(form.elements.quiet_from.value) !== Boolean(form.elements.quiet_to.value)) { say(t('vol.alerts_quiet_both'), true); return; }
  const button = form.querySelector('#notify-save');
  let problem = null;
  try {
    await busy(button, async () => {
      if (body.by_push) {
        try {
          await subscribeThisPhone(before.vapid_public_key);
        } catch (err) {
          if (!(err instanceof PushProblem)) throw err;
          // This phone stays out; the rest is saved, and push stays as it was for the others.
          problem = err.key;
          body.by_push = before.by_push && before.push_devices > 0;
        }
      } else if (before.by_push) {
        await forgetThisPhone().catch(() => {});
      }
      state.settings = await api('/api/me/notifications', { method: 'PUT', body });
    });
  } catch (err) {
    say(errorText(err), true);
    return;
  }
  const s = state.settings;
  const text = problem ? `${t('vol.alerts_saved_rest')} ${t(problem)}`
    : body.by_push ? t('vol.alerts_saved_push')
      : s.by_email || s.by_webhook ? t('vol.alerts_saved') : t('vol.alerts_saved_off');
  state.status = { text, error: Boolean(problem) };
  render();
  if (!problem) showResult(text);
  document.getElementById(problem ? 'notify-status' : 'notify-save')?.scrollIntoView({ block: 'nearest' });
}

// ---- the unsubscribe link of a mail

/** Opens the small confirmation when the page was opened with /?unsubscribe=TOKEN. */
export function openUnsubscribeLink() {
  const token = new URLSearchParams(location.search).get('unsubscribe');
  if (!token) return false;
  history.replaceState(null, '', '/');
  const status = el('p', { class: 'status', role: 'status', id: 'unsubscribe-status' });
  const box = el('div', { class: 'reset-overlay', id: 'unsubscribe' });
  const close = el('button', { type: 'button', class: 'secondary', id: 'unsubscribe-close', onclick: () => box.remove() }, t('common.close'));
  const yes = el('button', {
    type: 'button', class: 'primary', id: 'unsubscribe-yes',
    onclick: async (e) => {
      status.classList.remove('error');
      try {
        await busy(e.currentTarget, () => api(`/api/unsubscribe/${encodeURIComponent(token)}`, { method: 'POST' }));
        yes.remove();
        status.textContent = t('vol.alerts_unsubscribed');
      } catch (err) {
        status.textContent = err.status === 404 ? t('vol.alerts_unsubscribe_unknown') : errorText(err);
        status.classList.add('error');
      }
    },
  }, t('vol.alerts_unsubscribe_yes'));
  box.append(el('div', { class: 'card', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'unsubscribe-title' },
    el('h2', { id: 'unsubscribe-title' }, t('vol.alerts_unsubscribe_title')),
    el('p', {}, t('vol.alerts_unsubscribe_body')),
    el('div', { class: 'row' }, yes, close),
    status));
  document.body.append(box);
  yes.focus();
  return true;
}
