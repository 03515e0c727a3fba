// One SignalR connection per page to /hubs/live, shared by every mounted graph and timeline.
import { HubConnectionBuilder, HubConnectionState, LogLevel } from '@microsoft/signalr';
import { getJson, runUrl } from './states.js';

let connection = null;
let everFailed = false;
let retryTimer = 0;
const watchers = new Map();       // run id (lower case) -> Set of { tasks(changes), resync(detail) }
const runListeners = new Set();

const key = runId => String(runId).toLowerCase();

function ensureConnection() {
  if (!connection) {
    connection = new HubConnectionBuilder()
      .withUrl(new URL('hubs/live', document.baseURI).href) // under the path the dashboard is mapped at
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: c => 1000 * 2 ** Math.min(c.previousRetryCount, 5) })
      .configureLogging(LogLevel.Warning)
      .build();
    connection.on('tasks', onTasks);
    connection.on('runs', runs => { for (const l of runListeners) l(runs); });
    connection.on('resync', () => { resyncAll(true); });
    connection.onreconnecting(() => { watching.clear(); });
    connection.onreconnected(() => { resyncAll(); });
    connection.onclose(() => { watching.clear(); everFailed = true; scheduleStart(); });
  }
  if (connection.state === HubConnectionState.Disconnected && !retryTimer) start();
  return connection;
}

let starting = null;             // the current start attempt, settled when it succeeds or fails

function start() {
  clearTimeout(retryTimer);
  retryTimer = 0;
  if (!connection || connection.state !== HubConnectionState.Disconnected) return starting;
  starting = connection.start().then(() => {
    if (everFailed) resyncAll();
    else for (const runId of watchers.keys()) watchRun(runId);
  }, () => {
    everFailed = true;
    scheduleStart();
  });
  return starting;
}

function scheduleStart() {
  if (watchers.size === 0 && runListeners.size === 0) return;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(start, 5000);
}

// Runs the hub watches on the current connection: WatchRun is invoked once per run and connection.
const watching = new Map();

function watchRun(runId, again = false) {
  let p = watching.get(runId);
  if (!p || again) {
    p = connection.invoke('WatchRun', runId).catch(() => { watching.delete(runId); });
    watching.set(runId, p);
  }
  return p;
}

function onTasks(changes) {
  if (!Array.isArray(changes) || changes.length === 0) return;
  const byRun = new Map();
  for (const c of changes) {
    const k = key(c.runId);
    if (!byRun.has(k)) byRun.set(k, []);
    byRun.get(k).push(c);
  }
  for (const [k, list] of byRun) for (const w of watchers.get(k) ?? []) w.tasks(list);
}

function resyncAll(again = false) {
  for (const runId of watchers.keys()) resync(runId, again);
}

async function resync(runId, again) {
  if (connection?.state === HubConnectionState.Connected) await watchRun(runId, again);
  let detail;
  try { detail = await getJson(runUrl(runId)); } catch { return; }
  for (const w of watchers.get(runId) ?? []) w.resync(detail);
}

/**
 * Follows one run: resolves once the hub watches it, or once the hub could not be reached (or after `waitMs`),
 * in which case a later start watches and re-reads the run. Returns a function that stops following.
 */
export async function watch(runId, listener, waitMs = 1500) {
  const k = key(runId);
  ensureConnection();
  let set = watchers.get(k);
  if (!set) watchers.set(k, set = new Set());
  set.add(listener);
  const stop = () => {
    set.delete(listener);
    if (set.size === 0 && watchers.get(k) === set) watchers.delete(k);   // the hub has no UnwatchRun: it keeps sending
  };
  if (connection.state !== HubConnectionState.Connected && starting) {
    await Promise.race([starting, new Promise(resolve => setTimeout(resolve, waitMs))]);
  }
  if (connection.state === HubConnectionState.Connected) await watchRun(k);
  return stop;
}

/**
 * Calls `callback` with every "runs" message (an array of { runId, pipeline, state, at }). `callback` is a
 * function, or a DotNetObjectReference whose [JSInvokable] method "OnRuns" is called. Returns { dispose() }.
 */
export function onRuns(callback) {
  const listener = typeof callback === 'function'
    ? callback
    : runs => callback?.invokeMethodAsync?.('OnRuns', runs).catch(() => { });
  runListeners.add(listener);
  ensureConnection();
  return { dispose: () => { runListeners.delete(listener); } };
}

/** The state of the page's connection: "Disconnected", "Connecting", "Connected", "Disconnecting" or "Reconnecting". */
export function connectionState() {
  return connection ? connection.state : HubConnectionState.Disconnected;
}
