//! What the backprop view shows, computed by the engine and cached: the compiled program, the graph as drawn (fused
//! or expanded), its forward and backward traces, its layout, and for the timeline's cursor which values and
//! gradients are known. Nothing here does calculus: the numbers come from `crate::scalar` and `crate::expr`.
//!
//! The drawn graph may fold groups of nodes (a neuron, a layer: [`crate::scalar::groups`]) into single items; the
//! layout is of those items, and is recomputed when the folding changes, not when values do.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::expr::{Input, Program, ProgramError, compile};
use crate::layout::{Layout, LayoutConfig, graph_edges, layout_folded};
use crate::scalar::groups::{Folding, Item, fold};
use crate::scalar::{BackwardTrace, ForwardTrace, Graph, Groups, NodeId, Op};

/// Graphs with more nodes than this open with their innermost groups (the neurons) folded.
pub const FOLD_ABOVE: usize = 150;

/// A source of generation numbers unique across models, so a cache keyed by one never confuses two programs.
static GENERATION: AtomicU64 = AtomicU64::new(1);

/// One step of the single timeline: forward steps first, then backward steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The `k`-th forward step (0-based).
    Forward(usize),
    /// The `k`-th backward step (0-based).
    Backward(usize),
}

/// An edge of the drawn graph: an operand flowing into a node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeInfo {
    /// The operand.
    pub from: NodeId,
    /// The node using it.
    pub to: NodeId,
    /// The operand's position (0 for `a`, 1 for `b`).
    pub position: usize,
    /// The backward step that sends gradient along it, and the contribution it sends (none for constants).
    pub backward: Option<(usize, f64)>,
}

/// What is known at one cursor position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Known {
    /// Whether each node's value has been computed.
    pub value: Vec<bool>,
    /// Each node's gradient so far (meaningful where `touched`).
    pub grad: Vec<f64>,
    /// Whether each node has received any gradient yet.
    pub touched: Vec<bool>,
    /// Whether each node's gradient is final: every node using it has sent its share.
    pub complete: Vec<bool>,
    /// How many backward steps are done.
    pub backward_done: usize,
}

/// The compiled program and everything derived from it.
pub struct Model {
    /// The program as compiled, leaf overrides applied.
    pub program: Program,
    /// The graph as drawn: the program's, or its expansion.
    pub graph: Graph,
    /// The output in `graph`.
    pub output: NodeId,
    /// The inputs by name, with their node in `graph`.
    pub inputs: Vec<(String, NodeId)>,
    /// Whether `graph` is the expansion of fused gates.
    pub expanded: bool,
    /// The forward pass, step by step.
    pub forward: ForwardTrace,
    /// The backward pass, step by step.
    pub backward: BackwardTrace,
    /// The layout of the drawn items ([`Model::folding`]; one per node when nothing is folded), computed when the
    /// structure or the folding changes, not when values do.
    pub layout: Layout,
    /// The groups of `graph`'s nodes.
    pub groups: Groups,
    /// Which groups are folded, by group id.
    pub folded: Vec<bool>,
    /// The graph as drawn: a node or a folded group per item, and the edges between items.
    pub folding: Folding,
    /// Per group: the node whose value and gradient its box shows (its one output), and its number of outputs.
    pub group_outputs: Vec<(Option<NodeId>, u32)>,
    /// Bumped whenever the layout changes, for caches downstream.
    pub layout_generation: u64,
    /// Groups given with the program (a network description), for the program's graph.
    given_groups: Option<Groups>,
    /// The edges of `graph`, in the layout's order.
    pub edges: Vec<EdgeInfo>,
    /// Each node's forward step (`usize::MAX` for constants, known from the start).
    pub forward_step: Vec<usize>,
    /// Each node's backward step (`usize::MAX` for nodes without one).
    pub backward_step: Vec<usize>,
    /// For each node, the number of backward steps after which its gradient is final (`usize::MAX` if it never
    /// receives any).
    pub final_after: Vec<usize>,
    /// The literal values the program text gives its inputs (before overrides).
    pub text_values: BTreeMap<String, f64>,
    /// The first node that makes a NaN or an infinity, forward or backward, and why (marked on the canvas).
    pub non_finite: Option<crate::scalar::NonFinite>,
    /// Bumped on every change of values, for caches downstream.
    pub generation: u64,
    known_cache: Option<(usize, Known)>,
}

impl Model {
    /// Compiles `source`, applies `overrides` (names the program does not have are dropped), and lays it out.
    pub fn build(source: &str, overrides: &BTreeMap<String, f64>, expanded: bool) -> Result<Model, ProgramError> {
        let mut program = compile(source, &[])?;
        let text_values = program.inputs.iter().map(|i| (i.name.clone(), program.graph.value(i.node))).collect();
        let mut changed = false;
        for (name, &v) in overrides {
            changed |= program.set_input(name, v);
        }
        if changed {
            program.recompute();
        }
        Ok(Self::with_program(program, text_values, None, expanded))
    }

    /// A model of a graph built elsewhere (a network unrolled by [`crate::nn::Mlp::scalar_graph`]) with its groups;
    /// its named leaves are the inputs. Groups that do not describe this graph's nodes are ignored.
    pub fn from_graph(graph: Graph, output: NodeId, groups: Groups, expanded: bool) -> Model {
        let inputs = graph
            .ids()
            .filter(|&id| graph.op(id) == Op::Leaf)
            .filter_map(|id| graph.label(id).map(|l| Input { name: l.to_owned(), node: id, line: 0 }))
            .collect();
        let mut program = Program { graph, output, inputs };
        program.recompute();
        let text_values = program.inputs.iter().map(|i| (i.name.clone(), program.graph.value(i.node))).collect();
        let groups = (groups.nodes() == program.graph.len()).then_some(groups);
        Self::with_program(program, text_values, groups, expanded)
    }

    fn with_program(
        program: Program,
        text_values: BTreeMap<String, f64>,
        given_groups: Option<Groups>,
        expanded: bool,
    ) -> Model {
        let mut model = Model {
            program,
            graph: Graph::new(),
            output: NodeId(0),
            inputs: Vec::new(),
            expanded,
            forward: ForwardTrace::default(),
            backward: BackwardTrace { output: NodeId(0), steps: Vec::new() },
            layout: Layout::default(),
            groups: Groups::default(),
            folded: Vec::new(),
            folding: Folding::default(),
            group_outputs: Vec::new(),
            layout_generation: 0,
            given_groups,
            edges: Vec::new(),
            forward_step: Vec::new(),
            backward_step: Vec::new(),
            final_after: Vec::new(),
            text_values,
            non_finite: None,
            generation: 0,
            known_cache: None,
        };
        model.derive(true);
        model.folded = model.default_folding();
        model.relayout();
        model
    }

    /// Which groups a graph opens with folded: none in a small graph; in a large one, the innermost (the neurons).
    fn default_folding(&self) -> Vec<bool> {
        let large = self.graph.len() > FOLD_ABOVE;
        self.groups.groups().iter().map(|g| large && !g.has_children).collect()
    }

    /// Rebuilds the drawn graph and traces from the program; with `structure`, the groups too (the layout is left to
    /// [`Model::relayout`]).
    fn derive(&mut self, structure: bool) {
        let (shown, map) = if self.expanded {
            // Program::expanded without losing the map, which carries the groups over
            let (mut graph, map) = self.program.graph.expand();
            let output = map[self.program.output.index()];
            graph.backward(output);
            let inputs = self.program.inputs.iter().map(|i| Input { node: map[i.node.index()], ..i.clone() }).collect();
            (Program { graph, output, inputs }, Some(map))
        } else {
            (self.program.clone(), None)
        };
        if structure {
            let base = match &self.given_groups {
                Some(g) => g.clone(),
                None => Groups::from_labels(&self.program.graph),
            };
            self.groups = match &map {
                Some(map) => base.remap(map, shown.graph.len()),
                None => base,
            };
            self.group_outputs = self.groups.outputs(&shown.graph, shown.output);
        }
        self.inputs = shown.inputs.iter().map(|i| (i.name.clone(), i.node)).collect();
        self.graph = shown.graph;
        self.output = shown.output;
        self.graph.forward();
        self.forward = self.graph.forward_trace();
        self.backward = self.graph.backward_trace(self.output);
        self.non_finite = crate::scalar::explain::first_non_finite(&self.graph, self.output, Some(&self.backward));
        let n = self.graph.len();
        self.forward_step = vec![usize::MAX; n];
        for (k, s) in self.forward.steps.iter().enumerate() {
            self.forward_step[s.node.index()] = k;
        }
        self.backward_step = vec![usize::MAX; n];
        for (k, s) in self.backward.steps.iter().enumerate() {
            self.backward_step[s.node.index()] = k;
        }
        self.final_after = vec![usize::MAX; n];
        self.final_after[self.output.index()] = 0;
        for (k, s) in self.backward.steps.iter().enumerate() {
            for c in &s.contributions {
                // steps only grow, so the last one wins
                self.final_after[c.operand.index()] = k + 1;
            }
        }
        let mut seen_into: Vec<usize> = vec![0; n];
        self.edges = graph_edges(&self.graph)
            .into_iter()
            .map(|(a, b)| {
                let position = seen_into[b];
                seen_into[b] += 1;
                let step = self.backward_step[b];
                let backward = self.backward.steps.get(step).and_then(|s| {
                    s.contributions.iter().find(|c| c.position == position).map(|c| (step, c.contribution))
                });
                EdgeInfo { from: NodeId(a as u32), to: NodeId(b as u32), position, backward }
            })
            .collect();
        self.generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        self.known_cache = None;
    }

    /// Folds the groups marked folded and lays the items out ([`layout_folded`]).
    fn relayout(&mut self) {
        self.folding = fold(&self.graph, &self.groups, &self.folded);
        self.layout = layout_folded(&self.graph, &self.groups, &self.folding, &LayoutConfig::default());
        self.layout_generation = GENERATION.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets an input's value and recomputes everything but the layout. False for an unknown name.
    pub fn set_input(&mut self, name: &str, value: f64) -> bool {
        if !self.program.set_input(name, value) {
            return false;
        }
        self.derive(false);
        true
    }

    /// Switches between the fused and the expanded graph (a new layout, since the structure changes; the groups
    /// keep their folding).
    pub fn set_expanded(&mut self, expanded: bool) {
        if self.expanded != expanded {
            self.expanded = expanded;
            self.derive(true);
            self.relayout();
        }
    }

    /// Folds or unfolds one group (a new layout). False for an unknown group or no change.
    pub fn set_folded(&mut self, group: u32, folded: bool) -> bool {
        match self.folded.get_mut(group as usize) {
            Some(f) if *f != folded => {
                *f = folded;
                self.relayout();
                true
            }
            _ => false,
        }
    }

    /// Folds every group (then only the outermost show, as boxes) or unfolds every group.
    pub fn fold_all(&mut self, folded: bool) {
        if self.folded.iter().any(|&f| f != folded) {
            self.folded.iter_mut().for_each(|f| *f = folded);
            self.relayout();
        }
    }

    /// The groups folded or unfolded by hand: each group whose folding differs from how the graph opens, by path.
    pub fn fold_changes(&self) -> BTreeMap<String, bool> {
        let default = self.default_folding();
        self.groups
            .groups()
            .iter()
            .zip(&self.folded)
            .zip(default)
            .filter(|((_, folded), default)| **folded != *default)
            .map(|((g, &folded), _)| (g.path.clone(), folded))
            .collect()
    }

    /// Folds or unfolds the groups `changes` names (by path; a path the graph does not have is skipped), with one new
    /// layout if anything changed.
    pub fn apply_fold_changes(&mut self, changes: &BTreeMap<String, bool>) {
        let mut changed = false;
        for (path, &folded) in changes {
            if let Some(slot) = self.groups.find(path).and_then(|g| self.folded.get_mut(g as usize))
                && *slot != folded
            {
                *slot = folded;
                changed = true;
            }
        }
        if changed {
            self.relayout();
        }
    }

    /// The item that draws a node: the node itself, or the folded group hiding it.
    pub fn item_of(&self, id: NodeId) -> usize {
        self.folding.item_of.get(id.index()).map_or(0, |&i| i as usize)
    }

    /// Whether a node is drawn as itself (not hidden in a folded group).
    pub fn is_drawn(&self, id: NodeId) -> bool {
        self.folding.items.get(self.item_of(id)) == Some(&Item::Node(id))
    }

    /// What is known at the cursor last asked of [`Model::known`], without recomputing.
    pub fn known_cached(&self) -> Option<&Known> {
        self.known_cache.as_ref().map(|(_, k)| k)
    }

    /// The current value of an input.
    pub fn input_value(&self, name: &str) -> Option<f64> {
        self.program.input(name).map(|i| self.program.graph.value(i.node))
    }

    /// The number of timeline steps (forward, then backward).
    pub fn total_steps(&self) -> usize {
        self.forward.steps.len() + self.backward.steps.len()
    }

    /// The step just taken when the cursor (the number of steps done) is `cursor`.
    pub fn step_at(&self, cursor: usize) -> Option<Step> {
        let f = self.forward.steps.len();
        match cursor {
            0 => None,
            c if c <= f => Some(Step::Forward(c - 1)),
            c if c <= self.total_steps() => Some(Step::Backward(c - 1 - f)),
            _ => None,
        }
    }

    /// The node the step works on.
    pub fn step_node(&self, step: Step) -> NodeId {
        match step {
            Step::Forward(k) => self.forward.steps[k].node,
            Step::Backward(k) => self.backward.steps[k].node,
        }
    }

    /// What is known after `cursor` steps; cached for the last cursor asked. Gradients accumulate as
    /// [`BackwardTrace::grads_after`] replays them. Moving on from the cached cursor (playback, stepping) applies only
    /// the steps in between, O(steps moved); any other move refills the cached buffers, O(nodes + steps): no
    /// allocation either way once the buffers exist.
    pub fn known(&mut self, cursor: usize) -> &Known {
        let cursor = cursor.min(self.total_steps());
        let mut cache = self.known_cache.take();
        match &mut cache {
            Some((c, _)) if *c == cursor => {}
            Some((c, k)) if *c < cursor && k.value.len() == self.graph.len() => {
                self.advance_known(k, *c, cursor);
                *c = cursor;
            }
            Some((c, k)) => {
                self.fill_known(k, cursor);
                *c = cursor;
            }
            None => {
                let mut k = Known::default();
                self.fill_known(&mut k, cursor);
                cache = Some((cursor, k));
            }
        }
        self.known_cache = cache;
        &self.known_cache.as_ref().expect("filled just above").1
    }

    /// What is known after `cursor` steps, from nothing (into `k`'s buffers).
    fn fill_known(&self, k: &mut Known, cursor: usize) {
        let n = self.graph.len();
        let fwd = self.forward.steps.len();
        let fwd_done = cursor.min(fwd);
        k.value.clear();
        k.value.extend((0..n).map(|i| self.graph.nodes()[i].op == Op::Const || self.forward_step[i] < fwd_done));
        k.grad.clear();
        k.grad.resize(n, 0.0);
        k.touched.clear();
        k.touched.resize(n, false);
        k.complete.clear();
        k.complete.resize(n, false);
        k.backward_done = 0;
        if cursor > fwd {
            let out = self.output.index();
            k.grad[out] = 1.0;
            k.touched[out] = true;
            k.complete[out] = self.final_after[out] == 0;
            self.apply_backward(k, 0, cursor - fwd);
        }
    }

    /// Moves `k` on from cursor `from` to cursor `to` (`from < to`): the forward steps and backward steps between.
    fn advance_known(&self, k: &mut Known, from: usize, to: usize) {
        let fwd = self.forward.steps.len();
        for s in &self.forward.steps[from.min(fwd)..to.min(fwd)] {
            k.value[s.node.index()] = true;
        }
        if to > fwd {
            if from <= fwd {
                // the backward pass starts: the output holds ∂f/∂f = 1
                let out = self.output.index();
                k.grad[out] = 1.0;
                k.touched[out] = true;
                k.complete[out] = self.final_after[out] == 0;
            }
            self.apply_backward(k, from.saturating_sub(fwd), to - fwd);
        }
    }

    /// Applies backward steps `from..to` to `k`, as [`BackwardTrace::grads_after`] adds them.
    fn apply_backward(&self, k: &mut Known, from: usize, to: usize) {
        let to = to.min(self.backward.steps.len());
        for s in &self.backward.steps[from.min(to)..to] {
            for c in &s.contributions {
                let i = c.operand.index();
                k.grad[i] += c.contribution;
                k.touched[i] = true;
                k.complete[i] = self.final_after[i] <= to;
            }
        }
        // a node completed by a later step of this stretch was marked with `to` already; one completed earlier is
        // final whatever `to` is
        k.backward_done = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LECTURE: &str = "x = -2\ny = 5\nz = -4\nq = x + y\nf = q * z";

    #[test]
    fn timeline_is_forward_then_backward() {
        let m = Model::build(LECTURE, &BTreeMap::new(), false).unwrap();
        // 5 forward steps (x, y, z, q, f), 5 backward steps (f, q, z, y, x)
        assert_eq!(m.total_steps(), 10);
        assert_eq!(m.step_at(0), None);
        assert_eq!(m.step_at(4), Some(Step::Forward(3)));
        assert_eq!(m.step_at(6), Some(Step::Backward(0)));
        assert_eq!(m.step_node(Step::Backward(0)), m.output);
    }

    #[test]
    fn known_gradients_accumulate_along_the_trace() {
        // f = m + a with m = a·b: a receives 1 from the add, then b = 4 from the mul
        let mut m = Model::build("a = 3\nb = 4\nm = a*b\nf = m + a", &BTreeMap::new(), false).unwrap();
        let (a, mm) = (NodeId(0), NodeId(2));
        let f = m.forward.steps.len();
        // after the output's step: a has 1 so far and is not final; m has its whole gradient 1
        let k = m.known(f + 1).clone();
        assert!(k.value.iter().all(|&v| v));
        assert!(k.touched[a.index()] && !k.complete[a.index()]);
        assert_eq!(k.grad[a.index()], 1.0);
        assert!(k.complete[mm.index()]);
        // after m's step: a = 1 + b = 5, final
        let k = m.known(f + 2).clone();
        assert_eq!(k.grad[a.index()], 5.0);
        assert!(k.complete[a.index()]);
        // before the backward pass nothing is touched
        assert!(!m.known(f).touched.iter().any(|&t| t));
    }

    #[test]
    fn known_moved_on_step_by_step_equals_known_from_scratch() {
        // a program where values fork (a is used three times), so gradients accumulate over several steps
        let src = "a = 3\nb = -2\nc = a*b + a\nd = tanh(c) * a\ne = d + b*b\nf = e * c";
        let mut walked = Model::build(src, &BTreeMap::new(), false).unwrap();
        let total = walked.total_steps();
        let mut cursors: Vec<usize> = (0..=total).collect();
        // then jumps back and forth
        cursors.extend([3, total, 0, total - 2, total - 1, 1]);
        for &c in &cursors {
            let mut fresh = Model::build(src, &BTreeMap::new(), false).unwrap();
            assert_eq!(walked.known(c), fresh.known(c), "cursor {c}");
        }
        // at the end every gradient is the engine's
        let k = walked.known(total).clone();
        for id in walked.graph.ids() {
            if walked.graph.op(id) != Op::Const {
                assert_eq!(k.grad[id.index()], walked.graph.grad(id), "node {}", id.0);
            }
        }
    }

    #[test]
    fn overrides_apply_and_unknown_names_are_dropped() {
        let mut o = BTreeMap::new();
        o.insert("x".to_owned(), -1.0);
        o.insert("nope".to_owned(), 9.0);
        let m = Model::build(LECTURE, &o, false).unwrap();
        assert_eq!(m.graph.value(m.output), -16.0); // (−1 + 5)·(−4)
        assert_eq!(m.text_values["x"], -2.0);
    }

    #[test]
    fn expanding_keeps_the_output_and_relays_out() {
        let src = "x = 0.4\nf = sigmoid(x)";
        let mut m = Model::build(src, &BTreeMap::new(), false).unwrap();
        let v = m.graph.value(m.output);
        m.set_expanded(true);
        assert!(m.graph.len() > 2);
        assert_eq!(m.layout.positions.len(), m.graph.len());
        assert!((m.graph.value(m.output) - v).abs() < 1e-15);
        assert!(m.set_input("x", 1.0));
        assert!((m.graph.value(m.output) - 0.7310585786).abs() < 1e-9);
    }

    #[test]
    fn a_network_opens_with_its_neurons_folded_and_keeps_them_folded_expanded() {
        use crate::nn::{Mlp, MlpSpec, Mode};
        use crate::scalar::Unary;
        use rand::SeedableRng;
        let spec = MlpSpec::classifier(2, &[16, 16], 2, Unary::Tanh, crate::tensor::Loss::SoftmaxCe).unwrap();
        let mlp = Mlp::<f64>::new(&spec, 1).unwrap();
        let net = mlp.scalar_graph(&[0.5, -1.2], &[1], Mode::Eval, &mut rand::rngs::StdRng::seed_from_u64(1));
        let loss = net.graph.value(net.loss);
        let mut m = Model::from_graph(net.graph, net.loss, net.groups, false);
        assert!(m.graph.len() > FOLD_ABOVE);
        assert_eq!(m.graph.value(m.output), loss);
        // the weights are the inputs; 16 + 16 + 2 neurons and the loss (groups without nested ones) are folded boxes,
        // the layers are open
        assert_eq!(m.inputs.len(), spec.parameter_count());
        let boxes = m.folding.items.iter().filter(|i| matches!(i, Item::Group(_))).count();
        assert_eq!(boxes, 35);
        assert!(m.folding.items.len() < 60, "{} items", m.folding.items.len());
        // the expanded tanh gates stay inside their folded neurons: the same items
        let items = m.folding.items.len();
        m.set_expanded(true);
        assert!(m.graph.len() > m.program.graph.len());
        assert_eq!(m.folding.items.len(), items);
        m.fold_all(false);
        assert_eq!(m.folding.items.len(), m.graph.len());
    }

    #[test]
    fn edges_carry_their_contribution() {
        let m = Model::build(LECTURE, &BTreeMap::new(), false).unwrap();
        // q → f at position 0 carries ∂f/∂q = z = -4; z → f carries q = 3
        let qf = m.edges.iter().find(|e| e.from == NodeId(3)).unwrap();
        assert_eq!(qf.backward.map(|b| b.1), Some(-4.0));
        let zf = m.edges.iter().find(|e| e.from == NodeId(2)).unwrap();
        assert_eq!((zf.position, zf.backward.map(|b| b.1)), (1, Some(3.0)));
    }
}
