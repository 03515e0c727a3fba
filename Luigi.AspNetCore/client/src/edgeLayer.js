// The edges of a big view drawn as plain lines on one canvas under the nodes (the cytoscape-layers plugin keeps it in
// step with pan and zoom), instead of as thousands of Cytoscape elements: adding, styling and bounding each of 5,814
// edges took about half of the time to open a group of 2,000 tasks (docs/dashboard-client.md).
import cytoscape from 'cytoscape';
import layers from 'cytoscape-layers';

cytoscape.use(layers);

/** Views with more edges than this draw them on the layer. */
export const LAYER_EDGES_ABOVE = 3000;
const OPACITY = 0.25, DIM = 0.15;   // as the stylesheet's edges and its `.dim`

/**
 * Draws `edges` (`{ source, target }` node ids) between the centres in `positions` under the nodes of `cy`, in the
 * colour `color()` returns. `light(indexes)` draws the edges of a selection at full opacity and the rest dimmed
 * (`null`: none dimmed); `update()` draws again (after a colour change).
 */
export function drawEdgesUnder(cy, edges, positions, color) {
  const ends = new Float64Array(edges.length * 4);
  edges.forEach((e, i) => {
    const a = positions.get(e.source), b = positions.get(e.target);
    ends.set([a.x, a.y, b.x, b.y], i * 4);
  });
  let lit = null;
  const stroke = (ctx, alpha, keep) => {
    ctx.beginPath();
    for (let i = 0; i < edges.length; i++) {
      if (keep && !keep(i)) continue;
      ctx.moveTo(ends[i * 4], ends[i * 4 + 1]);
      ctx.lineTo(ends[i * 4 + 2], ends[i * 4 + 3]);
    }
    ctx.globalAlpha = alpha;
    ctx.stroke();
  };
  const layer = cy.layers().nodeLayer.insertBefore('canvas');
  layer.node.dataset.testid = 'graph-edge-layer';
  layer.callback(ctx => {
    ctx.strokeStyle = color();
    ctx.lineWidth = 1;
    if (!lit) { stroke(ctx, OPACITY); return; }
    stroke(ctx, OPACITY * DIM, i => !lit.has(i));
    stroke(ctx, OPACITY, i => lit.has(i));
  });
  return {
    light(indexes) { lit = indexes; layer.update(); },
    update() { layer.update(); },
  };
}
