// The brrr dashboard: a client of the admin API under ./api (MapBrrrAdmin's endpoints). Every text from the server
// goes into the page through textContent, never as HTML.
import { $, get, showError, state } from './common.js';
import { startOverview, stopOverview } from './overview.js';
import { inspect, inspectRoot, startWorkflow } from './workflow.js';
import { refreshLetters, startLetters } from './letters.js';

function route() {
  const name = (location.hash || '#overview').slice(1);
  for (const section of ['overview', 'workflow', 'dead-letters']) {
    $(section).hidden = section !== name;
    $(`nav-${section}`).classList.toggle('current', section === name);
  }
  if (name === 'overview') startOverview(inspectRoot); else stopOverview();
  if (name === 'dead-letters') refreshLetters();
}

async function start() {
  try {
    state.capabilities = await get('capabilities');
  } catch (e) { showError(`capabilities: ${e.message}`); }
  const actions = state.capabilities.actions;
  $('mode').textContent = actions ? 'actions enabled' : 'read only';
  for (const id of ['requeue-selected', 'purge-selected', 'retry', 'cancel']) {
    $(id).disabled = !actions;
    if (!actions) $(id).title = 'actions need the host to name an ActionPolicy, and you to meet it';
  }
  startWorkflow();
  startLetters();
  window.addEventListener('hashchange', route);
  const params = new URLSearchParams(location.search);
  for (const [name, id] of [['task', 'find-task'], ['args', 'find-args'], ['call_hash', 'find-hash'], ['root_id', 'find-root']]) {
    if (params.get(name)) $(id).value = params.get(name);
  }
  route();
  if (location.hash === '#workflow' && [...params.keys()].length > 0) inspect();
}

start();
