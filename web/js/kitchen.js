// Community kitchens: open needs on a kitchen's card (pledge, take a shift), the organizer's
// "Mi comedor" screen (post and manage needs, see who signed up and what was pledged), and
// "Mis turnos" (my shifts and pledges).
import { api, el } from './api.js';
import { onSent, sendOrQueue } from './offline.js';
import { t, tNodes, currentLang, onLangChange } from './i18n.js';
import { accountBar, authForms, currentAccount, errorText, onAccountChange } from './auth.js';
import { currentScreen, onScreenChange, showScreen } from './screens.js';
import { counted, number, timeEl } from './format.js';
import { act, busy, showErrorBeside, showResult } from './feedback.js';

let selectedKitchen = null;
let pickForNewKitchen = null; // {lat, lon} picked on the map for a new kitchen

const fmtAmount = (n) => number(n);

function needSummary(n) {
  if (n.kind === 'supplies') {
    return t('kitchen.supplies_line', { item: n.item, quantity: fmtAmount(n.quantity), unit: n.unit, remaining: fmtAmount(n.remaining) });
  }
  return tNodes('kitchen.shift_line', {
    role: t(`kitchen.role.${n.role}`), from: timeEl(n.starts_at, 'shift'), to: timeEl(n.ends_at, 'shift'),
    free: t(`kitchen.slots_free_${new Intl.PluralRules(currentLang() === 'en' ? 'en-GB' : 'es-AR').select(n.slots) === 'one' ? 'one' : 'other'}`, { left: n.slots_left, slots: n.slots }),
  });
}

// ---- the kitchen card (public page)

async function renderKitchenExtra(box, place) {
  const status = el('p', { class: 'status', role: 'status' });
  let needs = [];
  try { needs = await api(`/api/places/${place.properties.id}/needs`); } catch (err) { status.textContent = errorText(err); }
  const serving = place.properties.open_now;
  const follow = currentAccount() ? el('div', { class: 'follow', id: 'kitchen-follow' }) : null;
  box.replaceChildren(...[
    el('p', {}, el('strong', {}, serving === true ? t('kitchen.serving_now') : serving === false ? t('kitchen.not_serving_now') : t('kitchen.serving_unknown'))),
    place.properties.meals_per_day ? el('p', {}, counted('kitchen.meals_per_day', place.properties.meals_per_day)) : null,
    el('h3', {}, t('kitchen.open_needs')),
    needs.length ? el('ul', { class: 'need-list' }, needs.map((n) => needItem(n, status, () => renderKitchenExtra(box, place)))) : el('p', { class: 'empty' }, t('kitchen.no_needs')),
    follow,
    status,
  ].filter(Boolean));
  if (follow) await followToggle(follow, place.properties.id);
}

// "Avisarme cuando falte algo": the kitchen's supplies needs then reach the person through
// the channels they chose under "Quiero ayudar" › "Avisos".
async function followToggle(box, id) {
  let following;
  try { following = (await api(`/api/places/${id}/follow`)).following; } catch { return; }
  const draw = () => box.replaceChildren(
    following ? el('p', { class: 'status' }, t('kitchen.following')) : null,
    el('button', {
      type: 'button', class: following ? 'secondary' : 'primary', id: 'kitchen-follow-toggle',
      onclick: async (e) => {
        const ok = await act(e.currentTarget, {
          run: async () => {
            following = (await api(`/api/places/${id}/follow`, { method: following ? 'DELETE' : 'PUT' })).following;
          },
        });
        if (!ok) return;
        draw();
        box.querySelector('button').focus();
        let text = t(following ? 'kitchen.followed_done' : 'kitchen.unfollowed_done');
        // Following is of no use until some way of telling is on.
        if (following) {
          const s = await api('/api/me/notifications').catch(() => null);
          if (s && !s.by_push && !s.by_email && !s.by_webhook) text = `${text} ${t('kitchen.follow_no_channel')}`;
        }
        showResult(text);
      },
    }, t(following ? 'kitchen.unfollow' : 'kitchen.follow')));
  draw();
}

function needItem(n, status, refresh) {
  const li = el('li', { 'data-need-id': n.id, 'data-need-kind': n.kind }, el('span', { class: 'need-text' }, needSummary(n)));
  if (!currentAccount()) {
    li.append(el('button', { type: 'button', class: 'secondary', onclick: () => showScreen('shifts') }, t('kitchen.sign_in_to_help')));
    return li;
  }
  if (n.kind === 'supplies') {
    const qty = el('input', { type: 'number', min: '0', step: 'any', class: 'pledge-qty', 'aria-label': t('kitchen.quantity'), value: fmtAmount(n.remaining) });
    li.append(el('form', {
      class: 'row', onsubmit: async (e) => {
        e.preventDefault();
        const button = e.submitter ?? e.currentTarget.querySelector('button');
        try {
          const r = await busy(button, () => sendOrQueue({ path: `/api/needs/${n.id}/pledge`, body: { quantity: Number(qty.value) }, kind: 'pledge', label: `${t('offline.kind.pledge')}: ${n.item ?? ''}` }));
          if (r.sent) { showResult(t('kitchen.pledged')); refresh(); } else status.textContent = t('offline.queued');
        } catch (err) { showErrorBeside(button, err); }
      },
    }, qty, el('button', { type: 'submit', class: 'secondary pledge' }, t('kitchen.pledge'))));
  } else {
    li.append(el('button', {
      type: 'button', class: 'secondary take-shift', onclick: async (e) => {
        const button = e.currentTarget;
        try {
          const r = await busy(button, () => sendOrQueue({ path: `/api/needs/${n.id}/signup`, kind: 'signup', label: `${t('offline.kind.signup')}: ${n.role ?? ''}` }));
          if (r.sent) { showResult(t('kitchen.signed_up')); refresh(); } else status.textContent = t('offline.queued');
        } catch (err) { showErrorBeside(button, err); }
      },
    }, t('kitchen.take_shift')));
  }
  return li;
}

// ---- "Mi comedor" (organizers)

async function renderOrganizer() {
  const box = document.getElementById('organizer-body');
  if (!box) return;
  const me = currentAccount();
  if (!me) {
    box.replaceChildren(el('p', { class: 'status' }, t('kitchen.organizers_only')), authForms('organizer', { roles: ['organizer'] }));
    return;
  }
  if (me.role !== 'organizer' && me.role !== 'coordinator') {
    box.replaceChildren(accountBar('organizer'), el('p', { class: 'status' }, t('kitchen.organizers_only')));
    return;
  }
  const places = await api('/api/me/places');
  if (!selectedKitchen && places.length) selectedKitchen = places[0].id;
  const select = el('select', { id: 'my-kitchen', onchange: (e) => { selectedKitchen = Number(e.target.value); renderOrganizer(); } },
    places.map((p) => el('option', { value: p.id, selected: p.id === selectedKitchen }, p.status === 'pending_review' ? `${p.name} (${t('kitchen.pending')})` : p.name)));
  // Running a kitchen (needs, who signed up) waits for a coordinator's verification.
  const manage = selectedKitchen && me.verified;
  box.replaceChildren(...[
    accountBar('organizer'),
    me.verified ? null : el('p', { class: 'notice', id: 'organizer-unverified' }, t('kitchen.unverified')),
    places.length ? el('label', {}, t('kitchen.my_kitchen'), ' ', select)
      : el('div', { class: 'empty', id: 'organizer-empty' }, el('p', {}, t('kitchen.no_kitchens')),
        el('button', { type: 'button', class: 'secondary', onclick: () => { const d = document.getElementById('new-kitchen'); d.open = true; d.scrollIntoView({ block: 'start' }); } }, t('kitchen.new_kitchen'))),
    manage ? el('div', { id: 'organizer-needs' }) : null,
    manage ? needForms() : null,
    newKitchenForm(),
  ].filter(Boolean));
  if (manage) await renderOrganizerNeeds();
}

function needForms() {
  const status = el('p', { class: 'status', role: 'status', id: 'need-form-status' });
  const shift = el('form', {
    id: 'shift-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = e.target.elements;
      try {
        await api(`/api/places/${selectedKitchen}/needs`, { method: 'POST', body: {
          kind: 'shift', role: f.role.value, starts_at: new Date(f.starts_at.value).toISOString(), ends_at: new Date(f.ends_at.value).toISOString(), slots: Number(f.slots.value),
        } });
        status.textContent = t('kitchen.need_posted');
        await renderOrganizerNeeds();
      } catch (err) { status.textContent = errorText(err); }
    },
  },
  el('h3', {}, t('kitchen.post_shift')),
  el('label', {}, t('kitchen.role'), el('select', { name: 'role' }, ['cook', 'serve', 'deliver', 'clean'].map((r) => el('option', { value: r }, t(`kitchen.role.${r}`))))),
  el('label', {}, t('kitchen.starts_at'), el('input', { type: 'datetime-local', name: 'starts_at', required: true })),
  el('label', {}, t('kitchen.ends_at'), el('input', { type: 'datetime-local', name: 'ends_at', required: true })),
  el('label', {}, t('kitchen.slots'), el('input', { type: 'number', name: 'slots', min: '1', max: '100', value: '3', required: true })),
  el('button', { type: 'submit', class: 'primary' }, t('kitchen.post')));
  const supplies = el('form', {
    id: 'supplies-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = e.target.elements;
      try {
        await api(`/api/places/${selectedKitchen}/needs`, { method: 'POST', body: {
          kind: 'supplies', item: f.item.value, quantity: Number(f.quantity.value), unit: f.unit.value,
        } });
        status.textContent = t('kitchen.need_posted');
        await renderOrganizerNeeds();
      } catch (err) { status.textContent = errorText(err); }
    },
  },
  el('h3', {}, t('kitchen.post_supplies')),
  el('label', {}, t('kitchen.item'), el('input', { type: 'text', name: 'item', required: true })),
  el('label', {}, t('kitchen.quantity'), el('input', { type: 'number', name: 'quantity', min: '0', step: 'any', required: true })),
  el('label', {}, t('kitchen.unit'), el('input', { type: 'text', name: 'unit', required: true, placeholder: 'kg' })),
  el('button', { type: 'submit', class: 'primary' }, t('kitchen.post')));
  return el('div', {}, shift, supplies, status);
}

async function renderOrganizerNeeds() {
  const box = document.getElementById('organizer-needs');
  if (!box) return;
  const needs = await api(`/api/places/${selectedKitchen}/needs`, { query: { all: 'true' } });
  const details = await Promise.all(needs.map((n) => api(`/api/needs/${n.id}`)));
  box.replaceChildren(...[
    el('h3', {}, t('kitchen.needs')),
    details.length ? null : el('p', { class: 'empty', id: 'organizer-needs-empty' }, t('kitchen.no_needs_yet')),
    el('ul', { class: 'need-list' }, details.map(({ need, signups, pledges }) => el('li', { 'data-need-id': need.id },
      el('div', {}, el('strong', {}, needSummary(need)), ' ', el('span', { class: 'status' }, t(`kitchen.status.${need.status}`))),
      need.kind === 'shift'
        ? el('ul', { class: 'signups' }, signups.length ? signups.map((s) => el('li', { class: 'signup' }, s.display_name, s.phone ? [' · ', el('a', { href: `tel:${s.phone.replace(/[^+\d]/g, '')}` }, s.phone)] : null)) : el('li', { class: 'status' }, t('kitchen.nobody_yet')))
        : el('ul', { class: 'pledges' }, pledges.length ? pledges.map((p) => el('li', { class: 'pledge-row' },
          `${p.display_name}: ${fmtAmount(p.quantity)} ${need.unit} · ${t(`kitchen.pledge_status.${p.status}`)} `,
          p.status === 'pledged' ? el('button', {
            type: 'button', class: 'secondary received',
            onclick: async (e) => { if (await act(e.currentTarget, { run: () => api(`/api/pledges/${p.id}/received`, { method: 'POST' }), done: t('kitchen.received_done') })) renderOrganizerNeeds(); },
          }, t('kitchen.mark_received')) : null)) : el('li', { class: 'status' }, t('kitchen.nobody_yet'))),
      need.status === 'open' ? el('div', { class: 'row' }, el('button', {
        type: 'button', class: 'secondary danger close-need',
        onclick: async (e) => {
          const ok = await act(e.currentTarget, {
            confirm: { title: t('kitchen.close_confirm_title'), body: t('kitchen.close_confirm_body'), confirm: t('kitchen.close_need'), danger: true },
            run: () => api(`/api/needs/${need.id}/close`, { method: 'POST' }),
            done: t('kitchen.closed_done'),
          });
          if (ok) renderOrganizerNeeds();
        },
      }, t('kitchen.close_need'))) : null,
    ))),
  ].filter(Boolean));
}

function newKitchenForm() {
  const status = el('p', { class: 'status', role: 'status' });
  const where = el('p', { class: 'status', id: 'new-kitchen-where' }, pickForNewKitchen ? t('kitchen.location_picked') : t('kitchen.pick_location'));
  return el('details', { id: 'new-kitchen' }, el('summary', {}, t('kitchen.new_kitchen')), el('form', {
    id: 'new-kitchen-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!pickForNewKitchen) { status.textContent = t('kitchen.pick_location'); return; }
      const f = e.target.elements;
      try {
        const created = await api('/api/places', { method: 'POST', body: {
          kind: 'kitchen', category: f.category.value, name: f.name.value, location: pickForNewKitchen,
          opening_hours: f.opening_hours.value.trim() || null, address: f.address.value.trim() || null, phone: f.phone.value.trim() || null,
          description: f.description.value.trim() || null, meals_per_day: f.meals.value ? Number(f.meals.value) : null,
        } });
        selectedKitchen = created.id;
        pickForNewKitchen = null;
        status.textContent = created.status === 'pending_review' ? t('kitchen.created_pending') : t('kitchen.created');
        renderOrganizer();
      } catch (err) { status.textContent = errorText(err); }
    },
  },
  el('label', {}, t('kitchen.name'), el('input', { type: 'text', name: 'name', required: true })),
  el('label', {}, t('kitchen.category'), el('select', { name: 'category' }, ['soup_kitchen', 'food_bank', 'food_sharing'].map((c) => el('option', { value: c }, t(`kitchen.category.${c}`))))),
  el('label', {}, t('kitchen.hours'), el('input', { type: 'text', name: 'opening_hours', placeholder: 'Mo-Fr 11:30-14:00' })),
  el('label', {}, t('kitchen.meals'), el('input', { type: 'number', name: 'meals', min: '0' })),
  el('label', {}, t('kitchen.address'), el('input', { type: 'text', name: 'address' })),
  el('label', {}, t('kitchen.phone'), el('input', { type: 'tel', name: 'phone' })),
  el('label', {}, t('kitchen.description'), el('textarea', { name: 'description', rows: '2' })),
  where,
  el('button', { type: 'submit', class: 'primary' }, t('kitchen.create')),
  status));
}

// ---- "Mis turnos"

async function renderMyShifts() {
  const box = document.getElementById('my-shifts-body');
  if (!box) return;
  if (!currentAccount()) {
    box.replaceChildren(el('p', { class: 'status' }, t('kitchen.sign_in_to_help')), authForms('shifts', { roles: ['volunteer', 'organizer'] }));
    return;
  }
  const [shifts, pledges] = await Promise.all([api('/api/me/shifts'), api('/api/me/pledges')]);
  box.replaceChildren(...[
    accountBar('shifts'),
    el('h3', {}, t('kitchen.my_shifts')),
    shifts.length ? el('ul', { class: 'need-list', id: 'my-shift-list' }, shifts.map((n) => el('li', { 'data-need-id': n.id },
      el('strong', {}, n.place_name), ' · ', needSummary(n), ' ',
      n.status === 'open' ? el('button', {
        type: 'button', class: 'secondary danger leave-shift',
        onclick: async (e) => {
          const ok = await act(e.currentTarget, {
            confirm: { title: t('kitchen.leave_confirm_title'), body: t('kitchen.leave_confirm_body'), confirm: t('kitchen.cancel_shift'), danger: true },
            run: () => api(`/api/needs/${n.id}/signup`, { method: 'DELETE' }),
            done: t('kitchen.left_done'),
          });
          if (ok) renderMyShifts();
        },
      }, t('kitchen.cancel_shift')) : el('span', { class: 'status' }, t(`kitchen.status.${n.status}`)))))
      : el('div', { class: 'empty', id: 'my-shifts-empty' }, el('p', {}, t('kitchen.no_shifts')),
        el('button', { type: 'button', class: 'secondary', onclick: () => showScreen('nearby') }, t('kitchen.find_kitchens'))),
    el('h3', {}, t('kitchen.my_pledges')),
    pledges.length ? el('ul', { class: 'need-list' }, pledges.map(({ pledge, need }) => el('li', {},
      el('strong', {}, need.place_name), ` · ${fmtAmount(pledge.quantity)} ${need.unit} ${need.item} · ${t(`kitchen.pledge_status.${pledge.status}`)} `,
      pledge.status === 'pledged' ? el('button', {
        type: 'button', class: 'secondary danger withdraw',
        onclick: async (e) => {
          const ok = await act(e.currentTarget, {
            confirm: { title: t('kitchen.withdraw_confirm_title'), confirm: t('kitchen.withdraw'), danger: true },
            run: () => api(`/api/pledges/${pledge.id}/withdraw`, { method: 'POST' }),
            done: t('kitchen.withdrawn_done'),
          });
          if (ok) renderMyShifts();
        },
      }, t('kitchen.withdraw')) : null))) : el('p', { class: 'empty' }, t('kitchen.no_pledges')),
  ].filter(Boolean));
}

function renderVisible() {
  const visible = currentScreen();
  if (visible === 'organizer') renderOrganizer();
  if (visible === 'shifts') renderMyShifts();
}

export function initKitchens(map) {
  // A pledge or sign-up queued offline reached the server.
  onSent('pledge', () => renderMyShifts());
  onSent('signup', () => renderMyShifts());
  document.addEventListener('place-shown', (e) => {
    const f = e.detail;
    const box = document.getElementById('place-extra');
    if (box && f.properties.kind === 'kitchen') renderKitchenExtra(box, f);
  });
  map.on('click', (e) => {
    if (currentScreen() !== 'organizer') return;
    pickForNewKitchen = { lat: e.lngLat.lat, lon: e.lngLat.lng };
    const where = document.getElementById('new-kitchen-where');
    if (where) where.textContent = t('kitchen.location_picked');
  });
  onScreenChange(renderVisible);
  onAccountChange(renderVisible);
  onLangChange(renderVisible);
}
