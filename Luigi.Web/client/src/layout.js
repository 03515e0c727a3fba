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

/** A layout engine owning one worker; `layout` returns the centre of every node by id. */
export function createLayout() {
  const elk = new ELK({ workerUrl });
  return {
    async layout(nodes, edges) {
      const graph = {
        id: 'root',
        layoutOptions: OPTIONS,
        children: nodes.map(n => ({ id: n.id, width: n.width, height: n.height })),
        edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
      };
      const result = await elk.layout(graph);
      const positions = new Map();
      for (const c of result.children) positions.set(c.id, { x: c.x + c.width / 2, y: c.y + c.height / 2 });
      return positions;
    },
    dispose() { elk.terminateWorker(); },
  };
}
