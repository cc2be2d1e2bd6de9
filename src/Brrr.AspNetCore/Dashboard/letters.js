// Dead letters: a filtered, paged table; show one, requeue or purge a selection.
import { $, el, get, post, showError, time } from './common.js';

const pageSize = 50;
let offset = 0;

function letterQuery() {
  const q = new URLSearchParams();
  for (const [id, name] of [['filter-topic', 'topic'], ['filter-task', 'task'], ['filter-root', 'root_id'], ['filter-error', 'error_type']]) {
    const v = $(id).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

export async function refreshLetters() {
  try {
    const q = letterQuery();
    q.set('offset', String(offset));
    q.set('limit', String(pageSize));
    const page = await get(`dead-letters?${q}`);
    const body = $('letters').tBodies[0];
    body.replaceChildren();
    for (const l of page.letters) {
      const box = el('input', { type: 'checkbox', class: 'pick', 'data-id': l.id, 'aria-label': `select ${l.id}` });
      const show = el('button', { type: 'button', class: 'show', text: 'show' });
      show.addEventListener('click', () => showLetter(l.id));
      body.append(el('tr', { 'data-id': l.id }, el('td', {}, box), el('td', { text: time(l.failed_at) }), el('td', { text: l.topic || l.dead_letter_topic }),
        el('td', { text: l.task || '?' }), el('td', { text: l.root_id || '' }), el('td', { text: l.malformed ? `malformed: ${l.malformed}` : `${l.error_type}: ${l.error}` }),
        el('td', {}, show)));
    }
    if (page.letters.length === 0) body.append(el('tr', {}, el('td', { colspan: '7', class: 'muted', text: 'no dead letters' })));
    $('letters-total').textContent = `${page.total} in all`;
    $('page').textContent = page.total === 0 ? '' : `${offset + 1}–${offset + page.letters.length} of ${page.total}`;
    $('prev').disabled = offset === 0;
    $('next').disabled = offset + page.letters.length >= page.total;
    $('select-all').checked = false;
    showError('');
  } catch (e) {
    showError(`dead letters: ${e.message}`);
  }
}

async function showLetter(id) {
  try {
    const letter = await get(`dead-letters/${encodeURIComponent(id)}`);
    const box = $('letter');
    box.textContent = JSON.stringify(letter, null, 2);
    box.hidden = false;
  } catch (e) { showError(`dead letter: ${e.message}`); }
}

async function act(verb) {
  const ids = [...document.querySelectorAll('#letters input.pick:checked')].map(b => b.dataset.id);
  if (ids.length === 0) { $('letters-result').textContent = 'select letters first'; return; }
  if (verb === 'purge' && !confirm(`Purge ${ids.length} dead letter(s) for good?`)) return;
  try {
    const answer = await post(`dead-letters/${verb}`, { ids });
    $('letters-result').textContent = `${verb}: ${answer.done} of ${ids.length} done`;
  } catch (e) { showError(`${verb}: ${e.message}`); }
  await refreshLetters();
}

export function startLetters() {
  $('letter-filter').addEventListener('submit', e => { e.preventDefault(); offset = 0; refreshLetters(); });
  $('prev').addEventListener('click', () => { offset = Math.max(0, offset - pageSize); refreshLetters(); });
  $('next').addEventListener('click', () => { offset += pageSize; refreshLetters(); });
  $('select-all').addEventListener('change', e => document.querySelectorAll('#letters input.pick').forEach(b => { b.checked = e.target.checked; }));
  $('requeue-selected').addEventListener('click', () => act('requeue'));
  $('purge-selected').addEventListener('click', () => act('purge'));
}
