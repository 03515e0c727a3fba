// Left-to-right layered layout by elkjs, in a Web Worker (docs/graph-layout.md gives the options' reasons).
import ELK from 'elkjs/lib/elk-api.js';
import { layeredLayout } from './layered.js';

/** elkjs lays out views up to this many nodes plus edges (about 1.5–2.5 ms each on 2 vCPUs; docs/benchmarks.md). */
export const ELK_COST_MAX = 1000;
/** How long elkjs may take before the layered layout is used instead. */
export const ELK_BUDGET_MS = 2000;

const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.spacing.nodeNode': '8',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE',
  'elk.edgeRouting': 'POLYLINE',
  'elk.separateConnectedComponents': 'false',
};

const workerUrl = new URL('./elk-worker.min.js', import.meta.url).href;

/**
 * A layout engine owning one worker; `layout` returns the centre of every node by id. It rejects when the worker
 * fails (its script could not be loaded, for one), instead of waiting for an answer that will never come.
 */
let warm = null;

/**
 * Starts a layout worker ahead of need (loading and compiling elkjs takes about a second on a small machine) so
 * that the next `createLayout` finds it ready. Does nothing when one is waiting already.
 */
export function prewarmLayout() {
  if (warm) return;
  warm = startLayout();
  warm.layout([{ id: 'warm-up', width: 1, height: 1 }], []).catch(() => { });
}

/** A layout engine: the one started by `prewarmLayout` when there is one, else a new one. */
export function createLayout() {
  const engine = warm ?? startLayout();
  warm = null;
  return engine;
}

function startLayout() {
  let elk = null, fail = null, failed = null;
  function start() {
    failed = new Promise((_, reject) => { fail = reject; });
    failed.catch(() => { });
    elk = new ELK({
      workerFactory: () => {
        const worker = new Worker(workerUrl);
        worker.addEventListener('error', e => fail(new Error(`layout worker failed: ${e.message || workerUrl}`)));
        return worker;
      },
    });
  }
  start();
  return {
    /**
     * Centres of `nodes` by id, and which layout made them: elkjs when the view's nodes plus edges are at most
     * `elkCostMax` and it answers within `budgetMs` (`wrapTo`: an aspect ratio to wrap a long drawing to); otherwise the layered layout of layered.js (a late elkjs is
     * stopped, and a new worker started for the next view).
     */
    async layout(nodes, edges, { budgetMs = ELK_BUDGET_MS, elkCostMax = ELK_COST_MAX, wrapTo = null } = {}) {
      if (nodes.length + edges.length > elkCostMax) return { positions: layeredLayout(nodes, edges), by: 'layered' };
      elk ??= (start(), elk);
      const graph = {
        id: 'root',
        // A long chain of groups (a run grouped by depth) is wrapped into rows of about the view's proportions.
        layoutOptions: wrapTo ? { ...OPTIONS, 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.aspectRatio': String(wrapTo) } : OPTIONS,
        children: nodes.map(n => ({ id: n.id, width: n.width, height: n.height })),
        edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
      };
      let timer = 0;
      const late = new Promise(resolve => { timer = setTimeout(() => resolve(null), budgetMs); });
      const result = await Promise.race([elk.layout(graph), failed, late]).finally(() => clearTimeout(timer));
      if (!result) {
        elk.terminateWorker();
        elk = null;
        return { positions: layeredLayout(nodes, edges), by: 'layered' };
      }
      const positions = new Map();
      for (const c of result.children) positions.set(c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 });
      return { positions, by: 'elk' };
    },
    dispose() { elk?.terminateWorker(); },
  };
}
