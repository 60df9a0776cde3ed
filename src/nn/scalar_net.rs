//! The same network on the scalar engine, micrograd's way: one node per multiply-add, so a learner can open any
//! neuron and follow its chain rule. It reads the parameters of an [`Mlp`] and draws its dropout masks from the
//! same random stream as the tensor backend, so both backends compute the same loss and gradients.
//!
//! Per neuron: acc = w₀·x₀, then acc = acc + wᵢ·xᵢ for each further input, then acc + b. Batch norm per column:
//! μ = Σh·(1/n), σ² = Σ(h − μ)²·(1/n), x̂ = (h − μ)/√(σ² + ε), γ·x̂ + β. The losses in the forms of [`crate::tensor::Loss`];
//! softmax cross-entropy subtracts the row maximum as a constant (its gradient through the maximum is zero).
//! Cost: O(n · parameters) nodes of 32 bytes, plus a label for each parameter and input.
//!
//! Groups for the backprop view ([`ScalarNet::groups`]), named as a program names them: `l1`, `l2`, ... per linear
//! layer, nested `l1.n0`, `l1.n1`, ... per neuron (its weights, bias, multiply-adds and the activation and dropout
//! that follow it, for every row of the batch); `bn1`, ... per batch-norm layer; `loss` for the loss and penalties.

use rand::Rng;

use super::{BN_EPS, Mlp, MlpLayer, Mode, fill_dropout_mask};
use crate::scalar::{Binary, Graph, GroupsBuilder, NodeId, Unary};
use crate::tensor::{Element, Loss, ParamId, ParamStore};

/// A network unrolled on a batch into a scalar graph.
#[derive(Clone, Debug)]
pub struct ScalarNet {
    /// The graph, forward values computed.
    pub graph: Graph,
    /// The total loss (data loss + penalties).
    pub loss: NodeId,
    /// One leaf per parameter scalar, in the parameter store's flat order.
    pub params: Vec<NodeId>,
    /// The output scores, n × outputs row-major.
    pub outputs: Vec<NodeId>,
    /// Per batch-norm layer (training mode): the batch mean and biased variance of each column.
    pub batch_stats: Vec<(Vec<f64>, Vec<f64>)>,
    /// The layers and neurons as groups of nodes (the module docs say which).
    pub groups: crate::scalar::Groups,
}

impl ScalarNet {
    /// Backward from the loss; returns the gradient of every parameter in the store's flat order.
    pub fn param_grads(&mut self) -> Vec<f64> {
        self.graph.backward(self.loss);
        self.params.iter().map(|&p| self.graph.grad(p)).collect()
    }
}

impl<T: Element> Mlp<T> {
    /// Unrolls the network on a batch `x` (n × inputs) with `labels` into a scalar graph whose output is the total
    /// loss. Dropout masks come from `rng` in the same order as [`Mlp::forward`] draws them. Each layer kind is one
    /// method of `Unroll`, as micrograd's `Neuron`, `Layer` and `MLP` each have their `__call__`.
    pub fn scalar_graph(&self, x: &[f64], labels: &[usize], mode: Mode, rng: &mut impl Rng) -> ScalarNet {
        let mut targets = Vec::new();
        self.targets(labels, &mut targets);
        let targets: Vec<f64> = targets.into_iter().map(|t| t.as_f64()).collect();
        self.scalar_graph_on(x, labels.len(), &targets, mode, rng)
    }

    /// [`Mlp::scalar_graph`] on `n` rows with the loss's `targets` as they are: [`Mlp::targets`] of the labels, or a
    /// regression's real values (mse, one output: n values).
    pub fn scalar_graph_on(&self, x: &[f64], n: usize, targets: &[f64], mode: Mode, rng: &mut impl Rng) -> ScalarNet {
        let mut u = Unroll::new(self, n, mode);
        let mut h = u.inputs(x, self.spec.inputs);
        let (mut linear, mut bn) = (0, 0);
        let mut batch_stats = Vec::new();
        let mut mask = Vec::new();
        for layer in &self.layers {
            h = match layer {
                MlpLayer::Linear { weight, bias } => {
                    linear += 1;
                    u.linear(&h, (*weight, *bias), linear)
                }
                MlpLayer::BatchNorm { gamma, beta, running, .. } => {
                    bn += 1;
                    let (next, stats) = u.batch_norm(&h, (*gamma, *beta), running, bn);
                    batch_stats.extend(stats);
                    next
                }
                MlpLayer::Activation(f) => u.activation(&h, *f),
                MlpLayer::Dropout(p) if mode == Mode::Train && *p > 0.0 => {
                    mask.resize(h.len(), 0.0f64);
                    fill_dropout_mask(rng, *p, &mut mask);
                    u.dropout(&h, &mask)
                }
                MlpLayer::Dropout(_) => h,
            };
        }
        let loss = u.loss(self, &h, targets);
        let Unroll { g, groups, params, .. } = u;
        let groups = groups.finish_for(g.len());
        ScalarNet { graph: g, loss, params, outputs: h, batch_stats, groups }
    }
}

/// A batch-norm layer's batch mean and biased variance, per column.
type BatchStats = (Vec<f64>, Vec<f64>);

/// A network being unrolled into a scalar graph, layer by layer: the graph, the groups of its neurons, and the
/// shape of the current layer's output (n rows × `width` columns, row-major).
struct Unroll<'a, T> {
    g: Graph,
    groups: GroupsBuilder,
    /// One leaf per parameter scalar, in the store's flat order.
    params: Vec<NodeId>,
    store: &'a ParamStore<T>,
    /// The group of each column of the current output: the neuron that made it (none after batch norm).
    column_groups: Vec<Option<u32>>,
    n: usize,
    width: usize,
    mode: Mode,
}

/// Σ of `count` terms made by `term`, as a chain of `+` nodes in order (the first term alone); `None` if no term.
fn sum_of(g: &mut Graph, count: usize, mut term: impl FnMut(&mut Graph, usize) -> NodeId) -> Option<NodeId> {
    let mut acc = None;
    for i in 0..count {
        let t = term(g, i);
        acc = Some(match acc {
            None => t,
            Some(s) => g.add(s, t),
        });
    }
    acc
}

impl<'a, T: Element> Unroll<'a, T> {
    /// A graph holding one named leaf per parameter, and the groups of every layer's parameters.
    fn new(mlp: &'a Mlp<T>, n: usize, mode: Mode) -> Self {
        let mut g = Graph::with_capacity(n * mlp.spec.parameter_count() * 2 + 16);
        let store = mlp.params();
        let params = store
            .entries
            .iter()
            .flat_map(|e| {
                let vals = &store.values()[e.range()];
                (0..e.len()).map(move |i| (e, i, vals[i].as_f64()))
            })
            .map(|(e, i, v)| {
                let name = if e.rows == 1 {
                    format!("{}[{i}]", e.name)
                } else {
                    format!("{}[{}][{}]", e.name, i / e.cols, i % e.cols)
                };
                g.named_leaf(&name, v)
            })
            .collect();
        let groups = GroupsBuilder::new(0);
        let mut u = Self { g, groups, params, store, column_groups: Vec::new(), n, width: 0, mode };
        u.group_parameters(&mlp.layers);
        u
    }

    /// The leaves of one parameter matrix, row-major.
    fn leaves(&self, p: ParamId) -> &[NodeId] {
        &self.params[self.store.entry(p).range()]
    }

    /// Each linear layer's neurons (`l1.n0`, ...: a neuron's weights and bias) and each batch-norm layer (`bn1`:
    /// its γ and β) as groups.
    fn group_parameters(&mut self, layers: &[MlpLayer<T>]) {
        let (mut linear, mut bn) = (0, 0);
        for layer in layers {
            match layer {
                MlpLayer::Linear { weight, bias } => {
                    linear += 1;
                    let (w, b) = (self.leaves(*weight).to_vec(), self.leaves(*bias).to_vec());
                    let width = w.len() / b.len().max(1);
                    for (o, &bo) in b.iter().enumerate() {
                        let gid = self.groups.group(&format!("l{linear}.n{o}"));
                        for &wi in &w[o * width..(o + 1) * width] {
                            self.groups.assign(wi, gid);
                        }
                        self.groups.assign(bo, gid);
                    }
                }
                MlpLayer::BatchNorm { gamma, beta, .. } => {
                    bn += 1;
                    let gid = self.groups.group(&format!("bn{bn}"));
                    let members: Vec<NodeId> = self.leaves(*gamma).iter().chain(self.leaves(*beta)).copied().collect();
                    for p in members {
                        self.groups.assign(p, gid);
                    }
                }
                _ => {}
            }
        }
    }

    /// The batch as constants labelled `x[row][column]`.
    fn inputs(&mut self, x: &[f64], width: usize) -> Vec<NodeId> {
        self.width = width;
        (0..self.n * width)
            .map(|i| {
                let c = self.g.constant(x[i]);
                self.g.set_label(c, format!("x[{}][{}]", i / width, i % width));
                c
            })
            .collect()
    }

    /// Linear layer `linear` (1-based): per row and neuron o, acc = w₀·x₀, acc + wᵢ·xᵢ, ..., then acc + b, every
    /// node in the neuron's group.
    fn linear(&mut self, h: &[NodeId], (weight, bias): (ParamId, ParamId), linear: usize) -> Vec<NodeId> {
        let Self { g, groups, params, store, .. } = self;
        let w = &params[store.entry(weight).range()];
        let b = &params[store.entry(bias).range()];
        let (width, out) = (self.width, b.len());
        self.column_groups = (0..out).map(|o| Some(groups.group(&format!("l{linear}.n{o}")))).collect();
        let mut next = Vec::with_capacity(self.n * out);
        for r in 0..self.n {
            let row = &h[r * width..(r + 1) * width];
            for (o, &bo) in b.iter().enumerate() {
                let start = g.len();
                let wrow = &w[o * width..(o + 1) * width];
                let acc = sum_of(g, width, |g, i| g.mul(wrow[i], row[i])).expect("a layer has an input");
                next.push(g.add(acc, bo));
                if let Some(gid) = self.column_groups[o] {
                    groups.assign_range(start, g.len(), gid);
                }
            }
        }
        self.width = out;
        next
    }

    /// Batch-norm layer `bn` (1-based), per column: with the batch's mean and biased variance (training; returned as
    /// the layer's statistics) or the running ones (evaluation), then γ·x̂ + β; every node in the layer's group.
    fn batch_norm(
        &mut self,
        h: &[NodeId],
        (gamma, beta): (ParamId, ParamId),
        running: &[T],
        bn: usize,
    ) -> (Vec<NodeId>, Option<BatchStats>) {
        let (n, width) = (self.n, self.width);
        let Self { g, groups, params, store, .. } = self;
        let start = g.len();
        let gid = groups.group(&format!("bn{bn}"));
        self.column_groups = vec![None; width];
        let gm = &params[store.entry(gamma).range()];
        let bt = &params[store.entry(beta).range()];
        let mut next = vec![h[0]; n * width];
        let inv_n = g.constant(1.0 / n as f64);
        let eps = g.constant(BN_EPS);
        let (mut means, mut vars) = (Vec::new(), Vec::new());
        for j in 0..width {
            let (mean, den) = match self.mode {
                Mode::Train => {
                    let sum = sum_of(g, n, |_, r| h[r * width + j]).expect("a batch has a row");
                    let mean = g.mul(sum, inv_n);
                    let ss = sum_of(g, n, |g, r| {
                        let d = g.binary(Binary::Sub, h[r * width + j], mean);
                        g.mul(d, d)
                    });
                    let var = g.mul(ss.expect("a batch has a row"), inv_n);
                    means.push(g.value(mean));
                    vars.push(g.value(var));
                    let ve = g.add(var, eps);
                    (mean, g.unary(Unary::Sqrt, ve))
                }
                Mode::Eval => {
                    let mean = g.constant(running[j].as_f64());
                    let ve = g.constant(running[width + j].as_f64() + BN_EPS);
                    (mean, g.unary(Unary::Sqrt, ve))
                }
            };
            for r in 0..n {
                let d = g.binary(Binary::Sub, h[r * width + j], mean);
                let xhat = g.binary(Binary::Div, d, den);
                let scaled = g.mul(gm[j], xhat);
                next[r * width + j] = g.add(scaled, bt[j]);
            }
        }
        groups.assign_range(start, g.len(), gid);
        (next, (self.mode == Mode::Train).then_some((means, vars)))
    }

    /// The activation `f` on every element, each node in its column's neuron group.
    fn activation(&mut self, h: &[NodeId], f: Unary) -> Vec<NodeId> {
        let width = self.width.max(1);
        h.iter()
            .enumerate()
            .map(|(k, &a)| {
                let id = self.g.unary(f, a);
                if let Some(&Some(gid)) = self.column_groups.get(k % width) {
                    self.groups.assign(id, gid);
                }
                id
            })
            .collect()
    }

    /// Dropout in training: each element times its mask value (0, or 1/(1 − p)), in its column's neuron group.
    fn dropout(&mut self, h: &[NodeId], mask: &[f64]) -> Vec<NodeId> {
        let width = self.width.max(1);
        h.iter()
            .zip(mask)
            .enumerate()
            .map(|(k, (&a, &m))| {
                let start = self.g.len();
                let c = self.g.constant(m);
                let id = self.g.mul(a, c);
                if let Some(&Some(gid)) = self.column_groups.get(k % width) {
                    self.groups.assign_range(start, self.g.len(), gid);
                }
                id
            })
            .collect()
    }

    /// The data loss of the scores `h` against `targets`, plus λ·Σw² and λ·Σ|w| over the linear layers' weights,
    /// labelled `loss` and grouped as `loss`.
    fn loss(&mut self, mlp: &Mlp<T>, h: &[NodeId], targets: &[f64]) -> NodeId {
        let loss_start = self.g.len();
        let data_loss = scalar_loss(&mut self.g, mlp.spec.loss, h, targets, self.n, self.width);
        let mut total = data_loss;
        for (lambda, u) in [(mlp.spec.l2, None), (mlp.spec.l1, Some(Unary::Abs))] {
            if lambda == 0.0 {
                continue;
            }
            let lam = self.g.constant(lambda);
            for layer in &mlp.layers {
                if let MlpLayer::Linear { weight, .. } = layer {
                    let Self { g, params, store, .. } = self;
                    let w = &params[store.entry(*weight).range()];
                    let penalty = sum_of(g, w.len(), |g, i| match u {
                        None => g.mul(w[i], w[i]),
                        Some(u) => g.unary(u, w[i]),
                    });
                    if let Some(s) = penalty {
                        let pen = g.mul(lam, s);
                        total = g.add(total, pen);
                    }
                }
            }
        }
        self.g.set_label(total, "loss");
        let loss_group = self.groups.group("loss");
        self.groups.assign_range(loss_start, self.g.len(), loss_group);
        total
    }
}

/// The mean loss over n rows of scores s (n × k) as scalar nodes.
fn scalar_loss(g: &mut Graph, kind: Loss, s: &[NodeId], t: &[f64], n: usize, k: usize) -> NodeId {
    let one = g.constant(1.0);
    let mut rows = Vec::with_capacity(n);
    for r in 0..n {
        let row = &s[r * k..(r + 1) * k];
        let l = match kind {
            Loss::Mse => {
                let mut acc = None;
                for (j, &sj) in row.iter().enumerate() {
                    let tj = g.constant(t[r * k + j]);
                    let d = g.binary(Binary::Sub, sj, tj);
                    let d2 = g.mul(d, d);
                    acc = Some(match acc {
                        None => d2,
                        Some(a) => g.add(a, d2),
                    });
                }
                let inv_k = g.constant(1.0 / k as f64);
                g.mul(acc.expect("k ≥ 1"), inv_k)
            }
            Loss::BceLogits => {
                // max(z, 0) − z·y + log(1 + e^(−|z|))
                let z = row[0];
                let y = g.constant(t[r]);
                let relu = g.unary(Unary::Relu, z);
                let zy = g.mul(z, y);
                let a = g.unary(Unary::Abs, z);
                let na = g.unary(Unary::Neg, a);
                let e = g.unary(Unary::Exp, na);
                let e1 = g.add(one, e);
                let lg = g.unary(Unary::Log, e1);
                let d = g.binary(Binary::Sub, relu, zy);
                g.add(d, lg)
            }
            Loss::MarginHinge => {
                let y = g.constant(t[r]);
                let ys = g.mul(y, row[0]);
                let m = g.binary(Binary::Sub, one, ys);
                g.unary(Unary::Relu, m)
            }
            Loss::SoftmaxCe => {
                let y = t[r] as usize;
                let m = row.iter().map(|&v| g.value(v)).fold(f64::NEG_INFINITY, f64::max);
                let mc = g.constant(m);
                let mut sum = None;
                for &sj in row {
                    let d = g.binary(Binary::Sub, sj, mc);
                    let e = g.unary(Unary::Exp, d);
                    sum = Some(match sum {
                        None => e,
                        Some(a) => g.add(a, e),
                    });
                }
                let lg = g.unary(Unary::Log, sum.expect("k ≥ 1"));
                let lse = g.add(lg, mc);
                g.binary(Binary::Sub, lse, row[y])
            }
            Loss::MulticlassHinge => {
                let y = t[r] as usize;
                let mut acc = None;
                for (j, &sj) in row.iter().enumerate() {
                    if j == y {
                        continue;
                    }
                    let d = g.binary(Binary::Sub, sj, row[y]);
                    let m = g.add(d, one);
                    let h = g.unary(Unary::Relu, m);
                    acc = Some(match acc {
                        None => h,
                        Some(a) => g.add(a, h),
                    });
                }
                acc.unwrap_or_else(|| g.constant(0.0))
            }
        };
        rows.push(l);
    }
    let mut total = rows.first().copied().unwrap_or_else(|| g.constant(0.0));
    for &l in rows.iter().skip(1) {
        total = g.add(total, l);
    }
    let inv_n = g.constant(1.0 / n.max(1) as f64);
    g.mul(total, inv_n)
}
