// onnxtext's page over Model Explorer: one graph beside its document's text (view), two graphs side by
// side with the changes listed (diff), or either of them in an editor's graph view (editor), which hands
// the page its graphs. Each graph is Model Explorer's app in a frame of this origin; they talk by
// postMessage: the app says 'model-explorer-ready' and 'model-explorer-node-selected', selects a node
// when sent 'model-explorer-select-node-by-node-id' and shows the graphs sent with
// 'model-explorer-load-graph-collections'.
//
// In an editor, this page's parent (the webview) sends 'onnxtext-show' (the language server's answer to
// onnxtext/graph: the graphs and each node's lines) and 'onnxtext-cursor' (the line of the editor's
// cursor, whose node is selected), and hears 'onnxtext-page-ready' and 'onnxtext-selected' (a node
// selected in a graph, with its lines and its partner's, for the editor to move its cursor there).
'use strict';

const LINE = 18; // px per text line (page.css)
const RETRY = 300; // ms between two requests to select a node, until the app says what it selected
const TRIES = 100; // a graph of 50,000 nodes takes the app seconds to lay out before it can select
const token = new URLSearchParams(location.search).get('token');
// What tests and people can read: each pane's readiness, selected node and the text line shown, what the
// page shows, and how many graphs the panes were given (an editor's view reloads them after an edit).
const state = (window.onnxtextView = { ready: [], selected: [], line: [], session: null, loads: [] });
let embedded = false; // in an editor's graph view (the session the server gives is 'editor')

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'style') Object.assign(node.style, value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// The nodes whose entries hold ``line``, outermost first (a body's node sits inside its If node): the
// app selects the last of them that the graph on screen has.
function nodesAt(spans, line) {
  return Object.entries(spans)
    .filter(([, [start, end]]) => start <= line && line <= end)
    .sort((x, y) => x[1][0] - y[1][0])
    .map(([id]) => id);
}

// A document's text, drawing only the lines in sight (a 50,000-node document has a million lines).
class TextPanel {
  constructor(text, spans, onPick) {
    this.lines = text.split(/\r\n|\r|\n/);
    this.spans = spans;
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
    const span = this.spans[id];
    if (!span) return;
    this.hit = span;
    this.root.scrollTop = Math.max(0, (span[0] - 4) * LINE);
    this.draw();
  }

  pick(line) {
    const ids = nodesAt(this.spans, line);
    if (ids.length) this.onPick(ids, line);
  }
}

class Pane {
  constructor(index, spec, kind) {
    this.index = index;
    this.spec = spec;
    this.root = el('section', { class: 'pane' + (kind === 'view' ? ' single' : '') });
    const data = JSON.stringify({ models: [{ url: `graphs://${spec.label}/${spec.graph}` }] });
    const query = new URLSearchParams({ data, renderer: 'webgl', show_open_in_new_tab: '0', token });
    this.frame = el('iframe', { src: `/?${query}`, title: spec.label });
    if (kind === 'diff') this.root.append(el('div', { class: 'label' }, spec.label));
    this.root.append(this.frame);
    this.text = null;
    if (spec.text) {
      // a click in the text selects the innermost node at that line that the shown graph has
      this.text = new TextPanel(spec.text, spec.spans, (ids, line) => {
        state.line[index] = line;
        this.select(ids, true);
      });
      this.root.append(this.text.root);
    }
    this.graphs = null; // graph collection to hand the app once it is ready (an editor's)
    this.wanted = null; // the nodes asked for, asked again until the app selects one
    this.asked = null; // the nodes asked for but by a person (the cursor, a partner): not told back
    state.ready[index] = false;
    state.selected[index] = null;
    state.line[index] = null;
    state.loads[index] = 0;
  }

  post(message) {
    this.frame.contentWindow.postMessage(message, location.origin);
  }

  ready() {
    state.ready[this.index] = true;
    if (this.graphs) this.load(this.graphs);
  }

  // Shows ``graphs`` in place of the graph on screen (the app lays it out anew).
  load(graphs) {
    this.graphs = graphs;
    if (!state.ready[this.index]) return;
    this.post({ cmd: 'model-explorer-load-graph-collections', graphCollections: graphs, fileName: this.spec.label });
    state.loads[this.index] += 1;
  }

  // Asks the app to select ``ids`` (outermost first: it selects the last its graph on screen has), again
  // and again while it is not ready or still laying out a graph it was given, until it selects a node.
  // ``byPerson``: a click on the page (a line, a change) rather than the editor's cursor or a partner.
  select(ids, byPerson = false) {
    this.asked = byPerson ? null : ids;
    const wanted = (this.wanted = ids);
    let tries = 0;
    const ask = () => {
      if (this.wanted !== wanted || tries++ >= TRIES) return;
      for (const id of ids) this.post({ cmd: 'model-explorer-select-node-by-node-id', nodeId: id });
      setTimeout(ask, RETRY);
    };
    ask();
  }

  selected(id) {
    this.wanted = null;
    state.selected[this.index] = id;
    const span = this.spec.spans[id];
    if (span) state.line[this.index] = span[0];
    if (this.text) this.text.show(id);
  }
}

function legend(session) {
  const box = document.getElementById('legend');
  box.replaceChildren();
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
    row.addEventListener('click', () => change.ids.forEach((id, i) => id && panes[i].select([id], true)));
    row.style.background = background;
    list.append(row);
  }
  if (session.more) list.append(el('div', {}, `${session.more} more changes`));
  return list;
}

// What is on screen: the session shown, its panes, and for each pane the node it selected on request of
// the other (its partner), whose echoes are not sent back.
const shown = { session: null, panes: [], echo: [], changes: null };

function show(session) {
  state.session = session;
  document.getElementById('title').textContent = session.title;
  document.title = `${session.title} - onnxtext`;
  legend(session);
  const main = document.getElementById('panes');
  const same = shown.session && shown.session.kind === session.kind && shown.panes.length === session.panes.length;
  if (same) {
    // an edit in the editor: the same apps take the new graphs (no reload, no layout lost but the app's)
    shown.panes.forEach((pane, i) => (pane.spec = session.panes[i]));
  } else {
    shown.panes = session.panes.map((spec, i) => new Pane(i, spec, session.kind));
    shown.echo = shown.panes.map(() => null);
    main.replaceChildren(...shown.panes.map((pane) => pane.root));
    shown.changes = null;
    shown.panes.forEach((pane) => pane.text && pane.text.draw());
  }
  shown.session = session;
  if (session.kind === 'diff') {
    const list = changeList(session, shown.panes);
    if (shown.changes) shown.changes.replaceWith(list);
    else main.prepend(list);
    shown.changes = list;
  }
  if (session.collections) {
    shown.panes.forEach((pane) => pane.load(session.collections[pane.spec.graph]));
  }
  if (session.cursor) shown.panes[session.editing].select([session.cursor]);
}

function fromApp(from, data) {
  const { panes, echo, session } = shown;
  if (data.cmd === 'model-explorer-ready') {
    panes[from].ready();
    const waiting = state.ready.filter((ready) => !ready).length;
    document.getElementById('status').textContent = waiting ? 'loading…' : 'ready';
  } else if (data.cmd === 'model-explorer-node-selected') {
    const nodeId = data.nodeId;
    const pane = panes[from];
    // what the editor's cursor or the other pane asked for (the app may say so more than once, late,
    // after a layout) is not told to the editor: it would move a cursor that has moved on since
    const asked = pane.asked !== null && pane.asked.includes(nodeId);
    if (!asked) pane.asked = null;
    pane.selected(nodeId);
    // the partner of a node selected in the other pane
    if (echo[from] === nodeId) return;
    echo[from] = null;
    const other = 1 - from;
    const partner = session.partners ? session.partners[from][nodeId] : null;
    if (partner) {
      echo[other] = partner;
      panes[other].select([partner]);
    }
    if (embedded && !asked) {
      const lines = (index, id) => panes[index].spec.spans[id] || null;
      window.parent.postMessage(
        {
          type: 'onnxtext-selected',
          pane: from,
          id: nodeId,
          lines: lines(from, nodeId),
          partner: partner ? { pane: other, id: partner, lines: lines(other, partner) } : null,
        },
        '*',
      );
    }
  }
}

// The editor's messages: what to show, and where its cursor is.
function fromEditor(data) {
  if (data.type === 'onnxtext-show') {
    show(data.session);
  } else if (data.type === 'onnxtext-cursor' && shown.session) {
    const pane = shown.panes[shown.session.editing];
    const ids = nodesAt(pane.spec.spans, data.line);
    if (ids.length) pane.select(ids);
  }
}


async function main() {
  const session = await (await fetch(`/onnxtext/session?token=${encodeURIComponent(token)}`)).json();
  embedded = session.kind === 'editor';
  window.addEventListener('message', (event) => {
    if (!event.data) return;
    if (embedded && event.source === window.parent) return fromEditor(event.data);
    const from = shown.panes.findIndex((pane) => pane.frame.contentWindow === event.source);
    if (from >= 0) fromApp(from, event.data);
  });
  if (embedded) {
    document.getElementById('status').textContent = 'waiting for the editor…';
    window.parent.postMessage({ type: 'onnxtext-page-ready' }, '*');
  } else {
    show(session);
  }
}

main();
