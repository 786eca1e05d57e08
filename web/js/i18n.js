// Text catalogs (es first, en second). Every user-visible string comes from here.
const SUPPORTED = ['es', 'en'];
let lang = 'es';
let catalog = {};
const listeners = [];

export function currentLang() { return lang; }

export async function loadLang(wanted) {
  lang = SUPPORTED.includes(wanted) ? wanted : 'es';
  const res = await fetch(`/i18n/${lang}.json`);
  catalog = await res.json();
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
  applyStatic(document);
  listeners.forEach((fn) => fn(lang));
}

export function initialLang() {
  return localStorage.getItem('lang') || 'es';
}

// t('places.in_view', {n: 3}) -> "3 lugares en el mapa"; a missing key shows itself, so gaps are visible.
export function t(key, vars = {}) {
  let text = catalog[key] ?? key;
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}

// Like t(), but a value may be a DOM node (a <time>, say): gives strings and nodes for el().
export function tNodes(key, vars = {}) {
  const text = catalog[key] ?? key;
  return text.split(/(\{[a-z_]+\})/).filter(Boolean).map((part) => {
    const name = part.match(/^\{([a-z_]+)\}$/)?.[1];
    return name && name in vars ? vars[name] : part;
  });
}

export function onLangChange(fn) { listeners.push(fn); }

export function applyStatic(root) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll('[data-i18n-aria-label]').forEach((el) => { el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel)); });
}
