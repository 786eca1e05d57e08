// Live reports on a place's card: what neighbours said lately, one-tap buttons to say how it
// is now (open, queue, stock), the usual long-queue hours, and coordinators' review.
import { api, el } from './api.js';
import { t, currentLang } from './i18n.js';
import { currentAccount, errorText } from './auth.js';
import { liveSummary } from './live.js';
import { locale, timeEl } from './format.js';
import { refreshPlaces } from './places.js';

let items = [];

export function initReports(config) {
  items = config.report_items || [];
  document.addEventListener('place-shown', (e) => renderLive(e.detail));
}

function renderLive(f) {
  const box = document.getElementById('place-live');
  if (!box) return;
  const id = f.properties.id;
  const summary = el('p', { class: 'live-summary', id: 'live-summary' });
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const show = (p) => {
    summary.textContent = liveSummary(p.live) ?? t('live.none');
    const stock = Object.entries(p.live?.stock ?? {}).map(([item, s]) => `${itemLabel(item)}: ${s.mixed ? t('live.mixed') : t(`live.stock_${s.value}`)}`);
    stockLine.textContent = stock.join(' · ');
    stockLine.hidden = !stock.length;
  };
  const stockLine = el('p', { class: 'status' });
  const send = async (body, button) => {
    button.disabled = true;
    status.classList.remove('error');
    try {
      const p = await api(`/api/places/${id}/reports`, { method: 'POST', body });
      show(p);
      document.dispatchEvent(new CustomEvent('place-live', { detail: p }));
      status.textContent = t('live.thanks');
      refreshPlaces();
    } catch (err) {
      status.textContent = errorText(err);
      status.classList.add('error');
    } finally {
      button.disabled = false;
    }
  };
  const tap = (label, body, cls = 'secondary') => el('button', { type: 'button', class: cls, onclick: (e) => send(body, e.currentTarget) }, label);
  const stockSelects = items.map((it) => el('label', { class: 'stock-item' }, it[currentLang()] ?? it.id, ' ',
    el('select', { 'data-item': it.id },
      el('option', { value: '' }, '—'),
      ['yes', 'little', 'none'].map((v) => el('option', { value: v }, t(`live.stock_${v}`))))));
  const stockForm = el('details', { class: 'stock' },
    el('summary', {}, t('live.stock')),
    el('div', { class: 'stock-grid' }, stockSelects),
    el('button', {
      type: 'button', class: 'secondary', onclick: (e) => {
        const stock = {};
        box.querySelectorAll('select[data-item]').forEach((s) => { if (s.value) stock[s.dataset.item] = s.value; });
        send({ stock }, e.currentTarget);
      },
    }, t('live.send_stock')));
  const history = el('p', { class: 'status', id: 'live-history', hidden: true });
  box.replaceChildren(...[
    el('h3', {}, t('live.title')),
    summary, stockLine,
    el('p', { class: 'status' }, t('live.ask')),
    el('div', { class: 'row', role: 'group', 'aria-label': t('live.open_group') },
      tap(t('live.say_open'), { open: true }, 'secondary report-open'),
      tap(t('live.say_closed'), { open: false }, 'secondary report-closed')),
    el('div', { class: 'row', role: 'group', 'aria-label': t('live.queue_group') },
      tap(t('live.tap_queue_none'), { queue: 'none' }, 'secondary report-queue-none'),
      tap(t('live.tap_queue_short'), { queue: 'short' }, 'secondary report-queue-short'),
      tap(t('live.tap_queue_long'), { queue: 'long' }, 'secondary report-queue-long')),
    stockForm, status, history,
    currentAccount()?.role === 'coordinator' ? reviewBox(id, (p) => show(p)) : null,
  ].filter(Boolean));
  show(f.properties);
  loadHistory(id, history);
}

function itemLabel(id) {
  const it = items.find((x) => x.id === id);
  return it ? it[currentLang()] : id;
}

async function loadHistory(id, line) {
  try {
    const h = await api(`/api/places/${id}/report-history`);
    if (!h.usual_long_queue.length) return;
    const days = new Intl.DateTimeFormat(locale(), { weekday: 'long' });
    // 2026-11-30 was a Monday: hour h of the week is that Monday plus h hours.
    const when = h.usual_long_queue.map((hour) => {
      const d = new Date(Date.UTC(2026, 10, 30, hour % 24) + Math.floor(hour / 24) * 86400000);
      return `${days.format(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))} ${hour % 24} h`;
    });
    line.textContent = t('live.usual_long', { when: when.join(', ') });
    line.hidden = false;
  } catch { /* the history is a nicety; the card works without it */ }
}

function reviewBox(id, show) {
  const list = el('ul', { class: 'report-review' });
  const load = async () => {
    const { reports } = await api(`/api/places/${id}/reports`);
    list.replaceChildren(...(reports.length ? reports.map((r) => el('li', { 'data-report-id': r.id },
      el('span', {}, timeEl(r.reported_at), ' · ', [t(`live.tier_${r.tier}`),
        r.open === null ? null : t(r.open ? 'live.say_open' : 'live.say_closed'),
        r.queue ? t(`live.queue_${r.queue}`) : null,
        Object.keys(r.stock).length ? Object.entries(r.stock).map(([k, v]) => `${itemLabel(k)}: ${t(`live.stock_${v}`)}`).join(', ') : null,
        r.doubtful ? t('live.doubtful') : null, r.hidden ? t('live.hidden') : null].filter(Boolean).join(' · ')),
      r.hidden ? null : el('button', {
        type: 'button', class: 'secondary hide-reporter', onclick: async () => {
          await api(`/api/place-reports/${r.id}/hide-reporter`, { method: 'POST' });
          await load();
          show(await api(`/api/places/${id}`).then((f) => f.properties));
          refreshPlaces();
        },
      }, t('live.hide_reporter')))) : [el('li', { class: 'status' }, t('live.no_reports'))]));
  };
  return el('details', { class: 'review', ontoggle: (e) => { if (e.currentTarget.open) load(); } },
    el('summary', {}, t('live.review')), list);
}
