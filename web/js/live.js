// How a place's live state reads in a list or on a card: "cola larga · hace 20 min · 2 vecinos".
import { t, currentLang } from './i18n.js';

export function locale() { return currentLang() === 'en' ? 'en' : 'es-AR'; }

// Whole minutes since `iso`, at least 1: the server gives the time to the minute.
export function minutesAgo(iso) {
  return Math.max(1, Math.round((Date.now() - Date.parse(iso)) / 60000));
}

export function ago(iso) {
  const rtf = new Intl.RelativeTimeFormat(locale(), { style: 'short', numeric: 'always' });
  const m = minutesAgo(iso);
  return m < 60 ? rtf.format(-m, 'minute') : rtf.format(-Math.round(m / 60), 'hour');
}

export function counted(key, n) {
  const form = new Intl.PluralRules(locale()).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}_${form}`, { n: new Intl.NumberFormat(locale()).format(n) });
}

export function queueText(queue) {
  if (!queue) return null;
  return queue.mixed ? t('live.queue_mixed') : t(`live.queue_${queue.value}`);
}

export function liveSummary(live) {
  if (!live) return null;
  const parts = [queueText(live.queue), live.open?.mixed ? t('live.open_mixed') : null];
  parts.push(ago(live.reported_at), counted('live.neighbours', live.neighbours));
  return parts.filter(Boolean).join(' · ');
}
