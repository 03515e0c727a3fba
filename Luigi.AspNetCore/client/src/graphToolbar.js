// The tools over the job-net: how to group it, a search by task id, and the focus view's controls. Built with
// DOM calls and textContent only: task ids and parameter names never become markup.
import { modeName } from './views.js';

const DEPTHS = [1, 2, 3, 5, 10];

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'testid') e.dataset.testid = v;
    else if (k === 'text') e.textContent = v;
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

/** The toolbar's element and `update(state)`, `found(text)`; the callbacks are called on the user's choices. */
export function createToolbar({ onMode, onSearch, onFocus, onFocusDepth, onUnfocus }) {
  const grouping = el('select', { testid: 'graph-grouping', title: 'How the graph is grouped' });
  const search = el('input', { type: 'search', testid: 'graph-search', placeholder: 'Find a task id', 'aria-label': 'Find a task id', size: 16 });
  const form = el('form', { className: 'graph-search', role: 'search' }, search);
  const found = el('span', { className: 'graph-found', testid: 'graph-search-result', 'aria-live': 'polite' });
  const focus = el('button', { type: 'button', testid: 'graph-focus', text: 'Focus', title: 'Show the selected task with its upstream and downstream', disabled: true });
  const depth = el('select', { testid: 'graph-focus-depth', title: 'Steps upstream and downstream' });
  for (const d of DEPTHS) depth.append(el('option', { value: String(d), text: `${d} step${d === 1 ? '' : 's'}` }));
  depth.value = '2';
  const unfocus = el('button', { type: 'button', testid: 'graph-unfocus', text: 'Whole graph', hidden: true });
  const element = el('div', { className: 'graph-tools', testid: 'graph-tools' },
    el('label', {}, 'Group ', grouping), form, found, focus, depth, unfocus);

  let params = [];
  function options(mode, used) {
    const wanted = ['auto', 'family', 'depth', ...params.map(p => `param:${p}`), 'tasks'];
    grouping.replaceChildren(...wanted.map(m => el('option', {
      value: m,
      text: m === 'auto' ? `Automatic${used && mode === 'auto' ? ` (${modeName(used)})` : ''}` : m === 'tasks' ? 'Every task' : `By ${modeName(m)}`,
    })));
    grouping.value = mode;
  }

  // The tools sit inside Cytoscape's container, which listens for presses on it: a press on a tool is not a tap on
  // the graph's background (that would clear the selection the Focus button acts on).
  for (const type of ['mousedown', 'touchstart', 'pointerdown', 'wheel', 'dblclick']) {
    element.addEventListener(type, e => e.stopPropagation(), { passive: true });
  }
  grouping.addEventListener('change', () => onMode(grouping.value));
  form.addEventListener('submit', e => { e.preventDefault(); onSearch(search.value); });
  focus.addEventListener('click', () => onFocus());
  depth.addEventListener('change', () => onFocusDepth(Number(depth.value)));
  unfocus.addEventListener('click', () => onUnfocus());

  return {
    element,
    update(state) {
      if ('params' in state) params = state.params;
      if ('mode' in state) options(state.mode, state.used);
      if ('canFocus' in state) focus.disabled = !state.canFocus;
      if ('focus' in state) unfocus.hidden = !state.focus;
      if ('focusDepth' in state) depth.value = String(state.focusDepth);
    },
    found(text) { found.textContent = text; },
  };
}
