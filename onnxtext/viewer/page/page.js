// onnxtext's page over Model Explorer: one graph beside its document's text (view), or two graphs side
// by side with the changes listed (diff). Each graph is Model Explorer's app in a frame of this origin;
// they talk by postMessage: the app says 'model-explorer-ready' and 'model-explorer-node-selected',
// and selects a node when sent 'model-explorer-select-node-by-node-id'.
'use strict';

const LINE = 18; // px per text line (page.css)
const token = new URLSearchParams(location.search).get('token');
// What tests and people can read: each pane's readiness, selected node and the text line shown.
const state = (window.onnxtextView = { ready: [], selected: [], line: [], session: null });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'style') Object.assign(node.style, value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// A document's text, drawing only the lines in sight (a 50,000-node document has a million lines).
class TextPanel {
  constructor(text, spans, onPick) {
    this.lines = text.split(/\r\n|\r|\n/);
    this.spans = Object.entries(spans).sort((x, y) => x[1][0] - y[1][0]); // [id, [start, end]] by start
    this.onPick = onPick;
    this.hit = [0, -1];
    this.root = el('div', { class: 'text' });
    this.root.append(el('div', { style: { height: `${this.lines.length * LINE}px` } }));
    this.shown = el('div');
    this.root.append(this.shown);
    this.root.addEventListener('scroll', () => this.draw());
    this.root.addEventListener('click', (event) => {
      const line = event.target.closest('.line');
      if (line) this.pick(Number(line.dataset.line));
    });
  }

  draw() {
    const first = Math.max(0, Math.floor(this.root.scrollTop / LINE) - 5);
    const last = Math.min(this.lines.length, first + Math.ceil(this.root.clientHeight / LINE) + 10);
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = el('div', { class: 'line', 'data-line': String(i + 1), style: { top: `${i * LINE}px` } });
      row.append(el('span', { class: 'no' }, String(i + 1)), this.lines[i]);
      if (i + 1 >= this.hit[0] && i + 1 <= this.hit[1]) row.classList.add('hit');
      rows.push(row);
    }
    this.shown.replaceChildren(...rows);
  }

  show(id) {
    const span = this.spans.find(([each]) => each === id);
    if (!span) return;
    this.hit = span[1];
    this.root.scrollTop = Math.max(0, (span[1][0] - 4) * LINE);
    this.draw();
  }

  // The nodes whose entries hold ``line``, outermost first (a body's node sits inside its If node).
  nodesAt(line) {
    return this.spans.filter(([, [start, end]]) => start <= line && line <= end).map(([id]) => id);
  }

  pick(line) {
    const ids = this.nodesAt(line);
    if (ids.length) this.onPick(ids, line);
  }
}

class Pane {
  constructor(index, spec, session) {
    this.index = index;
    this.spec = spec;
    this.root = el('section', { class: 'pane' + (session.kind === 'view' ? ' single' : '') });
    const data = JSON.stringify({ models: [{ url: `graphs://${spec.label}/${spec.graph}` }] });
    const query = new URLSearchParams({ data, renderer: 'webgl', show_open_in_new_tab: '0', token });
    this.frame = el('iframe', { src: `/?${query}`, title: spec.label });
    if (session.kind === 'diff') this.root.append(el('div', { class: 'label' }, spec.label));
    this.root.append(this.frame);
    this.text = null;
    if (spec.text) {
      // a click in the text selects the innermost node at that line that the shown graph has
      this.text = new TextPanel(spec.text, spec.spans, (ids, line) => {
        state.line[index] = line;
        for (const id of ids) this.select(id);
      });
      this.root.append(this.text.root);
    }
    state.ready[index] = false;
    state.selected[index] = null;
    state.line[index] = null;
  }

  select(id) {
    this.frame.contentWindow.postMessage({ cmd: 'model-explorer-select-node-by-node-id', nodeId: id }, location.origin);
  }

  selected(id) {
    state.selected[this.index] = id;
    if (this.text) {
      this.text.show(id);
      const span = this.spec.spans[id];
      if (span) state.line[this.index] = span[0];
    }
  }
}

function legend(session) {
  const box = document.getElementById('legend');
  if (session.kind !== 'diff') return;
  for (const [kind, [background, border]] of Object.entries(session.colours)) {
    box.append(el('span', { class: 'key', style: { background, borderColor: border } }, kind));
  }
}

function changeList(session, panes) {
  const list = el('nav', { class: 'changes' });
  for (const change of session.changes) {
    const [background, border] = session.colours[change.kind];
    const row = el('div', { style: { borderLeftColor: border }, title: change.lines.join('\n') }, `${change.kind}: ${change.what}`);
    row.addEventListener('click', () => change.ids.forEach((id, i) => id && panes[i].select(id)));
    row.style.background = background;
    list.append(row);
  }
  if (session.more) list.append(el('div', {}, `${session.more} more changes`));
  return list;
}

async function main() {
  const session = await (await fetch(`/onnxtext/session?token=${encodeURIComponent(token)}`)).json();
  state.session = session;
  document.getElementById('title').textContent = session.title;
  document.title = `${session.title} - onnxtext`;
  legend(session);
  const panes = session.panes.map((spec, i) => new Pane(i, spec, session));
  const main = document.getElementById('panes');
  if (session.kind === 'diff') main.append(changeList(session, panes));
  main.append(...panes.map((pane) => pane.root));
  panes.forEach((pane) => pane.text && pane.text.draw());
  // the node a pane selected on request, so that its echo is not sent back to the other pane
  const echo = panes.map(() => null);
  window.addEventListener('message', (event) => {
    const from = panes.findIndex((pane) => pane.frame.contentWindow === event.source);
    if (from < 0 || !event.data) return;
    const { cmd, nodeId } = event.data;
    if (cmd === 'model-explorer-ready') {
      state.ready[from] = true;
      const waiting = state.ready.filter((ready) => !ready).length;
      document.getElementById('status').textContent = waiting ? 'loading…' : 'ready';
    } else if (cmd === 'model-explorer-node-selected') {
      panes[from].selected(nodeId);
      if (echo[from] === nodeId) {
        echo[from] = null;
        return;
      }
      const partner = session.partners ? session.partners[from][nodeId] : null;
      if (partner) {
        const other = 1 - from;
        echo[other] = partner;
        panes[other].select(partner);
      }
    }
  });
}

main();
