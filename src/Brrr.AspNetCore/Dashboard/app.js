'use strict';
// The brrr dashboard: a client of the admin API under ./api (MapBrrrAdmin's endpoints). Every text from the server
// goes into the page through textContent, never as HTML.
(() => {
  const api = 'api/';
  const pageSize = 50;
  const openDepth = 2;
  let capabilities = { actions: false, antiforgery_token: null };
  let offset = 0;
  let overviewTimer = null;

  const $ = id => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };

  function showError(message) {
    const box = $('error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  async function get(path) {
    const response = await fetch(api + path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
    return body;
  }

  async function post(path, body) {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (capabilities.antiforgery_token) headers.RequestVerificationToken = capabilities.antiforgery_token;
    const response = await fetch(api + path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || `${response.status} ${response.statusText}`);
    return answer;
  }

  const ago = ms => ms == null ? 'none' : `${(ms / 1000).toFixed(1)} s ago`;
  const time = iso => iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';

  function sparkline(values) {
    const w = 120, h = 22, max = Math.max(1, ...values);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('class', 'spark');
    const line = document.createElementNS(ns, 'polyline');
    const step = values.length > 1 ? w / (values.length - 1) : w;
    line.setAttribute('points', values.map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (v / max) * (h - 2)).toFixed(1)}`).join(' '));
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#2c7be5'); line.setAttribute('stroke-width', '1.5');
    svg.append(line);
    return svg;
  }

  // Overview: topics, consumers and the failed roots of the last hour, refreshed every 2 s.
  async function refreshOverview() {
    try {
      const topics = await get('topics');
      const rows = $('topics').tBodies[0];
      const consumers = $('consumers').tBodies[0];
      rows.replaceChildren();
      consumers.replaceChildren();
      for (const t of topics) {
        // Acknowledgements per second in each bucket the consumers' heartbeats carry; none from older consumers.
        const perSecond = t.throughput ? t.throughput.counts.map(c => c / t.throughput.bucket_seconds) : [];
        const alive = t.consumers.filter(c => c.alive).length;
        const row = el('tr', { 'data-topic': t.topic },
          el('td', { text: t.topic }), el('td', { class: 'num waiting', text: String(t.waiting) }),
          el('td', { class: 'num', text: String(t.in_flight) }), el('td', { class: 'num', text: String(alive) }),
          el('td', { class: 'num', text: String(t.consumers.length - alive) }), el('td', { class: 'num dead-letters', text: String(t.dead_letters) }),
          el('td', { class: 'num rate', text: t.rate_per_minute == null ? 'n/a' : (t.rate_per_minute / 60).toFixed(1) }),
          el('td', {}, perSecond.length ? sparkline(perSecond) : el('span', { class: 'muted', text: 'n/a' })));
        rows.append(row);
        for (const c of t.consumers) {
          consumers.append(el('tr', {}, el('td', { text: t.topic }), el('td', { text: c.id }), el('td', { class: 'num', text: String(c.held) }),
            el('td', { text: c.alive ? 'alive' : 'expired' }), el('td', { text: ago(c.since_heartbeat_ms) }),
            el('td', { class: 'num', text: c.acks_per_minute == null ? 'n/a' : String(c.acks_per_minute) })));
        }
      }
      if (topics.length === 0) rows.append(el('tr', {}, el('td', { colspan: '8', class: 'muted', text: 'no topics: nothing waits, nobody consumes' })));
      const since = new Date(Date.now() - 3600_000).toISOString();
      const failed = await get(`dead-letters?since=${encodeURIComponent(since)}&limit=1000`);
      const roots = new Map();
      for (const l of failed.letters) if (l.root_id && !roots.has(l.root_id)) roots.set(l.root_id, l);
      const body = $('failed-roots').tBodies[0];
      body.replaceChildren();
      for (const [root, l] of roots) {
        const link = el('a', { href: '#workflow', text: 'inspect' });
        link.addEventListener('click', () => { $('find-root').value = root; $('find-task').value = ''; $('find-args').value = ''; $('find-hash').value = ''; setTimeout(inspect, 0); });
        body.append(el('tr', { 'data-root': root }, el('td', { text: time(l.failed_at) }), el('td', { text: root }), el('td', { text: l.task || '?' }),
          el('td', { text: `${l.error_type}: ${l.error}` }), el('td', {}, link)));
      }
      if (roots.size === 0) body.append(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: 'none' })));
      $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
      showError('');
    } catch (e) {
      showError(`overview: ${e.message}`);
    }
  }

  // Workflow: the inspector's tree, drawn lazily: a node's children are built when it is first opened.
  function nodeItem(node, depth) {
    const args = node.arguments == null ? '' : typeof node.arguments === 'string' ? node.arguments : JSON.stringify(node.arguments);
    const label = node.task_name ? `${node.task_name} ${args}` : node.call_hash;
    const head = [el('span', { class: `state state-${node.state}`, text: node.state }), el('span', { class: 'node-label', text: label }), ' ',
      el('span', { class: 'detail', text: node.detail + (node.parents && node.parents.length ? ` · ${node.parents.length} waiting parent(s)` : '') })];
    const item = el('li', { 'data-hash': node.call_hash, 'data-state': node.state });
    const chain = node.error && node.error.chain ? node.error.chain : [];
    const extra = chain.map(c => el('div', { class: 'chain', text: `${c.task} ${c.call_hash}: ${c.error_type}: ${c.message}` }));
    if (!node.children || node.children.length === 0) {
      item.append(...head, ...extra);
      return item;
    }
    const details = el('details');
    const summary = el('summary', {}, ...head);
    details.append(summary, ...extra);
    let built = false;
    const build = () => {
      if (built) return;
      built = true;
      details.append(el('ul', {}, ...node.children.map(c => nodeItem(c, depth + 1))));
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

  let inspected = null;
  async function inspect() {
    const hash = $('find-hash').value.trim(), root = $('find-root').value.trim(), task = $('find-task').value.trim();
    let query;
    if (root) query = `root_id=${encodeURIComponent(root)}`;
    else if (hash) query = `call_hash=${encodeURIComponent(hash)}`;
    else if (task) query = `task=${encodeURIComponent(task)}&args=${encodeURIComponent($('find-args').value.trim() || '{}')}`;
    else { showError('workflow: give a task with its args, a call hash or a root id'); return; }
    location.hash = 'workflow';
    try {
      const report = await get(`inspect?${query}`);
      inspected = report;
      $('report').hidden = false;
      const verdict = $('verdict');
      verdict.textContent = report.verdict + (report.truncated ? ' (tree truncated)' : '');
      verdict.className = `verdict ${verdictClass(report.verdict)}`;
      $('tree').replaceChildren(nodeItem(report.root, 0));
      const topic = report.root.topic || (report.root.jobs[0] && report.root.jobs[0].topic) || (report.root.dead_letter && report.root.dead_letter.topic) || '';
      if (topic) $('retry-topic').value = topic;
      $('retry').disabled = !capabilities.actions || report.root.state !== 'failed';
      $('cancel').disabled = !capabilities.actions || !rootIdOf(report.root) || ['completed', 'failed'].includes(report.root.state);
      $('action-result').textContent = '';
      showError('');
    } catch (e) {
      $('report').hidden = true;
      showError(`workflow: ${e.message}`);
    }
  }

  function rootIdOf(node) {
    if ($('find-root').value.trim()) return $('find-root').value.trim();
    const job = node.jobs.find(j => j.root_id);
    return job ? job.root_id : (node.roots && node.roots[0]) || (node.dead_letter && node.dead_letter.root_id) || null;
  }

  async function retryRoot() {
    try {
      const answer = await post('retry', { call_hash: inspected.root.call_hash, topic: $('retry-topic').value.trim() });
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

  // Dead letters: a filtered, paged table; requeue or purge a selection.
  function letterQuery() {
    const q = new URLSearchParams();
    for (const [id, name] of [['filter-topic', 'topic'], ['filter-task', 'task'], ['filter-root', 'root_id'], ['filter-error', 'error_type']]) {
      const v = $(id).value.trim();
      if (v) q.set(name, v);
    }
    return q;
  }

  async function refreshLetters() {
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
    let done = 0;
    try {
      for (const id of ids) done += (await post(`dead-letters/${verb}`, { id })).done;
      $('letters-result').textContent = `${verb}: ${done} of ${ids.length} done`;
    } catch (e) { showError(`${verb}: ${e.message}`); }
    await refreshLetters();
  }

  function route() {
    const name = (location.hash || '#overview').slice(1);
    for (const section of ['overview', 'workflow', 'dead-letters']) {
      $(section).hidden = section !== name;
      $(`nav-${section}`).classList.toggle('current', section === name);
    }
    clearInterval(overviewTimer);
    if (name === 'overview') { refreshOverview(); overviewTimer = setInterval(refreshOverview, 2000); }
    if (name === 'dead-letters') refreshLetters();
  }

  async function start() {
    try {
      capabilities = await get('capabilities');
    } catch (e) { showError(`capabilities: ${e.message}`); }
    $('mode').textContent = capabilities.actions ? 'actions enabled' : 'read only';
    for (const id of ['requeue-selected', 'purge-selected', 'retry', 'cancel']) {
      $(id).disabled = !capabilities.actions;
      if (!capabilities.actions) $(id).title = 'actions need the host to name an ActionPolicy, and you to meet it';
    }
    $('find').addEventListener('submit', e => { e.preventDefault(); inspect(); });
    $('letter-filter').addEventListener('submit', e => { e.preventDefault(); offset = 0; refreshLetters(); });
    $('prev').addEventListener('click', () => { offset = Math.max(0, offset - pageSize); refreshLetters(); });
    $('next').addEventListener('click', () => { offset += pageSize; refreshLetters(); });
    $('select-all').addEventListener('change', e => document.querySelectorAll('#letters input.pick').forEach(b => { b.checked = e.target.checked; }));
    $('requeue-selected').addEventListener('click', () => act('requeue'));
    $('purge-selected').addEventListener('click', () => act('purge'));
    $('retry').addEventListener('click', retryRoot);
    $('cancel').addEventListener('click', cancelRoot);
    window.addEventListener('hashchange', route);
    const params = new URLSearchParams(location.search);
    for (const [name, id] of [['task', 'find-task'], ['args', 'find-args'], ['call_hash', 'find-hash'], ['root_id', 'find-root']]) {
      if (params.get(name)) $(id).value = params.get(name);
    }
    route();
    if (location.hash === '#workflow' && [...params.keys()].length > 0) inspect();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
