// The signed-in account: who I am, log in, sign up, log out. The session is an HttpOnly cookie,
// so the page only ever learns who it is from GET /api/me.
import { api, el } from './api.js';
import { t } from './i18n.js';
import { changePasswordForm } from './password.js';

const state = { me: null };
const listeners = [];

export function currentAccount() { return state.me; }
export function onAccountChange(fn) { listeners.push(fn); }
function notify() { listeners.forEach((fn) => fn(state.me)); }

// The cookie is HttpOnly, so a flag in localStorage remembers that there may be a session; it
// spares anonymous visitors a 401 on every page load.
const FLAG = 'antes.signed_in';

function signedIn(me) {
  state.me = me;
  if (me) localStorage.setItem(FLAG, '1'); else localStorage.removeItem(FLAG);
  notify();
}

export async function loadMe() {
  if (!localStorage.getItem(FLAG)) { signedIn(null); return; }
  try { signedIn(await api('/api/me')); } catch { signedIn(null); }
}

// What must happen while the session still holds, before logging out (say, this phone's
// push subscription is forgotten, so it stops showing the account's notifications).
const beforeLogout = [];
export function onLogout(fn) { beforeLogout.push(fn); }

export async function logout() {
  await Promise.all(beforeLogout.map((fn) => Promise.resolve().then(fn).catch(() => {})));
  try { await api('/api/auth/logout', { method: 'POST' }); } finally { signedIn(null); }
}

export function errorText(err) {
  const key = `error.${err?.code}`;
  const text = t(key);
  return text === key ? t('error.generic') : text;
}

// "Signed in as ..." with a log-out button; `prefix` keeps ids unique per screen.
export function accountBar(prefix) {
  const me = state.me;
  const password = changePasswordForm(prefix);
  return el('div', {},
    el('div', { class: 'account-bar' },
      el('span', {}, t('auth.signed_in_as', { name: me.display_name }), ' · ', t(`role.${me.role}`),
        ' · ', el('span', { class: me.verified ? 'badge open' : 'badge unknown' }, t(me.verified ? 'auth.verified' : 'auth.unverified'))),
      password.toggle,
      el('button', { type: 'button', class: 'secondary', id: `${prefix}-logout`, onclick: () => logout() }, t('auth.logout'))),
    password.form);
}

// Log-in and sign-up forms. `roles` are the roles the sign-up offers.
export function authForms(prefix, { roles = ['volunteer'] } = {}) {
  const status = el('p', { class: 'status', role: 'status', id: `${prefix}-auth-status` });
  const field = (name, type, label, attrs = {}) => el('label', {}, label, el('input', { id: `${prefix}-${name}`, name, type, required: true, ...attrs }));
  const login = el('form', {
    class: 'card', id: `${prefix}-login-form`,
    onsubmit: async (e) => {
      e.preventDefault();
      status.textContent = '';
      try {
        signedIn(await api('/api/auth/login', { method: 'POST', body: { email: login.email.value, password: login.password.value } }));
      } catch (err) { status.textContent = errorText(err); status.classList.add('error'); }
    },
  },
  el('h2', {}, t('auth.login_title')),
  field('email', 'email', t('auth.email'), { autocomplete: 'username', id: `${prefix}-login-email` }),
  field('password', 'password', t('auth.password'), { autocomplete: 'current-password', id: `${prefix}-login-password` }),
  el('button', { type: 'submit', class: 'primary', id: `${prefix}-login-submit` }, t('auth.login')));

  const register = el('form', {
    class: 'card', id: `${prefix}-register-form`,
    onsubmit: async (e) => {
      e.preventDefault();
      status.textContent = '';
      try {
        signedIn(await api('/api/auth/register', {
          method: 'POST',
          body: {
            email: register.email.value, password: register.password.value,
            display_name: register.display_name.value, phone: register.phone.value.trim() || undefined,
            role: register.role?.value,
          },
        }));
      } catch (err) { status.textContent = errorText(err); status.classList.add('error'); }
    },
  },
  el('h2', {}, t('auth.register_title')),
  el('p', { class: 'status' }, t('auth.register_hint')),
  field('display_name', 'text', t('auth.display_name'), { maxlength: 80 }),
  field('email', 'email', t('auth.email'), { autocomplete: 'username', id: `${prefix}-reg-email` }),
  field('password', 'password', t('auth.password_new'), { autocomplete: 'new-password', minlength: 8, id: `${prefix}-reg-password` }),
  el('p', { class: 'status' }, t('password.hint')),
  el('label', {}, t('auth.phone'), el('input', { name: 'phone', type: 'tel', id: `${prefix}-reg-phone` })),
  roles.length > 1 ? el('label', {}, t('auth.role'), el('select', { name: 'role' }, roles.map((r) => el('option', { value: r }, t(`role.${r}`))))) : null,
  el('button', { type: 'submit', class: 'secondary', id: `${prefix}-register-submit` }, t('auth.register')));
  return el('div', {}, status, login, register);
}
