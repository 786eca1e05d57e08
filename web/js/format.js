// Dates, times, numbers, distances and counts in the UI language, through Intl: es-AR by
// default ("5/12/2026 06:31", "hace 5 min", "1,5 km", "1 lugar"), en-GB in English. The API
// keeps RFC 3339; the page shows every date in a <time> element that carries it.
import { t, currentLang } from './i18n.js';
import { el } from './api.js';

export function locale() { return currentLang() === 'en' ? 'en-GB' : 'es-AR'; }

// "5/12/2026 06:31": a four-digit year and a 24-hour clock (es-AR's short style would give
// "5/12/26, 6:31 a. m."). The parts are joined by hand to drop Intl's comma.
export function dateTime(iso) {
  const d = new Date(iso);
  const date = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'numeric', year: 'numeric' }).format(d);
  const time = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return `${date} ${time}`;
}

// "hace 5 min" for the last day, the full date before that (and for any time ahead).
export function when(iso) {
  const age = Date.now() - Date.parse(iso);
  return age >= 0 && age < 24 * 3600 * 1000 ? ago(iso) : dateTime(iso);
}

// A date on screen: <time datetime="RFC 3339" title="5/12/2026 06:31">text</time>. `style`
// is 'when' (relative in the last day), 'date' (always the full date) or 'shift'.
export function timeEl(iso, style = 'when') {
  const text = style === 'shift' ? shiftTime(iso) : style === 'date' ? dateTime(iso) : when(iso);
  return el('time', { datetime: iso, title: dateTime(iso), 'data-style': style }, text);
}

// "vie, 5 dic, 18:00": for shifts, where the weekday matters.
export function shiftTime(iso) {
  return new Intl.DateTimeFormat(locale(), {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso));
}

export function number(n, maxDecimals = 2) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: maxDecimals }).format(n);
}

// "800 m", "1,5 km"
export function distance(m) {
  return m < 1000 ? t('places.metres', { n: number(Math.round(m), 0) }) : t('places.km', { n: number(m / 1000, 1) });
}

// Whole minutes since `iso`, at least 1: the server gives report times to the minute.
export function minutesAgo(iso) {
  return Math.max(1, Math.round((Date.now() - Date.parse(iso)) / 60000));
}


// "hace 20 min", "hace 3 h"
export function ago(iso) {
  const rtf = new Intl.RelativeTimeFormat(locale(), { style: 'short', numeric: 'always' });
  const m = minutesAgo(iso);
  return m < 60 ? rtf.format(-m, 'minute') : rtf.format(-Math.round(m / 60), 'hour');
}

// A count with its noun in the right plural form: counted('places.in_view', 1) reads the
// catalog's `places.in_view_one`, and `_other` otherwise.
export function counted(key, n) {
  const form = new Intl.PluralRules(locale()).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}_${form}`, { n: number(n, 0) });
}
