// Task states, their colours and the order rule shared by the graph and the timeline.

export const STATES = ['Pending', 'Running', 'RetryWaiting', 'Done', 'Complete', 'Failed', 'UpstreamFailed', 'Cancelled', 'Waiting'];

const FALLBACK = {
  Pending: '#9aa4b2', Running: '#2f7fd8', RetryWaiting: '#e0a526', Done: '#2e9d5b',
  Complete: '#8cc7a1', Failed: '#d64545', UpstreamFailed: '#b07aa1', Cancelled: '#6e6e6e', Waiting: '#7a8fd6',
};

/**
 * Reads the state colours from the CSS custom properties `--state-<state in lower case>` as they apply to
 * `element`, so that the page's one set of colours (and its dark mode) is used. A value the canvas libraries
 * cannot take (anything but `#hex` or `rgb()` once resolved) falls back to a default.
 */
export function readColors(element) {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  element.appendChild(probe);
  try {
    const colors = {};
    for (const state of STATES) {
      probe.style.color = '';
      probe.style.color = `var(--state-${state.toLowerCase()}, ${FALLBACK[state]})`;
      colors[state] = usable(getComputedStyle(probe).color) ?? FALLBACK[state];
    }
    colors.text = usable(getComputedStyle(element).color) ?? '#222222';
    const surface = usable(getComputedStyle(element).backgroundColor);
    colors.surface = surface && !/^rgba\(.*,\s*0\)$/.test(surface) ? surface : (luminance(colors.text) > 0.5 ? '#1c2128' : '#ffffff');
    colors.labelOn = Object.fromEntries(STATES.map(s => [s, luminance(colors[s]) > 0.45 ? '#111111' : '#ffffff']));
    return colors;
  } finally {
    probe.remove();
  }
}

function usable(value) {
  const v = (value || '').trim();
  return /^(#[0-9a-f]{3,8}|rgba?\([^)]*\))$/i.test(v) ? v : null;
}

function luminance(color) {
  let r, g, b;
  const m = color.match(/rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i);
  if (m) [r, g, b] = [m[1], m[2], m[3]].map(Number);
  else {
    let h = color.slice(1);
    if (h.length <= 4) h = [...h].map(c => c + c).join('');
    [r, g, b] = [0, 2, 4].map(i => parseInt(h.slice(i, i + 2), 16));
  }
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/**
 * The order of a task that is at `attempt` in `state`: it only grows within a run, so a change is applied only when
 * its order is above the one held. The same function as LiveTaskChange.OrderOf on the server (docs/live.md): five steps
 * per attempt, attempt first; within attempt a: waiting (0, before any attempt), running (2), ended (3), back in the
 * queue (4: Pending after an attempt, its lease lost or suspended for tasks it required at run time). What comes instead of the next attempt ranks in the next one's steps: waiting for
 * another run's attempt of the task id (1), found complete (3), cancelled (4). Blocked (UpstreamFailed) ranks above
 * everything: it is final and its change does not know the attempts made. Both sides pass
 * Luigi.AspNetCore/Live/live-order-cases.json.
 */
export function order(attempt, state) {
  if (state === 'UpstreamFailed') return Number.MAX_SAFE_INTEGER;
  const a = attempt || 0;
  const step = state === 'Pending' ? (a > 0 ? 4 : 0)
    : state === 'Running' ? 2
      : state === 'Waiting' ? 6
        : state === 'Complete' ? 8
          : state === 'Cancelled' ? 9 : 3;
  return a * 5 + step;
}

/** Whether a change to `state` at `attempt` replaces what a task holds (its state and order): its order is above. */
export function supersedes(heldState, heldOrder, attempt, state) {
  return order(attempt, state) > heldOrder;
}

/** Calls `method` on a DotNetObjectReference, if any, ignoring a reference already disposed. */
export function callDotNet(dotnet, method, ...args) {
  if (!dotnet || typeof dotnet.invokeMethodAsync !== 'function') return;
  dotnet.invokeMethodAsync(method, ...args).catch(() => { });
}

/** Reads JSON from the host; concurrent reads of one URL share one request. */
const inFlight = new Map();
export function getJson(url) {
  let p = inFlight.get(url);
  if (!p) {
    p = fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(r => { if (!r.ok) throw new Error(`GET ${url}: ${r.status}`); return r.json(); })
      .finally(() => inFlight.delete(url));
    inFlight.set(url, p);
  }
  return p;
}

export const runUrl = runId => `api/runs/${encodeURIComponent(runId)}`;
