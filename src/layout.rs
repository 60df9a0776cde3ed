//! Layered left-to-right layout of a computational graph (a DAG), as cs231n draws its circuits: inputs on the left,
//! the output on the right, every edge pointing rightwards, few edge crossings.
//!
//! The classic Sugiyama pipeline, kept compact:
//! 1. **Layering** by longest path: an op node sits one layer right of its deepest operand; inputs sit in layer 0 and
//!    constants one layer left of their first consumer (so a `2` stays beside its `*`). If pinning the inputs to layer 0
//!    would make too many long edges (a 500-term sum), inputs are placed beside their first consumer too. A graph with
//!    many inputs (a network's weights) moves each node used by one gate next to it: a product beside the sum that
//!    uses it, its weight beside the product, rather than a wall of weights in the first column.
//! 2. **Dummy nodes** split every edge that spans several layers, so that long edges take part in the ordering and are
//!    routed between the nodes rather than through them.
//! 3. **Ordering** by barycenter sweeps (left-to-right then right-to-left, repeated), keeping the best order seen by
//!    crossing count.
//! 4. **Coordinates**: each layer is placed by isotonic regression (pool adjacent violators) towards the mean position of
//!    its neighbours, which keeps the order and the minimum gap while pulling chains straight.
//!
//! 5. **Clusters** (optional, [`layout_clustered`]): the ordering keeps each cluster's vertices (a group of the
//!    backprop view, nested) contiguous in every layer, with a little extra room between clusters.
//!
//! Cost: O(S · (V + D + E log E)) for S sweeps over V nodes, D dummies and E edges; a 1000-node program lays out in
//! milliseconds, a 10 000-node network (50 000 dummies, 4 sweeps) in about a tenth of a second. Positions are plain `[f32; 2]` (x right, y down) in layout units: the window converts them.

use crate::scalar::groups::{Folding, Item};
use crate::scalar::{Graph, Groups, Op};

/// What a node is, which decides the layer it may sit in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An input (leaf): pinned to the leftmost layer where that keeps edges short enough.
    Input,
    /// A constant: placed just left of its first consumer.
    Constant,
    /// A computed node: one layer right of its deepest operand.
    Inner,
}

/// Spacing of the layout, in layout units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutConfig {
    /// Horizontal distance between the centres of adjacent layers.
    pub layer_gap: f32,
    /// Vertical distance between the centres of adjacent nodes in a layer.
    pub node_gap: f32,
    /// Vertical distance between adjacent dummy points (long edges need less room than nodes).
    pub dummy_gap: f32,
    /// Extra vertical room between neighbours in different clusters (so the frames drawn around groups do not touch).
    pub cluster_gap: f32,
    /// The number of barycenter sweep pairs.
    pub sweeps: usize,
    /// With more inputs than this, an input used by one gate sits just left of that gate rather than in the first
    /// column (a network's weights); small circuits keep all their inputs in one column, as the lecture draws them.
    pub pinned_inputs: usize,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        Self { layer_gap: 150.0, node_gap: 84.0, dummy_gap: 36.0, cluster_gap: 28.0, sweeps: 12, pinned_inputs: 12 }
    }
}

/// No cluster.
pub const NO_CLUSTER: u32 = u32::MAX;

/// How deep clusters may nest for the ordering (deeper ones are ordered as their ancestor at this depth).
const CLUSTER_DEPTH: usize = 4;

/// Nested clusters of vertices (the backprop view's groups, a neuron inside a layer) that the ordering keeps
/// contiguous in every layer, so that a frame can be drawn around each.
#[derive(Clone, Copy, Debug)]
pub struct Clusters<'a> {
    /// Each vertex's innermost cluster, or [`NO_CLUSTER`].
    pub of: &'a [u32],
    /// Each cluster's enclosing cluster, or [`NO_CLUSTER`].
    pub parent: &'a [u32],
}

impl Clusters<'_> {
    /// A vertex's clusters, outermost first (at most [`CLUSTER_DEPTH`]), and how many.
    fn path(&self, c: u32) -> ([u32; CLUSTER_DEPTH], u8) {
        let valid = |c: u32| c != NO_CLUSTER && (c as usize) < self.parent.len();
        // the depth first (bounded, in case of a cycle), then the chain written from the outermost down
        let mut depth = 0;
        let mut k = c;
        while valid(k) && depth < 64 {
            depth += 1;
            k = self.parent[k as usize];
        }
        let mut out = [NO_CLUSTER; CLUSTER_DEPTH];
        let mut k = c;
        for level in (0..depth).rev() {
            if level < CLUSTER_DEPTH {
                out[level] = k;
            }
            k = self.parent[k as usize];
        }
        (out, depth.min(CLUSTER_DEPTH) as u8)
    }

    /// The deepest cluster holding both vertices' clusters.
    fn common(&self, a: u32, b: u32) -> u32 {
        let (pa, la) = self.path(a);
        let (pb, lb) = self.path(b);
        let mut c = NO_CLUSTER;
        for k in 0..la.min(lb) as usize {
            if pa[k] != pb[k] {
                break;
            }
            c = pa[k];
        }
        c
    }
}

/// The route of one edge: from an operand to the node using it, through the points of its dummy nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeRoute {
    /// The operand (the edge's tail).
    pub from: usize,
    /// The consumer (the edge's head).
    pub to: usize,
    /// The edge's index in the input edge list (for an op, its operand position follows from it).
    pub index: usize,
    /// Intermediate points, left to right (empty for an edge between adjacent layers).
    pub via: Vec<[f32; 2]>,
}

/// A finished layout.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    /// The centre of each node.
    pub positions: Vec<[f32; 2]>,
    /// Each node's layer (0 = leftmost).
    pub layers: Vec<usize>,
    /// One route per input edge, in input order.
    pub edges: Vec<EdgeRoute>,
    /// The bounding box of all centres and dummy points: `[min, max]`.
    pub bounds: [[f32; 2]; 2],
    /// Edge crossings between adjacent layers in the final order.
    pub crossings: usize,
}

/// Lays out a scalar graph: one edge per operand, from the operand to the node.
pub fn layout_graph(g: &Graph, config: &LayoutConfig) -> Layout {
    let roles: Vec<Role> = g
        .nodes()
        .iter()
        .map(|n| match n.op {
            Op::Leaf => Role::Input,
            Op::Const => Role::Constant,
            _ => Role::Inner,
        })
        .collect();
    layout(&roles, &graph_edges(g), config)
}

/// Lays out a graph with some groups folded ([`crate::scalar::groups::fold`]): nodes by their op, a folded group as
/// a computed node, each item in the cluster of its innermost unfolded group so that a group's items stay together.
/// With folded boxes on the drawing the layers are further apart (`layer_gap` + 100): boxes are wider than cards and
/// the wires between two columns of neurons need room to fan out. A group unfolded among folded siblings gets a room
/// of its own: nothing else inside its [`frames`] rectangle (see `make_room`).
pub fn layout_folded(g: &Graph, groups: &Groups, folding: &Folding, config: &LayoutConfig) -> Layout {
    let items = &folding.items;
    let roles: Vec<Role> = items
        .iter()
        .map(|it| match *it {
            Item::Node(id) => match g.op(id) {
                Op::Leaf => Role::Input,
                Op::Const => Role::Constant,
                _ => Role::Inner,
            },
            Item::Group(_) => Role::Inner,
        })
        .collect();
    let edges: Vec<(usize, usize)> = folding.edges.iter().map(|e| (e.from, e.to)).collect();
    let mut config = *config;
    if items.iter().any(|it| matches!(it, Item::Group(_))) {
        config.layer_gap += 100.0;
    }
    if groups.is_empty() {
        return layout(&roles, &edges, &config);
    }
    let of: Vec<u32> = items
        .iter()
        .map(|it| match *it {
            Item::Node(id) => groups.of(id),
            Item::Group(k) => groups.group(k).parent,
        })
        .map(|k| k.unwrap_or(NO_CLUSTER))
        .collect();
    let parent: Vec<u32> = groups.groups().iter().map(|k| k.parent.unwrap_or(NO_CLUSTER)).collect();
    let mut laid = layout_clustered(&roles, &edges, Some(Clusters { of: &of, parent: &parent }), &config);
    make_room(g, groups, folding, &mut laid);
    laid
}

/// A scalar graph's edges `(operand, node)`, node by node and operand by operand: the order of [`Layout::edges`].
pub fn graph_edges(g: &Graph) -> Vec<(usize, usize)> {
    g.ids().flat_map(|id| g.op(id).operands().map(move |a| (a as usize, id.index())).collect::<Vec<_>>()).collect()
}

/// Lays out a DAG given each node's role and the edges `(tail, head)` with `tail < head` (a topological numbering,
/// which a tape always has). An edge that breaks this is ignored rather than looping.
pub fn layout(roles: &[Role], edges: &[(usize, usize)], config: &LayoutConfig) -> Layout {
    layout_clustered(roles, edges, None, config)
}

/// [`layout`], keeping each cluster's vertices contiguous in every layer (and a little apart from other clusters).
/// A dummy point of a long edge belongs to the deepest cluster holding both ends.
pub fn layout_clustered(
    roles: &[Role],
    edges: &[(usize, usize)],
    clusters: Option<Clusters<'_>>,
    config: &LayoutConfig,
) -> Layout {
    let n = roles.len();
    if n == 0 {
        return Layout::default();
    }
    let edges_ok: Vec<(usize, usize, usize)> =
        edges.iter().enumerate().filter(|(_, (a, b))| a < b && *b < n).map(|(i, &(a, b))| (a, b, i)).collect();
    let layers = assign_layers(roles, &edges_ok, config);
    let max_layer = layers.iter().copied().max().unwrap_or(0);
    let vertices = Vertices::split_long_edges(&layers, &edges_ok, clusters);
    let grouping = clusters.map(|c| Grouping::new(c, &vertices.cluster));
    let (order, crossings) = order_layers(&vertices, max_layer, grouping.as_ref(), config);
    let y = place_in_layers(&vertices, &order, n, config);
    finish(vertices, &y, n, &edges_ok, layers, crossings, config)
}

/// The vertices the ordering works on: the nodes, then the dummy points of long edges, joined by segments between
/// adjacent layers.
struct Vertices {
    /// Each vertex's layer.
    layer: Vec<usize>,
    /// Whether a vertex is a dummy point (of a long edge) rather than a node.
    is_dummy: Vec<bool>,
    /// Each vertex's innermost cluster (dummies: the deepest one holding both ends of their edge); empty without
    /// clusters.
    cluster: Vec<u32>,
    /// Each edge's dummy points, left to right.
    chains: Vec<Vec<usize>>,
    /// Each vertex's neighbours in the layer to its left.
    left: Vec<Vec<usize>>,
    /// Each vertex's neighbours in the layer to its right.
    right: Vec<Vec<usize>>,
}

impl Vertices {
    /// Splits every edge spanning several layers with one dummy point per layer it crosses.
    fn split_long_edges(layers: &[usize], edges_ok: &[(usize, usize, usize)], clusters: Option<Clusters<'_>>) -> Self {
        let n = layers.len();
        let mut vlayer: Vec<usize> = layers.to_vec();
        let mut is_dummy = vec![false; n];
        // Segments between vertices in adjacent layers.
        let mut segs: Vec<(usize, usize)> = Vec::new();
        let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges_ok.len());
        let mut vcluster: Vec<u32> = match clusters {
            Some(c) => (0..n).map(|v| c.of.get(v).copied().unwrap_or(NO_CLUSTER)).collect(),
            None => Vec::new(),
        };
        for &(a, b, _) in edges_ok {
            let mut prev = a;
            let mut chain = Vec::new();
            let common = match clusters {
                Some(c) if layers[a] + 1 < layers[b] => c.common(vcluster[a], vcluster[b]),
                _ => NO_CLUSTER,
            };
            for l in layers[a] + 1..layers[b] {
                let d = vlayer.len();
                vlayer.push(l);
                is_dummy.push(true);
                if clusters.is_some() {
                    vcluster.push(common);
                }
                segs.push((prev, d));
                chain.push(d);
                prev = d;
            }
            segs.push((prev, b));
            chains.push(chain);
        }
        let nv = vlayer.len();
        let mut left: Vec<Vec<usize>> = vec![Vec::new(); nv];
        let mut right: Vec<Vec<usize>> = vec![Vec::new(); nv];
        for &(a, b) in &segs {
            right[a].push(b);
            left[b].push(a);
        }
        Self { layer: vlayer, is_dummy, cluster: vcluster, chains, left, right }
    }

    fn len(&self) -> usize {
        self.layer.len()
    }

    /// The initial order of each layer: by a depth-first walk from the right, so operands of one node start together.
    fn initial_order(&self, max_layer: usize) -> Vec<Vec<usize>> {
        let nv = self.len();
        let mut order: Vec<Vec<usize>> = vec![Vec::new(); max_layer + 1];
        let mut seen = vec![false; nv];
        for v in (0..nv).rev() {
            if self.right[v].is_empty() && !seen[v] {
                let mut stack = vec![v];
                while let Some(u) = stack.pop() {
                    if seen[u] {
                        continue;
                    }
                    seen[u] = true;
                    order[self.layer[u]].push(u);
                    // reversed so the first operand is visited first
                    stack.extend(self.left[u].iter().rev().copied());
                }
            }
        }
        order
    }
}

/// Writes each vertex's place in its layer.
fn set_positions(order: &[Vec<usize>], pos: &mut [usize]) {
    for layer in order {
        for (i, &v) in layer.iter().enumerate() {
            pos[v] = i;
        }
    }
}

/// Orders every layer by barycenter sweeps, keeping the order with the fewest crossings (grouped by cluster when
/// there are clusters); returns it with its crossing count.
fn order_layers(
    vertices: &Vertices,
    max_layer: usize,
    grouping: Option<&Grouping>,
    config: &LayoutConfig,
) -> (Vec<Vec<usize>>, usize) {
    let nv = vertices.len();
    let (left, right) = (&vertices.left, &vertices.right);
    let mut order = vertices.initial_order(max_layer);
    let mut pos = vec![0usize; nv];
    set_positions(&order, &mut pos);
    let mut best = order.clone();
    let mut best_cross = total_crossings(&order, right, &pos);
    // on very large graphs the first sweeps do nearly all the good (a 10 000-node network: 4 sweeps keep it under
    // 200 ms)
    let sweeps = if nv > 20_000 { config.sweeps.min(4) } else { config.sweeps };
    for sweep in 0..sweeps {
        if best_cross == 0 {
            break;
        }
        // left to right: order each layer by its left neighbours
        for layer in order.iter_mut().skip(1) {
            reorder(layer, left, &pos, grouping);
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
        // right to left
        for l in (0..max_layer).rev() {
            reorder(&mut order[l], right, &pos, grouping);
            for (i, &v) in order[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = total_crossings(&order, right, &pos);
        if c < best_cross {
            best_cross = c;
            best = order.clone();
        } else if sweep > 3 && c >= best_cross {
            // the sweeps have settled; more of them rarely help
            break;
        }
    }
    let mut order = best;
    if let Some(gr) = grouping {
        // the best order may be the first one, which the sweeps did not group: group it, keeping what it can
        set_positions(&order, &mut pos);
        let none: Vec<Vec<usize>> = vec![Vec::new(); nv];
        for layer in &mut order {
            reorder(layer, &none, &pos, Some(gr));
        }
    }
    (order, best_cross)
}

/// Each vertex's vertical coordinate: layers stacked with their gaps and centred on 0, then pulled towards their
/// neighbours by isotonic regression, alternately down and up, keeping the order and the gaps. Where long edges far
/// outnumber the `n` nodes (a network's wires from each neuron to every neuron of the next layer), their points are
/// packed closer: a bundle of wires, not a wall.
fn place_in_layers(vertices: &Vertices, order: &[Vec<usize>], n: usize, config: &LayoutConfig) -> Vec<f32> {
    let nv = vertices.len();
    let (is_dummy, vcluster) = (&vertices.is_dummy, &vertices.cluster);
    let (left, right) = (&vertices.left, &vertices.right);
    let max_layer = order.len() - 1;
    let dummy_gap = if nv - n > 2 * n { config.dummy_gap * 0.35 } else { config.dummy_gap };
    let gap_of = |v: usize| if is_dummy[v] { dummy_gap } else { config.node_gap };
    let apart = |u: usize, v: usize| {
        if !vcluster.is_empty() && !is_dummy[u] && !is_dummy[v] && vcluster[u] != vcluster[v] {
            config.cluster_gap
        } else {
            0.0
        }
    };
    let mut y = vec![0f32; nv];
    for layer in order {
        let mut acc = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                acc += 0.5 * (gap_of(layer[i - 1]) + gap_of(v)) + apart(layer[i - 1], v);
            }
            y[v] = acc;
        }
        // centre each layer on 0
        let mid = acc / 2.0;
        for &v in layer {
            y[v] -= mid;
        }
    }
    for round in 0..8 {
        let down = round % 2 == 0;
        let layer_ids: Vec<usize> = if down { (0..=max_layer).collect() } else { (0..=max_layer).rev().collect() };
        for l in layer_ids {
            let layer = &order[l];
            let desired: Vec<f32> = layer
                .iter()
                .map(|&v| {
                    let nb = if down { &left[v] } else { &right[v] };
                    let nb = if nb.is_empty() { if down { &right[v] } else { &left[v] } } else { nb };
                    if nb.is_empty() { y[v] } else { nb.iter().map(|&u| y[u]).sum::<f32>() / nb.len() as f32 }
                })
                .collect();
            let gaps: Vec<f32> = (1..layer.len())
                .map(|i| 0.5 * (gap_of(layer[i - 1]) + gap_of(layer[i])) + apart(layer[i - 1], layer[i]))
                .collect();
            let placed = isotonic_with_gaps(&desired, &gaps);
            for (&v, p) in layer.iter().zip(placed) {
                y[v] = p;
            }
        }
    }
    y
}

/// The finished [`Layout`]: the `n` nodes' centres, each edge's route through its dummy points, the bounds of all.
fn finish(
    vertices: Vertices,
    y: &[f32],
    n: usize,
    edges_ok: &[(usize, usize, usize)],
    layers: Vec<usize>,
    crossings: usize,
    config: &LayoutConfig,
) -> Layout {
    let vlayer = &vertices.layer;
    let xy = |v: usize| [vlayer[v] as f32 * config.layer_gap, y[v]];
    let positions: Vec<[f32; 2]> = (0..n).map(xy).collect();
    let mut min = [f32::INFINITY; 2];
    let mut max = [f32::NEG_INFINITY; 2];
    for p in (0..vlayer.len()).map(xy) {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    let edges_out = edges_ok
        .iter()
        .zip(vertices.chains)
        .map(|(&(a, b, i), chain)| EdgeRoute { from: a, to: b, index: i, via: chain.into_iter().map(xy).collect() })
        .collect();
    Layout { positions, layers, edges: edges_out, bounds: [min, max], crossings }
}

/// Longest-path layering with inputs pinned left and constants beside their consumers.
fn assign_layers(roles: &[Role], edges: &[(usize, usize, usize)], config: &LayoutConfig) -> Vec<usize> {
    let n = roles.len();
    let mut operands: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b, _) in edges {
        operands[b].push(a);
        consumers[a].push(b);
    }
    // Inner nodes by longest path from the inputs; constants and inputs do not push their consumers right.
    let mut layer = vec![0usize; n];
    for v in 0..n {
        if roles[v] == Role::Inner {
            layer[v] = operands[v]
                .iter()
                .filter(|&&a| roles[a] == Role::Inner)
                .map(|&a| layer[a] + 1)
                .max()
                .unwrap_or(1)
                .max(1);
        }
    }
    let beside =
        |v: usize, layer: &[usize]| consumers[v].iter().map(|&c| layer[c]).min().map_or(0, |l| l.saturating_sub(1));
    let span: usize = (0..n)
        .filter(|&v| roles[v] == Role::Input)
        .map(|v| consumers[v].iter().map(|&c| layer[c].saturating_sub(1)).sum::<usize>())
        .sum();
    let pin_inputs = span <= 4 * n + 64;
    let many_inputs = roles.iter().filter(|&&r| r == Role::Input).count() > config.pinned_inputs;
    let used_once = |v: usize| consumers[v].first().is_some_and(|&c| consumers[v].iter().all(|&d| d == c));
    if many_inputs {
        // a network: a computed node used by one gate moves right, next to it (a neuron's product beside the sum
        // that uses it), so its inputs can follow it there; consumers first, so chains move together. Only a node
        // with at most one computed operand moves: moving one with many (a folded neuron fed by a whole layer)
        // would stretch all their wires to shorten one.
        for v in (0..n).rev() {
            let computed_operands = operands[v].iter().filter(|&&a| roles[a] == Role::Inner).count();
            if roles[v] == Role::Inner && used_once(v) && computed_operands <= 1 {
                layer[v] = layer[v].max(layer[consumers[v][0]].saturating_sub(1));
            }
        }
    }
    for v in 0..n {
        let used_once = used_once(v);
        match roles[v] {
            Role::Constant => layer[v] = beside(v, &layer),
            Role::Input if !pin_inputs || (many_inputs && used_once) => layer[v] = beside(v, &layer),
            _ => {}
        }
    }
    layer
}

/// A vertex's place in a clustered layer: per level, its cluster's mean key and the cluster (its own key and slot last).
type SortKey = [(f32, u64); CLUSTER_DEPTH + 1];

/// The clusters of every vertex (nodes and dummies) as the ordering compares them, with scratch room for one layer.
struct Grouping {
    /// Each vertex's clusters, outermost first, and how many.
    paths: Vec<([u32; CLUSTER_DEPTH], u8)>,
    clusters: usize,
}

impl Grouping {
    fn new(c: Clusters<'_>, vcluster: &[u32]) -> Self {
        Self { paths: vcluster.iter().map(|&k| c.path(k)).collect(), clusters: c.parent.len() }
    }

    /// Sorts `keyed` (key, slot, vertex) so that each cluster's vertices are contiguous: clusters by the mean key of
    /// their vertices in this layer, level by level, and vertices by their own key within their innermost cluster.
    /// O(k log k) for k vertices: each vertex's sort key (one (key, tie-break) pair per level) is built once.
    fn sort(&self, keyed: &mut [(f32, usize, usize)]) {
        let mut sums: std::collections::HashMap<u32, (f32, u32)> = std::collections::HashMap::new();
        for &(k, _, v) in keyed.iter() {
            let (p, len) = &self.paths[v];
            for &c in &p[..*len as usize] {
                let e = sums.entry(c).or_insert((0.0, 0));
                e.0 += k;
                e.1 += 1;
            }
        }
        let big = self.clusters as u64 + 1;
        let mut full: Vec<(SortKey, (f32, usize, usize))> = keyed
            .iter()
            .map(|&(k, slot, v)| {
                let (p, len) = &self.paths[v];
                let mut key = [(f32::NEG_INFINITY, 0u64); CLUSTER_DEPTH + 1];
                for (level, c) in p[..*len as usize].iter().enumerate() {
                    let (s, n) = sums[c];
                    key[level] = (s / n as f32, *c as u64);
                }
                // the vertex itself ends its sequence; the levels after it stay equal for all
                key[*len as usize] = (k, big + slot as u64);
                (key, (k, slot, v))
            })
            .collect();
        full.sort_by(|(x, _), (y, _)| {
            for (a, b) in x.iter().zip(y) {
                let o = a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
        for (slot, (_, e)) in keyed.iter_mut().zip(full) {
            *slot = e;
        }
    }
}

/// Sorts a layer by the mean position of each vertex's neighbours in the adjacent layer (vertices without neighbours
/// keep their place), clusters kept together when there are any.
fn reorder(layer: &mut [usize], neighbours: &[Vec<usize>], pos: &[usize], grouping: Option<&Grouping>) {
    let mut keyed: Vec<(f32, usize, usize)> = layer
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let nb = &neighbours[v];
            let key =
                if nb.is_empty() { i as f32 } else { nb.iter().map(|&u| pos[u] as f32).sum::<f32>() / nb.len() as f32 };
            (key, i, v)
        })
        .collect();
    match grouping {
        Some(g) => g.sort(&mut keyed),
        None => keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))),
    }
    for (slot, (_, _, v)) in layer.iter_mut().zip(keyed) {
        *slot = v;
    }
}

/// Crossings between adjacent layers: pairs of segments whose ends are in opposite orders. O(E log E) per layer pair
/// (inversions counted by merge sort).
fn total_crossings(order: &[Vec<usize>], right: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for layer in order {
        let mut pairs: Vec<(usize, usize)> =
            layer.iter().flat_map(|&v| right[v].iter().map(move |&w| (pos[v], pos[w]))).collect();
        pairs.sort_unstable();
        let mut heads: Vec<usize> = pairs.iter().map(|p| p.1).collect();
        total += inversions(&mut heads);
    }
    total
}

fn inversions(v: &mut [usize]) -> usize {
    if v.len() < 2 {
        return 0;
    }
    let mid = v.len() / 2;
    let mut count = inversions(&mut v[..mid]) + inversions(&mut v[mid..]);
    let mut merged = Vec::with_capacity(v.len());
    let (mut i, mut j) = (0, mid);
    while i < mid && j < v.len() {
        if v[j] < v[i] {
            count += mid - i;
            merged.push(v[j]);
            j += 1;
        } else {
            merged.push(v[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&v[i..mid]);
    merged.extend_from_slice(&v[j..]);
    v.copy_from_slice(&merged);
    count
}

/// The positions closest (least squares) to `desired` that keep their order with at least `gaps[i]` between the
/// `i`-th and `i+1`-th: subtract the cumulative gaps, pool adjacent violators, add them back. O(n).
fn isotonic_with_gaps(desired: &[f32], gaps: &[f32]) -> Vec<f32> {
    let mut offset = Vec::with_capacity(desired.len());
    let mut acc = 0.0;
    for i in 0..desired.len() {
        if i > 0 {
            acc += gaps[i - 1];
        }
        offset.push(acc);
    }
    // blocks of (sum, count)
    let mut blocks: Vec<(f32, usize)> = Vec::with_capacity(desired.len());
    for (d, o) in desired.iter().zip(&offset) {
        blocks.push((d - o, 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f32 > s2 / c2 as f32 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s1 + s2, c1 + c2);
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(desired.len());
    for (s, c) in blocks {
        for _ in 0..c {
            out.push(s / c as f32);
        }
    }
    out.iter_mut().zip(&offset).for_each(|(v, o)| *v += o);
    out
}

/// A card's size in layout units (an op or an input): the canvas draws it this size at zoom 1.
pub const NODE_SIZE: [f32; 2] = [88.0, 62.0];
/// A constant's (smaller) card.
pub const CONST_SIZE: [f32; 2] = [48.0, 28.0];
/// A folded group's box.
pub const BOX_SIZE: [f32; 2] = [116.0, 62.0];
/// Room a frame keeps around its items, per level of unfolded groups nested in it.
pub const FRAME_PAD: f32 = 9.0;
/// The height of a frame's header (its title), per level of unfolded groups nested in it.
pub const FRAME_HEADER: f32 = 20.0;
/// Room above a folded box that its frame keeps (the stacked cards behind it).
const BOX_ABOVE: f32 = 14.0;

/// The frame drawn around an unfolded group's items, in layout units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// The group.
    pub group: u32,
    /// The top-left corner (the header sits just inside it).
    pub min: [f32; 2],
    /// The bottom-right corner.
    pub max: [f32; 2],
}

impl Frame {
    /// Whether the frame and the rectangle `[min, max]` share more than an edge.
    pub fn overlaps(&self, min: [f32; 2], max: [f32; 2]) -> bool {
        self.min[0] < max[0] && min[0] < self.max[0] && self.min[1] < max[1] && min[1] < self.max[1]
    }
}

/// An item's box `[min, max]` around its centre: a card, a constant, or a folded box with the cards stacked above it.
pub fn item_box(g: &Graph, item: Item, centre: [f32; 2]) -> ([f32; 2], [f32; 2]) {
    let (size, above) = match item {
        Item::Group(_) => (BOX_SIZE, BOX_ABOVE),
        Item::Node(id) if g.op(id) == Op::Const => (CONST_SIZE, 0.0),
        Item::Node(_) => (NODE_SIZE, 0.0),
    };
    let h = [size[0] * 0.5, size[1] * 0.5];
    ([centre[0] - h[0], centre[1] - h[1] - above], [centre[0] + h[0], centre[1] + h[1]])
}

/// The innermost unfolded group an item is drawn in: a node's group, a folded box's parent.
fn home(groups: &Groups, item: Item) -> Option<u32> {
    match item {
        Item::Node(id) => groups.of(id),
        Item::Group(k) => groups.group(k).parent,
    }
}

/// Whether the item is drawn inside the unfolded group `gid`.
fn item_in(groups: &Groups, item: Item, gid: u32) -> bool {
    std::iter::successors(home(groups, item), |&k| groups.group(k).parent).any(|k| k == gid)
}

/// The frame of each unfolded group that has items on the drawing, outer groups first: around its items, padded by
/// [`FRAME_PAD`] and with room for [`FRAME_HEADER`] once per level of unfolded groups nested in it (so that nested
/// frames sit inside their parent's, headers apart). O(items · depth).
pub fn frames(g: &Graph, groups: &Groups, folding: &Folding, positions: &[[f32; 2]]) -> Vec<Frame> {
    let n = groups.len();
    let mut boxes: Vec<Option<([f32; 2], [f32; 2])>> = vec![None; n];
    // how many levels of unfolded groups each group holds
    let mut below = vec![0u32; n];
    for (&item, &c) in folding.items.iter().zip(positions) {
        let (lo, hi) = item_box(g, item, c);
        let first = home(groups, item);
        let inner_depth = first.map_or(0, |k| groups.group(k).depth);
        for k in std::iter::successors(first, |&k| groups.group(k).parent) {
            let b = &mut boxes[k as usize];
            *b = Some(match *b {
                None => (lo, hi),
                Some((a, z)) => ([a[0].min(lo[0]), a[1].min(lo[1])], [z[0].max(hi[0]), z[1].max(hi[1])]),
            });
            let d = inner_depth - groups.group(k).depth;
            below[k as usize] = below[k as usize].max(d);
        }
    }
    let mut out: Vec<Frame> = boxes
        .iter()
        .enumerate()
        .filter_map(|(k, b)| b.map(|(lo, hi)| (k as u32, lo, hi)))
        .map(|(k, lo, hi)| {
            let levels = 1.0 + below[k as usize] as f32;
            let pad = FRAME_PAD * levels;
            Frame { group: k, min: [lo[0] - pad, lo[1] - pad - FRAME_HEADER * levels], max: [hi[0] + pad, hi[1] + pad] }
        })
        .collect();
    out.sort_by_key(|f| groups.group(f.group).depth);
    out
}

/// Gives each unfolded group that sits among folded siblings inside a group (a neuron opened in a layer of folded
/// neurons) a room of its own: in every column its frame spans, whatever is not in the group (the folded neighbours, wires passing by)
/// moves above or below the frame, the part of the column above up and the part below down, so that nothing
/// overlaps the frame and no wire crosses its title. Deepest groups first, three rounds (a move for one frame can
/// stretch another). O(rounds · frames · (items + wire points)).
fn make_room(g: &Graph, groups: &Groups, folding: &Folding, layout: &mut Layout) {
    let items = &folding.items;
    // the groups that hold a folded box: a top-level group (a layer) is not moved for, only what is nested in one
    let folded_parents: std::collections::HashSet<u32> = items
        .iter()
        .filter_map(|it| match *it {
            Item::Group(k) => groups.group(k).parent,
            Item::Node(_) => None,
        })
        .collect();
    for _round in 0..3 {
        let mut targets: Vec<u32> = frames(g, groups, folding, &layout.positions)
            .iter()
            .map(|f| f.group)
            .filter(|&k| groups.group(k).parent.is_some_and(|q| folded_parents.contains(&q)))
            .collect();
        if targets.is_empty() {
            return;
        }
        targets.sort_by_key(|&k| std::cmp::Reverse(groups.group(k).depth));
        let mut moved = false;
        for gid in targets {
            let Some(f) = frames(g, groups, folding, &layout.positions).into_iter().find(|f| f.group == gid) else {
                continue;
            };
            moved |= clear_frame(g, groups, folding, layout, &f);
        }
        if !moved {
            break;
        }
    }
    layout.bounds = bounds_of(layout);
}

/// Moves what is not in `f`'s group out of `f`, column by column (see [`make_room`]); whether anything moved.
fn clear_frame(g: &Graph, groups: &Groups, folding: &Folding, layout: &mut Layout, f: &Frame) -> bool {
    let items = &folding.items;
    let inside = |i: usize| item_in(groups, items[i], f.group);
    let centre = 0.5 * (f.min[1] + f.max[1]);
    // each column (by its x) within the frame: the group's extent there, and how far each side must move
    let mut columns: Vec<(f32, f32, f32, f32, f32)> = Vec::new(); // (x, top of group, bottom of group, up, down)
    let column = |columns: &mut Vec<(f32, f32, f32, f32, f32)>, x: f32| -> usize {
        match columns.iter().position(|c| c.0 == x) {
            Some(k) => k,
            None => {
                columns.push((x, f32::INFINITY, f32::NEG_INFINITY, 0.0, 0.0));
                columns.len() - 1
            }
        }
    };
    let in_span = |x: f32| x >= f.min[0] && x <= f.max[0];
    for (i, p) in layout.positions.iter().enumerate() {
        if in_span(p[0]) && inside(i) {
            let k = column(&mut columns, p[0]);
            columns[k].1 = columns[k].1.min(p[1]);
            columns[k].2 = columns[k].2.max(p[1]);
        }
    }
    // a point above the group's own items in its column (or above the frame's middle where it has none) goes up
    let goes_up = |c: &(f32, f32, f32, f32, f32), y: f32| if c.1 <= c.2 { y < c.1 } else { y < centre };
    let need = |columns: &mut Vec<(f32, f32, f32, f32, f32)>, x: f32, y: f32, lo: f32, hi: f32| {
        let k = column(columns, x);
        let c = &mut columns[k];
        if goes_up(c, y) {
            c.3 = c.3.max(hi + FRAME_PAD - f.min[1]);
        } else {
            c.4 = c.4.max(f.max[1] + FRAME_PAD - lo);
        }
    };
    // an item keeps the frames it is in (and C is not) clear too: their pads, and their headers below C
    let ancestors: Vec<u32> = groups.ancestors(f.group).collect();
    for (i, &p) in layout.positions.iter().enumerate() {
        if in_span(p[0]) && !inside(i) {
            let (lo, hi) = item_box(g, items[i], p);
            let levels = std::iter::successors(home(groups, items[i]), |&k| groups.group(k).parent)
                .take_while(|k| !ancestors.contains(k))
                .count() as f32;
            need(&mut columns, p[0], p[1], lo[1] - levels * (FRAME_PAD + FRAME_HEADER), hi[1] + levels * FRAME_PAD);
        }
    }
    for e in &layout.edges {
        if inside(e.from) && inside(e.to) {
            continue;
        }
        for v in e.via.iter().filter(|v| in_span(v[0])) {
            need(&mut columns, v[0], v[1], v[1], v[1]);
        }
    }
    if columns.iter().all(|c| c.3 <= 0.0 && c.4 <= 0.0) {
        return false;
    }
    let shift = |x: f32, y: f32, columns: &[(f32, f32, f32, f32, f32)]| -> f32 {
        match columns.iter().find(|c| c.0 == x) {
            Some(c) if goes_up(c, y) => y - c.3.max(0.0),
            Some(c) => y + c.4.max(0.0),
            None => y,
        }
    };
    for i in 0..layout.positions.len() {
        let p = layout.positions[i];
        if in_span(p[0]) && !inside(i) {
            layout.positions[i][1] = shift(p[0], p[1], &columns);
        }
    }
    for e in &mut layout.edges {
        if inside(e.from) && inside(e.to) {
            continue;
        }
        for v in e.via.iter_mut().filter(|v| in_span(v[0])) {
            v[1] = shift(v[0], v[1], &columns);
        }
    }
    true
}

/// The bounding box of every centre and wire point.
fn bounds_of(layout: &Layout) -> [[f32; 2]; 2] {
    let mut min = [f32::INFINITY; 2];
    let mut max = [f32::NEG_INFINITY; 2];
    let points = layout.positions.iter().chain(layout.edges.iter().flat_map(|e| e.via.iter()));
    for p in points {
        for k in 0..2 {
            min[k] = min[k].min(p[k]);
            max[k] = max[k].max(p[k]);
        }
    }
    [min, max]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;
    use crate::scalar::NodeId;

    fn laid(src: &str) -> (Graph, Layout) {
        let p = compile(src, &[]).expect("test programs compile");
        let l = layout_graph(&p.graph, &LayoutConfig::default());
        (p.graph, l)
    }

    fn no_overlap(l: &Layout, config: &LayoutConfig) {
        for i in 0..l.positions.len() {
            for j in i + 1..l.positions.len() {
                let (a, b) = (l.positions[i], l.positions[j]);
                if a[0] == b[0] {
                    assert!((a[1] - b[1]).abs() >= config.node_gap - 1e-3, "nodes {i} and {j} overlap: {a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn layers_respect_edge_direction() {
        let src = "a = -4\nb = 2\nc = a + b\nd = a*b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d*2 + relu(b + a)\n\
                   d += 3*d + relu(b - a)\ne = c - d\nf = e^2\ng = f / 2\ng += 10 / f";
        let (g, l) = laid(src);
        for id in g.ids() {
            for a in g.op(id).operands() {
                assert!(l.layers[a as usize] < l.layers[id.index()], "edge {a} -> {} points left", id.0);
                assert!(l.positions[a as usize][0] < l.positions[id.index()][0]);
            }
        }
        // the output is in the rightmost layer
        let last = g.len() - 1;
        assert_eq!(l.layers[last], *l.layers.iter().max().unwrap());
        no_overlap(&l, &LayoutConfig::default());
    }

    #[test]
    fn lecture_circuit_has_no_crossings_and_inputs_left() {
        // q = x + y, f = q * z: x, y, z in layer 0, q in 1, f in 2
        let (_, l) = laid("x = -2; y = 5; z = -4; q = x + y; f = q * z");
        assert_eq!(l.layers, vec![0, 0, 0, 1, 2]);
        assert_eq!(l.crossings, 0);
        // z's edge to f is long: it runs through one dummy point
        assert_eq!(l.edges.iter().find(|e| e.from == 2).unwrap().via.len(), 1);
        no_overlap(&l, &LayoutConfig::default());
    }

    #[test]
    fn constants_sit_beside_their_consumer() {
        // f = 2 * (x * y): the constant 2 sits one layer left of the outer *, not at the far left
        let (g, l) = laid("x = 3; y = -4; f = 2 * (x * y)");
        let two = g.ids().find(|&id| g.op(id) == Op::Const).unwrap();
        assert_eq!(l.layers[two.index()], l.layers[g.len() - 1] - 1);
    }

    #[test]
    fn crossings_are_removed_from_a_twisted_graph() {
        // Edges listed so that the first-found order crosses: a->d, b->c, then c,d feed e in the order (c, d).
        // A crossing-free drawing exists (b above a), and the sweeps must find it.
        let roles = [Role::Input, Role::Input, Role::Inner, Role::Inner, Role::Inner];
        let edges = [(0, 3), (1, 2), (2, 4), (3, 4)];
        let l = layout(&roles, &edges, &LayoutConfig::default());
        assert_eq!(l.crossings, 0);
    }

    #[test]
    fn a_complete_bipartite_graph_keeps_its_unavoidable_crossing() {
        // K(2,2) between layers 0 and 1: any order has exactly one crossing.
        let roles = [Role::Input, Role::Input, Role::Inner, Role::Inner];
        let edges = [(0, 2), (1, 2), (0, 3), (1, 3)];
        let l = layout(&roles, &edges, &LayoutConfig::default());
        assert_eq!(l.crossings, 1);
    }

    #[test]
    fn inversions_count_pairs_out_of_order() {
        assert_eq!(inversions(&mut [0, 1, 2]), 0);
        assert_eq!(inversions(&mut [2, 1, 0]), 3);
        assert_eq!(inversions(&mut [1, 0, 1]), 1);
    }

    #[test]
    fn isotonic_keeps_gaps_and_order() {
        // both want 0: they split around it, 10 apart
        assert_eq!(isotonic_with_gaps(&[0.0, 0.0], &[10.0]), vec![-5.0, 5.0]);
        // already far enough apart: unchanged
        assert_eq!(isotonic_with_gaps(&[0.0, 50.0], &[10.0]), vec![0.0, 50.0]);
    }

    #[test]
    fn a_long_sum_lays_out_without_a_dummy_explosion() {
        // 400 inputs summed in a chain: pinning inputs left would need ~80,000 dummies, so they sit beside their add
        let mut src = String::from("s = 0.5");
        for i in 0..400 {
            src.push_str(&format!("\nx{i} = 1\ns += x{i}"));
        }
        let (g, l) = laid(&src);
        assert_eq!(l.positions.len(), g.len());
        let dummies: usize = l.edges.iter().map(|e| e.via.len()).sum();
        assert!(dummies < 10 * g.len(), "{dummies} dummies");
        no_overlap(&l, &LayoutConfig::default());
    }

    #[test]
    fn a_leaf_used_once_sits_just_before_its_consumer_when_there_are_many_inputs() {
        // a 16-input neuron: each weight is used once (by its product), x_i by one product too, but `s` (used by
        // the chain) and the weights would all sit in the first column if inputs were pinned there
        let mut src = String::from("b = 0.1\ns = b");
        for i in 0..16 {
            src.push_str(&format!("\nw{i} = 0.{i}\nx{i} = 1\ns += w{i}*x{i}"));
        }
        let (g, l) = laid(&src);
        let mut checked = 0;
        for id in g.ids().filter(|&id| g.op(id) == Op::Leaf) {
            let users: Vec<usize> =
                g.ids().filter(|&u| g.op(u).operands().any(|a| a == id.0)).map(|u| u.index()).collect();
            if users.len() == 1 {
                assert_eq!(l.layers[id.index()] + 1, l.layers[users[0]], "{}", g.display_name(id));
                checked += 1;
            }
        }
        assert_eq!(checked, 33); // b, 16 weights, 16 inputs
        // w15·x15 feeds the last add, far right: its weight is beside it, not in column 0
        let w15 = g.ids().find(|&id| g.label(id) == Some("w15")).unwrap();
        assert!(l.layers[w15.index()] > 10);
        no_overlap(&l, &LayoutConfig::default());
    }

    #[test]
    fn a_small_circuit_keeps_its_inputs_in_the_first_column() {
        // the lecture's circuit: z is used once, but with 3 inputs they all stay left, as the slides draw them
        let (_, l) = laid("x = -2; y = 5; z = -4; q = x + y; f = q * z");
        assert_eq!(&l.layers[..3], &[0, 0, 0]);
    }

    #[test]
    fn groups_are_contiguous_in_every_layer() {
        // two neurons of three inputs, then their sum; weights named into groups n0 and n1, nested in l1
        let mut src = String::new();
        for i in 0..3 {
            src.push_str(&format!("x{i} = {i}\n"));
        }
        for j in 0..2 {
            for i in 0..3 {
                src.push_str(&format!("l1.n{j}.w{i} = 0.{j}{i}\n"));
            }
            src.push_str(&format!("l1.n{j} = tanh(l1.n{j}.w0*x0 + l1.n{j}.w1*x1 + l1.n{j}.w2*x2)\n"));
        }
        src.push_str("f = l1.n0 * l1.n1");
        let p = compile(&src, &[]).unwrap();
        let groups = Groups::from_labels(&p.graph);
        let folding = crate::scalar::groups::fold(&p.graph, &groups, &[]);
        let l = layout_folded(&p.graph, &groups, &folding, &LayoutConfig::default());
        let n0 = groups.find("l1.n0").unwrap();
        let mut seen_any = false;
        for layer in 0..=*l.layers.iter().max().unwrap() {
            // the layer's nodes top to bottom, marked by membership of n0
            let mut col: Vec<(f32, bool)> = (0..p.graph.len())
                .filter(|&i| l.layers[i] == layer)
                .map(|i| (l.positions[i][1], groups.of(NodeId(i as u32)) == Some(n0)))
                .collect();
            col.sort_by(|a, b| a.0.total_cmp(&b.0));
            // the members of n0 form one run
            let runs = col.windows(2).filter(|w| w[0].1 != w[1].1).count() + 1;
            let members = col.iter().filter(|c| c.1).count();
            if members > 0 && members < col.len() {
                assert!(runs <= 3, "layer {layer}: {col:?}");
                let first = col.iter().position(|c| c.1).unwrap();
                assert!(col[first..first + members].iter().all(|c| c.1), "layer {layer}: {col:?}");
                seen_any = true;
            }
        }
        assert!(seen_any, "some layer holds both n0 and other nodes");
        no_overlap(&l, &LayoutConfig::default());
    }

    /// A 2-`sizes` MLP as the backprop view's preset writes it: `lk.nj = tanh(lk.nj.s)`, the last layer linear.
    fn mlp_program(sizes: &[usize]) -> String {
        let mut s = String::from("x0 = 0.5\nx1 = -1.2\n");
        let mut prev: Vec<String> = vec!["x0".into(), "x1".into()];
        for (k, &size) in sizes.iter().enumerate() {
            let last = k + 1 == sizes.len();
            let mut next = Vec::new();
            for j in 0..size {
                let n = format!("l{}.n{j}", k + 1);
                let mut sum = format!("{n}.b");
                for (i, x) in prev.iter().enumerate() {
                    s.push_str(&format!("{n}.w{i} = {}\n", 0.1 * (i + j + k) as f64 - 0.3));
                    sum.push_str(&format!(" + {n}.w{i}*{x}"));
                }
                s.push_str(&format!("{n}.b = 0\n"));
                if last {
                    s.push_str(&format!("{n} = {sum}\n"));
                } else {
                    s.push_str(&format!("{n}.s = {sum}\n{n} = tanh({n}.s)\n"));
                }
                next.push(n);
            }
            prev = next;
        }
        s + &format!("loss = ({} - 1)^2", prev[0])
    }

    #[test]
    fn a_neuron_unfolded_among_folded_ones_gets_a_room_of_its_own() {
        let p = compile(&mlp_program(&[6, 6, 1]), &[]).unwrap();
        let g = &p.graph;
        let groups = Groups::from_labels(g);
        for open in ["l1.n2", "l2.n0", "l2.n3"] {
            let opened = groups.find(open).unwrap();
            // every neuron folded (as the view opens the network) but one
            let folded: Vec<bool> =
                groups.groups().iter().enumerate().map(|(k, gr)| !gr.has_children && k as u32 != opened).collect();
            let folding = crate::scalar::groups::fold(g, &groups, &folded);
            let l = layout_folded(g, &groups, &folding, &LayoutConfig::default());
            let fr = frames(g, &groups, &folding, &l.positions);
            let f = fr.iter().find(|f| f.group == opened).expect("the unfolded neuron has a frame");
            let members = (0..folding.items.len()).filter(|&i| item_in(&groups, folding.items[i], opened)).count();
            assert!(members > 3, "{open}: its weights, products and sums are drawn");
            // no item of another group (a folded neighbour, an input) inside the room
            for (i, &item) in folding.items.iter().enumerate() {
                if !item_in(&groups, item, opened) {
                    let (lo, hi) = item_box(g, item, l.positions[i]);
                    assert!(!f.overlaps(lo, hi), "{open}: item {i} ({item:?}) at {:?} is in {f:?}", l.positions[i]);
                }
            }
            // no frame but its layer's overlaps it
            for other in &fr {
                let related = other.group == opened || groups.ancestors(opened).any(|a| a == other.group);
                assert!(related || !f.overlaps(other.min, other.max), "{open}: {other:?} overlaps {f:?}");
            }
            // no wire passing by crosses the room (the title included)
            for e in &l.edges {
                if item_in(&groups, folding.items[e.from], opened) && item_in(&groups, folding.items[e.to], opened) {
                    continue;
                }
                for v in &e.via {
                    assert!(!f.overlaps(*v, *v), "{open}: a wire {}→{} passes {v:?} in {f:?}", e.from, e.to);
                }
            }
            // the bounds hold every point
            for q in &l.positions {
                assert!(q[1] >= l.bounds[0][1] && q[1] <= l.bounds[1][1]);
            }
        }
    }

    #[test]
    fn frames_nest_with_a_header_per_level_and_none_without_items() {
        let p = compile(&mlp_program(&[3, 1]), &[]).unwrap();
        let groups = Groups::from_labels(&p.graph);
        let folding = crate::scalar::groups::fold(&p.graph, &groups, &[]);
        let l = layout_folded(&p.graph, &groups, &folding, &LayoutConfig::default());
        let fr = frames(&p.graph, &groups, &folding, &l.positions);
        let of = |path: &str| *fr.iter().find(|f| f.group == groups.find(path).unwrap()).unwrap();
        let (layer, neuron) = (of("l1"), of("l1.n0"));
        // outer first; the layer holds the neuron with one more pad and header above
        assert!(groups.group(fr[0].group).depth == 0);
        assert!(layer.min[0] <= neuron.min[0] - FRAME_PAD && layer.max[0] >= neuron.max[0] + FRAME_PAD);
        assert!(layer.min[1] <= neuron.min[1] - FRAME_PAD - FRAME_HEADER, "{layer:?} {neuron:?}");
        // a folded group has no frame
        let folded: Vec<bool> = groups.groups().iter().map(|gr| gr.path == "l1").collect();
        let folding = crate::scalar::groups::fold(&p.graph, &groups, &folded);
        let l = layout_folded(&p.graph, &groups, &folding, &LayoutConfig::default());
        let fr = frames(&p.graph, &groups, &folding, &l.positions);
        assert!(fr.iter().all(|f| !groups.group(f.group).path.starts_with("l1")), "{fr:?}");
    }

    #[test]
    fn the_empty_graph_is_empty() {
        assert_eq!(layout(&[], &[], &LayoutConfig::default()), Layout::default());
    }
}
