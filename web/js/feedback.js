// Feedback on actions: a confirmation dialog (a real <dialog>, not window.confirm), the result
// in words with an undo where the domain allows one, busy buttons, and errors shown beside what
// caused them.
import { el } from './api.js';
import { t } from './i18n.js';
import { errorText } from './auth.js';

// Asks before a weighty action; resolves true when confirmed. "Volver" has the focus, so a
// stray Enter does not confirm.
export function confirmAction({ title, body, confirm, danger = false }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const dialog = el('dialog', { class: 'confirm', id: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': body ? 'confirm-body' : null },
      el('h2', { id: 'confirm-title' }, title),
      body ? el('p', { id: 'confirm-body' }, body) : null,
      el('div', { class: 'dialog-actions' },
        el('button', { type: 'button', class: 'secondary', id: 'confirm-no', onclick: () => dialog.close('no') }, t('common.back')),
        el('button', { type: 'button', class: danger ? 'primary danger' : 'primary', id: 'confirm-yes', onclick: () => dialog.close('yes') }, confirm)));
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('#confirm-no').focus();
  });
}

let hideTimer = null;

export function hideResult() {
  clearTimeout(hideTimer);
  const box = document.getElementById('result');
  box.replaceChildren();
  delete box.dataset.kind;
}

// Says what happened, above the navigation where the eye is. With `undo`, a button takes it
// back for `undoMs` (a minute by default); without, the message stays 8 s.
export function showResult(text, { undo, undoMs = 60000 } = {}) {
  clearTimeout(hideTimer);
  const box = document.getElementById('result');
  box.dataset.kind = 'ok';
  box.replaceChildren(...[
    el('span', { class: 'result-text', id: 'result-text' }, text),
    undo ? el('button', {
      type: 'button', class: 'secondary', id: 'result-undo',
      onclick: async (e) => {
        try {
          await busy(e.currentTarget, undo);
          showResult(t('common.undone'));
        } catch (err) { showResult(errorText(err)); box.dataset.kind = 'error'; }
      },
    }, t('common.undo')) : null,
    el('button', { type: 'button', class: 'secondary', id: 'result-close', 'aria-label': t('common.close'), onclick: hideResult }, '✕'),
  ].filter(Boolean));
  hideTimer = setTimeout(hideResult, undo ? undoMs : 8000);
}

// Runs `work` while the button shows that it is busy; taps meanwhile do nothing.
export async function busy(button, work) {
  if (button.getAttribute('aria-busy') === 'true') return undefined;
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.removeAttribute('aria-busy');
    button.disabled = false;
  }
}

// The error of an action, right under the row of buttons (or the button) that started it.
export function showErrorBeside(button, err) {
  const anchor = button.closest('.row') ?? button;
  let p = anchor.nextElementSibling;
  if (!p?.classList.contains('inline-error')) {
    p = el('p', { class: 'status error inline-error', role: 'alert' });
    anchor.after(p);
  }
  p.textContent = typeof err === 'string' ? err : errorText(err);
}

function clearErrorBeside(button) {
  const anchor = button.closest('.row') ?? button;
  const p = anchor.nextElementSibling;
  if (p?.classList.contains('inline-error')) p.remove();
}

// One action from a button: confirm if asked, run it busy, then say what happened, or show
// the error beside the button. Resolves to whether it went through.
export async function act(button, { confirm, run, done, undo }) {
  if (confirm && !(await confirmAction(confirm))) return false;
  clearErrorBeside(button);
  try {
    await busy(button, run);
  } catch (err) {
    showErrorBeside(button, err);
    return false;
  }
  if (done) showResult(done, { undo });
  return true;
}
