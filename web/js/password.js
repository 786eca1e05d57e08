// Passwords: changing one's own (from the account bar), and setting a new one with the
// one-time link a coordinator gives (/?reset#token=…; the token stays in the fragment).
import { api, el } from './api.js';
import { t } from './i18n.js';

function errorText(err) {
  const key = `error.${err?.code}`;
  const text = t(key);
  return text === key ? t('error.generic') : text;
}

function field(name, label, autocomplete) {
  return el('label', {}, label, el('input', { name, type: 'password', required: true, minlength: 8, autocomplete }));
}

// A small form, shown under the account bar when asked for.
export function changePasswordForm(prefix) {
  const status = el('p', { class: 'status', role: 'status' });
  const form = el('form', {
    class: 'card', id: `${prefix}-password-form`, hidden: true,
    onsubmit: async (e) => {
      e.preventDefault();
      status.classList.remove('error');
      try {
        await api('/api/me/password', { method: 'POST', body: { current_password: form.current.value, new_password: form.fresh.value } });
        form.reset();
        status.textContent = t('password.changed');
      } catch (err) { status.textContent = errorText(err); status.classList.add('error'); }
    },
  },
  el('h3', {}, t('password.change_title')),
  field('current', t('password.current'), 'current-password'),
  field('fresh', t('password.new'), 'new-password'),
  el('p', { class: 'status' }, t('password.hint')),
  el('button', { type: 'submit', class: 'primary' }, t('password.change')),
  status);
  const toggle = el('button', { type: 'button', class: 'secondary', id: `${prefix}-password-toggle`, onclick: () => { form.hidden = !form.hidden; } }, t('password.change_title'));
  return { toggle, form };
}

// Opens the reset form when the page was opened with a reset link; returns whether it did.
export function openResetLink() {
  if (!new URLSearchParams(location.search).has('reset')) return false;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  // The link works once: take it out of the address bar and history at once.
  history.replaceState(null, '', '/');
  const status = el('p', { class: 'status', role: 'status' });
  const box = el('div', { class: 'reset-overlay', id: 'reset-password' });
  const form = el('form', {
    class: 'card',
    onsubmit: async (e) => {
      e.preventDefault();
      status.classList.remove('error');
      try {
        await api('/api/auth/password-reset', { method: 'POST', body: { token, new_password: form.fresh.value } });
        form.replaceWith(el('div', { class: 'card' }, el('p', {}, t('password.reset_done')),
          el('button', { type: 'button', class: 'primary', onclick: () => box.remove() }, t('password.close'))));
      } catch (err) { status.textContent = errorText(err); status.classList.add('error'); }
    },
  },
  el('h2', {}, t('password.reset_title')),
  token ? field('fresh', t('password.new'), 'new-password') : el('p', {}, t('error.reset_link_invalid')),
  el('p', { class: 'status' }, t('password.hint')),
  token ? el('button', { type: 'submit', class: 'primary' }, t('password.reset')) : null,
  el('button', { type: 'button', class: 'secondary', onclick: () => box.remove() }, t('password.close')),
  status);
  box.append(form);
  document.body.append(box);
  return true;
}

// For coordinators: asks for a reset link for an account and shows it to pass on.
export async function resetLinkFor(id, target) {
  try {
    const r = await api(`/api/accounts/${id}/password-reset`, { method: 'POST' });
    const link = `${location.origin}${r.link}`;
    // One long token: in a field of its own, where it scrolls instead of breaking, with "Copiar".
    const field = el('input', { type: 'text', readonly: true, value: link, class: 'reset-link', 'aria-label': t('password.link_hint') });
    target.replaceChildren(el('span', { class: 'meta' }, t('password.link_hint')),
      el('div', { class: 'row' }, field, el('button', {
        type: 'button', class: 'secondary copy-reset',
        onclick: async (e) => {
          field.select();
          try { await navigator.clipboard.writeText(link); e.target.textContent = t('req.copied'); } catch { /* selected, to copy by hand */ }
        },
      }, t('req.copy'))));
  } catch (err) { target.replaceChildren(el('span', { class: 'status error' }, errorText(err))); }
}
