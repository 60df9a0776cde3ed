//! Groups of nodes: a neuron's multiply-adds, bias and activation, or a whole layer, named by a dotted path (`l1`,
//! `l1.n0`) and nested by it. The backprop view folds a group into one box; the layout keeps a group's nodes together.
//!
//! Two sources fill the same structure:
//! - a program, by its names ([`Groups::from_labels`]): the group of a node is the dotted prefix of the name of the
//!   statement that created it, so `l1.n0.w0 = 0.3` and every node of `l1.n0.s = l1.n0.w0*x0 + l1.n0.b` are in `l1.n0`,
//!   nested in `l1`. A statement named like a group (`l1.n0 = tanh(l1.n0.s)`) belongs to that group and gives it its
//!   value. A name without a dot is in no group.
//! - a network description ([`crate::nn::Mlp::scalar_graph`]), through a [`GroupsBuilder`].
//!
//! Folding ([`fold`]) turns the graph into the graph that is drawn: each folded group (the outermost folded one on a
//! node's chain) becomes one item, its edges merged. Costs: O(nodes · depth) to build, O(edges · depth) to fold.

use std::collections::HashMap;

use super::{Graph, NodeId, Op};

/// No group.
const NONE: u32 = u32::MAX;

/// One group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The full dotted path (`l1.n0`).
    pub path: String,
    /// The enclosing group.
    pub parent: Option<u32>,
    /// 0 for a top-level group, 1 inside one, ...
    pub depth: u32,
    /// Whether another group is nested in this one.
    pub has_children: bool,
}

impl Group {
    /// The last part of the path (`n0` for `l1.n0`).
    pub fn short_name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }
}

/// The groups of a graph's nodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Groups {
    groups: Vec<Group>,
    /// Each node's innermost group, or [`NONE`].
    node_group: Vec<u32>,
}

impl Groups {
    /// `n` nodes in no group.
    pub fn none(n: usize) -> Self {
        Self { groups: Vec::new(), node_group: vec![NONE; n] }
    }

    /// The groups a program's names give ([module docs](self)). Names carry a version subscript when reassigned
    /// (`s₁`), which is ignored. O(nodes · depth).
    pub fn from_labels(g: &Graph) -> Self {
        let base = |l: &str| l.trim_end_matches(|c: char| ('₀'..='₉').contains(&c)).to_owned();
        let labels: Vec<Option<String>> = g.ids().map(|id| g.label(id).map(base)).collect();
        // every prefix of a dotted name is a group
        let mut b = GroupsBuilder::new(g.len());
        for l in labels.iter().flatten() {
            if let Some((prefix, _)) = l.rsplit_once('.') {
                b.group(prefix);
            }
        }
        if b.groups.groups.is_empty() {
            return b.finish();
        }
        let group_of_name = |b: &mut GroupsBuilder, l: &str| -> Option<u32> {
            if let Some(&gid) = b.by_path.get(l) {
                return Some(gid);
            }
            l.rsplit_once('.').map(|(prefix, _)| b.group(prefix))
        };
        // unnamed nodes belong to the statement that made them: the next named node that is not an input (an input
        // met mid-statement is named by itself)
        let mut pending = None;
        for i in (0..g.len()).rev() {
            let id = NodeId(i as u32);
            match &labels[i] {
                Some(l) => {
                    let gid = group_of_name(&mut b, l);
                    if g.op(id) != Op::Leaf {
                        pending = gid;
                    }
                    if let Some(gid) = gid {
                        b.assign(id, gid);
                    }
                }
                None => {
                    if let Some(gid) = pending {
                        b.assign(id, gid);
                    }
                }
            }
        }
        b.finish()
    }

    /// The number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The number of nodes described.
    pub fn nodes(&self) -> usize {
        self.node_group.len()
    }

    /// All groups; a group's index is its id.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// One group.
    pub fn group(&self, gid: u32) -> &Group {
        &self.groups[gid as usize]
    }

    /// A group's id by its path.
    pub fn find(&self, path: &str) -> Option<u32> {
        self.groups.iter().position(|g| g.path == path).map(|i| i as u32)
    }

    /// A node's innermost group.
    pub fn of(&self, id: NodeId) -> Option<u32> {
        self.node_group.get(id.index()).copied().filter(|&g| g != NONE)
    }

    /// A node's groups, innermost first.
    pub fn chain(&self, id: NodeId) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(self.of(id), |&g| self.groups[g as usize].parent)
    }

    /// The groups enclosing a group, innermost first (not the group itself).
    pub fn ancestors(&self, gid: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(self.groups[gid as usize].parent, |&g| self.groups[g as usize].parent)
    }

    /// Whether `gid` holds the node (directly or through a nested group).
    pub fn contains(&self, gid: u32, id: NodeId) -> bool {
        self.chain(id).any(|g| g == gid)
    }

    /// The groups of the graph that [`Graph::expand`] made from this one, given its map from each old node to its new
    /// one (the last node of its expansion): the nodes of an expansion join the fused node's group. O(nodes).
    pub fn remap(&self, map: &[NodeId], new_len: usize) -> Self {
        let mut node_group = vec![NONE; new_len];
        let mut start = 0;
        for (old, &new) in map.iter().enumerate() {
            let end = new.index() + 1;
            let gid = self.node_group.get(old).copied().unwrap_or(NONE);
            for slot in node_group.iter_mut().take(end).skip(start) {
                *slot = gid;
            }
            start = start.max(end);
        }
        Self { groups: self.groups.clone(), node_group }
    }

    /// Per group: its value node (the last of its nodes that a node outside the group uses, or the output itself) and
    /// how many such nodes it has. A neuron has one; a layer has one per neuron (not one per use: a 16-neuron layer
    /// feeding 16 neurons has 16 outputs, not 256). O(edges · depth) expected.
    pub fn outputs(&self, g: &Graph, output: NodeId) -> Vec<(Option<NodeId>, u32)> {
        let mut out = vec![(None, 0u32); self.groups.len()];
        // (group, node) pairs already counted: a node's uses outside its group come from many consumers, in any order
        let mut counted: std::collections::HashSet<(u32, u32)> = std::collections::HashSet::new();
        let mut mark = |a: NodeId, outside: Option<NodeId>, out: &mut Vec<(Option<NodeId>, u32)>| {
            for gid in self.chain(a) {
                if outside.is_some_and(|b| self.contains(gid, b)) {
                    break;
                }
                // count each node once per group
                if counted.insert((gid, a.0)) {
                    let slot = &mut out[gid as usize];
                    slot.1 += 1;
                    if slot.0.is_none_or(|o| o < a) {
                        slot.0 = Some(a);
                    }
                }
            }
        };
        for b in g.ids() {
            for a in g.op(b).operands() {
                mark(NodeId(a), Some(b), &mut out);
            }
        }
        if output.index() < g.len() {
            mark(output, None, &mut out);
        }
        out
    }
}

/// Fills a [`Groups`]: name groups by path (parents are made on the way), then assign nodes.
#[derive(Clone, Debug, Default)]
pub struct GroupsBuilder {
    groups: Groups,
    by_path: HashMap<String, u32>,
}

impl GroupsBuilder {
    /// A builder for a graph of `n` nodes (more may be assigned later; the rest are in no group).
    pub fn new(n: usize) -> Self {
        Self { groups: Groups::none(n), by_path: HashMap::new() }
    }

    /// The group with this dotted path, made (with its parents) if new.
    pub fn group(&mut self, path: &str) -> u32 {
        if let Some(&g) = self.by_path.get(path) {
            return g;
        }
        let parent = path.rsplit_once('.').map(|(p, _)| self.group(p));
        let depth = parent.map_or(0, |p| self.groups.groups[p as usize].depth + 1);
        if let Some(p) = parent {
            self.groups.groups[p as usize].has_children = true;
        }
        let gid = self.groups.groups.len() as u32;
        self.groups.groups.push(Group { path: path.to_owned(), parent, depth, has_children: false });
        self.by_path.insert(path.to_owned(), gid);
        gid
    }

    /// Puts a node in a group (its innermost).
    pub fn assign(&mut self, id: NodeId, gid: u32) {
        let ng = &mut self.groups.node_group;
        if ng.len() <= id.index() {
            ng.resize(id.index() + 1, NONE);
        }
        ng[id.index()] = gid;
    }

    /// Puts the nodes `from..to` in a group.
    pub fn assign_range(&mut self, from: usize, to: usize, gid: u32) {
        for i in from..to {
            self.assign(NodeId(i as u32), gid);
        }
    }

    /// The groups, for a graph of at least `n` nodes.
    pub fn finish_for(mut self, n: usize) -> Groups {
        if self.groups.node_group.len() < n {
            self.groups.node_group.resize(n, NONE);
        }
        self.groups
    }

    /// The groups.
    pub fn finish(self) -> Groups {
        self.groups
    }
}

/// What stands for some nodes on a folded drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Item {
    /// A node drawn as itself.
    Node(NodeId),
    /// A folded group drawn as one box.
    Group(u32),
}

/// An edge between two items: one operand edge of the graph, or all edges between a folded group and another item.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedEdge {
    /// The tail item.
    pub from: usize,
    /// The head item.
    pub to: usize,
    /// The graph's operand edges it stands for (indices into [`crate::layout::graph_edges`]'s order), at least one.
    pub edges: Vec<u32>,
}

/// The graph as drawn with some groups folded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Folding {
    /// The items, ordered by their last node (a topological order when groups do not interleave).
    pub items: Vec<Item>,
    /// Each node's item.
    pub item_of: Vec<u32>,
    /// The edges between items: node-to-node edges one by one (a node used twice by one gate keeps both), edges with
    /// a folded group merged per pair of items. Ordered by head, then by first graph edge.
    pub edges: Vec<FoldedEdge>,
}

/// Folds the groups marked in `folded` (indexed by group id; a missing entry is unfolded): each node is drawn as the
/// outermost folded group holding it, or as itself. O(edges · depth + items log items).
pub fn fold(g: &Graph, groups: &Groups, folded: &[bool]) -> Folding {
    let n = g.len();
    let is_folded = |gid: u32| folded.get(gid as usize).copied().unwrap_or(false);
    // the outermost folded group of each node, or the node
    let key: Vec<Item> = (0..n)
        .map(|i| {
            let id = NodeId(i as u32);
            let mut rep = Item::Node(id);
            if groups.nodes() == n {
                for gid in groups.chain(id) {
                    if is_folded(gid) {
                        rep = Item::Group(gid);
                    }
                }
            }
            rep
        })
        .collect();
    // items in order of their last node
    let mut last: HashMap<Item, usize> = HashMap::new();
    for (i, k) in key.iter().enumerate() {
        if let Item::Group(_) = k {
            last.insert(*k, i);
        }
    }
    let mut items: Vec<(usize, Item)> = (0..n)
        .filter_map(|i| match key[i] {
            Item::Node(_) => Some((i, key[i])),
            Item::Group(_) => (last[&key[i]] == i).then_some((i, key[i])),
        })
        .collect();
    items.sort_unstable_by_key(|&(i, _)| i);
    let index: HashMap<Item, u32> = items.iter().enumerate().map(|(k, &(_, it))| (it, k as u32)).collect();
    let item_of: Vec<u32> = key.iter().map(|k| index[k]).collect();
    let items: Vec<Item> = items.into_iter().map(|(_, it)| it).collect();

    let mut edges: Vec<FoldedEdge> = Vec::new();
    let mut merged: HashMap<(u32, u32), usize> = HashMap::new();
    let mut e = 0u32;
    for b in g.ids() {
        for a in g.op(b).operands() {
            let (ia, ib) = (item_of[a as usize], item_of[b.index()]);
            let grouped = matches!(items[ia as usize], Item::Group(_)) || matches!(items[ib as usize], Item::Group(_));
            if ia != ib {
                if grouped {
                    match merged.get(&(ia, ib)) {
                        Some(&k) => edges[k].edges.push(e),
                        None => {
                            merged.insert((ia, ib), edges.len());
                            edges.push(FoldedEdge { from: ia as usize, to: ib as usize, edges: vec![e] });
                        }
                    }
                } else {
                    edges.push(FoldedEdge { from: ia as usize, to: ib as usize, edges: vec![e] });
                }
            }
            e += 1;
        }
    }
    Folding { items, item_of, edges }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;

    fn groups_of(src: &str) -> (Graph, Groups) {
        let p = compile(src, &[]).expect("test programs compile");
        let gr = Groups::from_labels(&p.graph);
        (p.graph, gr)
    }

    fn path_of(g: &Graph, gr: &Groups, name: &str) -> Option<String> {
        let id = g.ids().find(|&id| g.label(id) == Some(name)).expect("a named node");
        gr.of(id).map(|gid| gr.group(gid).path.clone())
    }

    const NEURON: &str = "x0 = 1\nl1.n0.w0 = 0.5\nl1.n0.b = 0.1\nl1.n0.s = l1.n0.w0*x0 + l1.n0.b\n\
                          l1.n0 = tanh(l1.n0.s)\nf = 2 * l1.n0";

    #[test]
    fn a_node_is_in_the_group_of_its_statements_name() {
        let (g, gr) = groups_of(NEURON);
        assert_eq!(gr.len(), 2); // l1 and l1.n0
        assert_eq!(path_of(&g, &gr, "l1.n0.w0").as_deref(), Some("l1.n0"));
        assert_eq!(path_of(&g, &gr, "l1.n0.s").as_deref(), Some("l1.n0"));
        // the statement named like the group gives the group its value
        assert_eq!(path_of(&g, &gr, "l1.n0").as_deref(), Some("l1.n0"));
        assert_eq!(path_of(&g, &gr, "x0"), None);
        assert_eq!(path_of(&g, &gr, "f"), None);
        // the unnamed product w0·x0 belongs to l1.n0.s's statement; f's constant 2 to none
        let mul = g.ids().find(|&id| g.label(id).is_none() && g.op(id) != Op::Const).unwrap();
        assert_eq!(gr.of(mul).map(|k| gr.group(k).path.as_str()), Some("l1.n0"));
        let two = g.ids().find(|&id| g.op(id) == Op::Const).unwrap();
        assert_eq!(gr.of(two), None);
        // nesting
        let n0 = gr.find("l1.n0").unwrap();
        assert_eq!(gr.group(n0).parent, gr.find("l1"));
        assert_eq!(gr.group(n0).short_name(), "n0");
        assert!(gr.group(gr.find("l1").unwrap()).has_children);
    }

    #[test]
    fn a_program_without_dots_has_no_groups() {
        let (g, gr) = groups_of("x = 1; y = x * 2");
        assert!(gr.is_empty());
        assert!(g.ids().all(|id| gr.of(id).is_none()));
    }

    #[test]
    fn reassigned_names_keep_their_group() {
        let (g, gr) = groups_of("a.x = 1\na.s = a.x * 3\na.s += 1\nf = a.s");
        assert_eq!(path_of(&g, &gr, "a.s₁").as_deref(), Some("a"));
    }

    #[test]
    fn the_value_of_a_neuron_is_its_activation() {
        let (g, gr) = groups_of(NEURON);
        let out = gr.outputs(&g, NodeId(g.len() as u32 - 1));
        let n0 = gr.find("l1.n0").unwrap() as usize;
        let tanh = g.ids().find(|&id| g.label(id) == Some("l1.n0")).unwrap();
        assert_eq!(out[n0], (Some(tanh), 1));
    }

    #[test]
    fn a_layer_has_one_output_per_neuron_however_many_use_it() {
        // two neurons of l1, each used by both neurons of l2: l1 has 2 outputs (4 uses), each l2 neuron 1
        let (g, gr) =
            groups_of("x = 1\nl1.a = x * 2\nl1.b = x * 3\nl2.a = l1.a + l1.b\nl2.b = l1.a * l1.b\nf = l2.a + l2.b");
        let out = gr.outputs(&g, NodeId(g.len() as u32 - 1));
        let count = |path: &str| out[gr.find(path).unwrap() as usize].1;
        assert_eq!((count("l1"), count("l2")), (2, 2));
    }

    #[test]
    fn folding_merges_a_groups_edges() {
        let (g, gr) = groups_of(NEURON);
        let n0 = gr.find("l1.n0").unwrap();
        let mut folded = vec![false; gr.len()];
        folded[n0 as usize] = true;
        let f = fold(&g, &gr, &folded);
        // x0, the box, the constant 2 and f
        assert_eq!(f.items.len(), 4);
        assert_eq!(f.items[1], Item::Group(n0));
        // x0 → box (its two uses inside merged), then f = 2 · l1.n0: 2 → f, box → f
        let pairs: Vec<(usize, usize)> = f.edges.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(pairs, vec![(0, 1), (2, 3), (1, 3)]);
        // nothing folded: one item per node, one edge per operand
        let f = fold(&g, &gr, &[]);
        assert_eq!(f.items.len(), g.len());
        assert_eq!(f.edges.len(), crate::layout::graph_edges(&g).len());
    }

    #[test]
    fn remapping_puts_an_expansion_in_the_fused_nodes_group() {
        let p = compile(NEURON, &[]).unwrap();
        let gr = Groups::from_labels(&p.graph);
        let (eg, map) = p.graph.expand();
        let er = gr.remap(&map, eg.len());
        let n0 = gr.find("l1.n0").unwrap();
        let tanh = map[p.graph.ids().find(|&id| p.graph.label(id) == Some("l1.n0")).unwrap().index()];
        let s = map[p.graph.ids().find(|&id| p.graph.label(id) == Some("l1.n0.s")).unwrap().index()];
        // every node of tanh's expansion (after s, up to tanh) is in l1.n0
        for i in s.index()..=tanh.index() {
            assert_eq!(er.of(NodeId(i as u32)), Some(n0), "node {i}");
        }
    }
}
