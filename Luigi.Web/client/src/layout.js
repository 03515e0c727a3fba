// Left-to-right layered layout by elkjs, in a Web Worker (docs/graph-layout.md gives the options' reasons).
import ELK from 'elkjs/lib/elk-api.js';

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
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  failed.catch(() => { });
  const elk = new ELK({
    workerFactory: () => {
      const worker = new Worker(workerUrl);
      worker.addEventListener('error', e => fail(new Error(`layout worker failed: ${e.message || workerUrl}`)));
      return worker;
    },
  });
  return {
    async layout(nodes, edges) {
      const graph = {
        id: 'root',
        layoutOptions: OPTIONS,
        children: nodes.map(n => ({ id: n.id, width: n.width, height: n.height })),
        edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
      };
      const result = await Promise.race([elk.layout(graph), failed]);
      const positions = new Map();
      for (const c of result.children) positions.set(c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 });
      return positions;
    },
    dispose() { elk.terminateWorker(); },
  };
}
