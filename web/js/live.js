// How a place's live state reads in a list or on a card: "cola larga · hace 20 min · 2 vecinos".
import { t } from './i18n.js';
import { ago, counted } from './format.js';

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
