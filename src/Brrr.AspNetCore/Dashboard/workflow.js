// Workflow: the inspector's verdict and tree. The API returns a few levels at a time; a node marked more_below
// fetches its own subtree by call hash when it is first opened, so a tree of any depth can be walked down.
import { $, el, get, post, showError, state } from './common.js';

const levels = 8;
const openDepth = 2;
let inspected = null;

function head(node) {
  const args = node.arguments == null ? '' : typeof node.arguments === 'string' ? node.arguments : JSON.stringify(node.arguments);
  const label = node.task_name ? `${node.task_name} ${args}` : node.call_hash;
  const parents = node.parents && node.parents.length ? ` · ${node.parents.length} waiting parent(s)` : '';
  return [el('span', { class: `state state-${node.state}`, text: node.state }), el('span', { class: 'node-label', text: label }), ' ',
    el('span', { class: 'detail', text: node.detail + parents })];
}

async function childrenOf(node) {
  if (!node.more_below) return node.children;
  const subtree = await get(`inspect?call_hash=${encodeURIComponent(node.call_hash)}&depth=${levels}`);
  return subtree.root.children;
}

function nodeItem(node, depth) {
  const item = el('li', { 'data-hash': node.call_hash, 'data-state': node.state, 'data-depth': String(depth) });
  const chain = node.error && node.error.chain ? node.error.chain : [];
  const extra = chain.map(c => el('div', { class: 'chain', text: `${c.task} ${c.call_hash}: ${c.error_type}: ${c.message}` }));
  if (node.children.length === 0 && !node.more_below) {
    item.append(...head(node), ...extra);
    return item;
  }
  if (node.more_below) item.setAttribute('data-more-below', 'true');
  const details = el('details');
  details.append(el('summary', {}, ...head(node)), ...extra);
  let built = false;
  const build = async () => {
    if (built) return;
    built = true;
    const list = el('ul', {}, el('li', { class: 'muted loading', text: 'loading…' }));
    details.append(list);
    try {
      const children = await childrenOf(node);
      list.replaceChildren(...children.map(c => nodeItem(c, depth + 1)));
      if (children.length === 0) list.append(el('li', { class: 'muted', text: 'nothing left to wait on' }));
    } catch (e) {
      built = false;
      list.remove();
      showError(`subtree of ${node.call_hash}: ${e.message}`);
    }
  };
  details.addEventListener('toggle', () => { if (details.open) build(); });
  if (depth < openDepth) { details.open = true; build(); }
  item.append(details);
  return item;
}

function verdictClass(verdict) {
  const word = verdict.split(':')[0];
  return word === 'in progress' ? 'in-progress' : word;
}

function rootIdOf(node) {
  if ($('find-root').value.trim()) return $('find-root').value.trim();
  const job = node.jobs.find(j => j.root_id);
  return job ? job.root_id : (node.roots && node.roots[0]) || (node.dead_letter && node.dead_letter.root_id) || null;
}

export async function inspect() {
  const hash = $('find-hash').value.trim(), root = $('find-root').value.trim(), task = $('find-task').value.trim();
  let query;
  if (root) query = `root_id=${encodeURIComponent(root)}`;
  else if (hash) query = `call_hash=${encodeURIComponent(hash)}`;
  else if (task) query = `task=${encodeURIComponent(task)}&args=${encodeURIComponent($('find-args').value.trim() || '{}')}`;
  else { showError('workflow: give a task with its args, a call hash or a root id'); return; }
  location.hash = 'workflow';
  try {
    const report = await get(`inspect?${query}&depth=${levels}`);
    inspected = report;
    $('report').hidden = false;
    const verdict = $('verdict');
    verdict.textContent = report.verdict + (report.truncated ? ' (tree truncated)' : '');
    verdict.className = `verdict ${verdictClass(report.verdict)}`;
    $('tree').replaceChildren(nodeItem(report.root, 0));
    const topic = report.root.topic || (report.root.jobs[0] && report.root.jobs[0].topic) || (report.root.dead_letter && report.root.dead_letter.topic) || '';
    if (topic) $('retry-topic').value = topic;
    const actions = state.capabilities.actions;
    $('retry').disabled = !actions || report.root.state !== 'failed';
    $('cancel').disabled = !actions || !rootIdOf(report.root) || ['completed', 'failed'].includes(report.root.state);
    $('action-result').textContent = '';
    showError('');
  } catch (e) {
    $('report').hidden = true;
    showError(`workflow: ${e.message}`);
  }
}

/** Inspects the workflow of <root> (the overview's failed roots link here). */
export function inspectRoot(root) {
  $('find-root').value = root;
  for (const id of ['find-task', 'find-args', 'find-hash']) $(id).value = '';
  setTimeout(inspect, 0);
}

async function retryRoot() {
  const topic = $('retry-topic').value.trim();
  if (!confirm(`Retry ${inspected.root.task_name || inspected.root.call_hash} on topic ${topic}?`)) return;
  try {
    const answer = await post('retry', { call_hash: inspected.root.call_hash, topic });
    $('action-result').textContent = answer.retried ? `retried under root ${answer.root_id}` : 'it has a value already: nothing to retry';
  } catch (e) { showError(`retry: ${e.message}`); }
}

async function cancelRoot() {
  const root = rootIdOf(inspected.root);
  if (!root || !confirm(`Cancel root ${root}?`)) return;
  try {
    await post('cancel', { root_id: root });
    $('action-result').textContent = `cancelled root ${root}`;
  } catch (e) { showError(`cancel: ${e.message}`); }
}

export function startWorkflow() {
  $('find').addEventListener('submit', e => { e.preventDefault(); inspect(); });
  $('retry').addEventListener('click', retryRoot);
  $('cancel').addEventListener('click', cancelRoot);
}
