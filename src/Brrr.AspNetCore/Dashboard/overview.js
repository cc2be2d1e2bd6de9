// Overview: topics and consumers refreshed every 2 s; the failed roots of the last hour, which read every dead letter,
// every 10 s.
import { $, el, get, showError, ago, time } from './common.js';

const topicsEvery = 2000;
const failedEvery = 10000;
let timer = null;
let failedAt = 0;

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

async function refreshTopics() {
  const topics = await get('topics');
  const rows = $('topics').tBodies[0];
  const consumers = $('consumers').tBodies[0];
  rows.replaceChildren();
  consumers.replaceChildren();
  for (const t of topics) {
    // Acknowledgements per second in each bucket the consumers' heartbeats carry; none from older consumers.
    const perSecond = t.throughput ? t.throughput.counts.map(c => c / t.throughput.bucket_seconds) : [];
    const alive = t.consumers.filter(c => c.alive).length;
    rows.append(el('tr', { 'data-topic': t.topic },
      el('td', { text: t.topic }), el('td', { class: 'num waiting', text: String(t.waiting) }),
      el('td', { class: 'num', text: String(t.in_flight) }), el('td', { class: 'num', text: String(alive) }),
      el('td', { class: 'num', text: String(t.consumers.length - alive) }), el('td', { class: 'num dead-letters', text: String(t.dead_letters) }),
      el('td', { class: 'num rate', text: t.rate_per_minute == null ? 'n/a' : (t.rate_per_minute / 60).toFixed(1) }),
      el('td', {}, perSecond.length ? sparkline(perSecond) : el('span', { class: 'muted', text: 'n/a' }))));
    for (const c of t.consumers) {
      consumers.append(el('tr', { 'data-consumer': c.id }, el('td', { text: t.topic }), el('td', { text: c.id }), el('td', { class: 'num', text: String(c.held) }),
        el('td', { text: c.alive ? 'alive' : 'expired' }), el('td', { class: 'heartbeat', text: ago(c.since_heartbeat_ms) }),
        el('td', { class: 'num', text: c.acks_per_minute == null ? 'n/a' : String(c.acks_per_minute) })));
    }
  }
  if (topics.length === 0) rows.append(el('tr', {}, el('td', { colspan: '8', class: 'muted', text: 'no topics: nothing waits, nobody consumes' })));
}

async function refreshFailedRoots(inspectRoot) {
  const since = new Date(Date.now() - 3600_000).toISOString();
  const failed = await get(`dead-letters?since=${encodeURIComponent(since)}&limit=1000`);
  const roots = new Map();
  for (const l of failed.letters) if (l.root_id && !roots.has(l.root_id)) roots.set(l.root_id, l);
  const body = $('failed-roots').tBodies[0];
  body.replaceChildren();
  for (const [root, l] of roots) {
    const link = el('a', { href: '#workflow', text: 'inspect' });
    link.addEventListener('click', () => inspectRoot(root));
    body.append(el('tr', { 'data-root': root }, el('td', { text: time(l.failed_at) }), el('td', { text: root }), el('td', { text: l.task || '?' }),
      el('td', { text: `${l.error_type}: ${l.error}` }), el('td', {}, link)));
  }
  if (roots.size === 0) body.append(el('tr', {}, el('td', { colspan: '5', class: 'muted', text: 'none' })));
}

async function refresh(inspectRoot) {
  try {
    await refreshTopics();
    if (Date.now() - failedAt >= failedEvery) {
      failedAt = Date.now();
      await refreshFailedRoots(inspectRoot);
    }
    $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
    showError('');
  } catch (e) {
    showError(`overview: ${e.message}`);
  }
}

export function startOverview(inspectRoot) {
  stopOverview();
  failedAt = 0;
  refresh(inspectRoot);
  timer = setInterval(() => refresh(inspectRoot), topicsEvery);
}

export function stopOverview() {
  clearInterval(timer);
  timer = null;
}
