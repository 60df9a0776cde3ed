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

use super::{BN_EPS, Built, Mlp, Mode, fill_dropout_mask};
use crate::scalar::{Binary, Graph, GroupsBuilder, NodeId, Unary};
use crate::tensor::{Element, Loss};

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
    /// loss. Dropout masks come from `rng` in the same order as [`Mlp::forward`] draws them.
    pub fn scalar_graph(&self, x: &[f64], labels: &[usize], mode: Mode, rng: &mut impl Rng) -> ScalarNet {
        let n = labels.len();
        let mut g = Graph::with_capacity(n * self.spec.parameter_count() * 2 + 16);
        let store = self.params();
        let params: Vec<NodeId> = store
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
        let leaf = |e: crate::tensor::ParamId| -> &[NodeId] { &params[store.entry(e).range()] };
        let mut groups = GroupsBuilder::new(0);
        // the groups of each linear layer's neurons, for its parameters now and its nodes below
        let mut linear = 0;
        let mut bn = 0;
        for layer in &self.layers {
            match layer {
                Built::Linear { weight, bias } => {
                    linear += 1;
                    let (w, b) = (leaf(*weight), leaf(*bias));
                    let width = w.len() / b.len().max(1);
                    for (o, &bo) in b.iter().enumerate() {
                        let gid = groups.group(&format!("l{linear}.n{o}"));
                        for &wi in &w[o * width..(o + 1) * width] {
                            groups.assign(wi, gid);
                        }
                        groups.assign(bo, gid);
                    }
                }
                Built::BatchNorm { gamma, beta, .. } => {
                    bn += 1;
                    let gid = groups.group(&format!("bn{bn}"));
                    for &p in leaf(*gamma).iter().chain(leaf(*beta)) {
                        groups.assign(p, gid);
                    }
                }
                _ => {}
            }
        }
        let (mut linear, mut bn) = (0, 0);
        // the group of each column of h: the neuron that made it
        let mut column_groups: Vec<Option<u32>> = Vec::new();
        let width0 = self.spec.inputs;
        let mut h: Vec<NodeId> = (0..n * width0)
            .map(|i| {
                let c = g.constant(x[i]);
                g.set_label(c, format!("x[{}][{}]", i / width0, i % width0));
                c
            })
            .collect();
        let mut width = width0;
        let mut batch_stats = Vec::new();
        let mut mask = Vec::new();
        for layer in &self.layers {
            h = match layer {
                Built::Linear { weight, bias } => {
                    let (w, b) = (leaf(*weight), leaf(*bias));
                    let out = b.len();
                    linear += 1;
                    column_groups = (0..out).map(|o| Some(groups.group(&format!("l{linear}.n{o}")))).collect();
                    let mut next = Vec::with_capacity(n * out);
                    for r in 0..n {
                        let row = &h[r * width..(r + 1) * width];
                        for (o, &bo) in b.iter().enumerate() {
                            let start = g.len();
                            let wrow = &w[o * width..(o + 1) * width];
                            let mut acc = g.mul(wrow[0], row[0]);
                            for i in 1..width {
                                let p = g.mul(wrow[i], row[i]);
                                acc = g.add(acc, p);
                            }
                            next.push(g.add(acc, bo));
                            if let Some(gid) = column_groups[o] {
                                groups.assign_range(start, g.len(), gid);
                            }
                        }
                    }
                    width = out;
                    next
                }
                Built::BatchNorm { gamma, beta, running, .. } => {
                    let start = g.len();
                    bn += 1;
                    let gid = groups.group(&format!("bn{bn}"));
                    column_groups = vec![None; width];
                    let (gm, bt) = (leaf(*gamma), leaf(*beta));
                    let mut next = vec![h[0]; n * width];
                    let inv_n = g.constant(1.0 / n as f64);
                    let eps = g.constant(BN_EPS);
                    let (mut means, mut vars) = (Vec::new(), Vec::new());
                    for j in 0..width {
                        let (mean, den) = match mode {
                            Mode::Train => {
                                let mut sum = h[j];
                                for r in 1..n {
                                    sum = g.add(sum, h[r * width + j]);
                                }
                                let mean = g.mul(sum, inv_n);
                                let mut ss = None;
                                for r in 0..n {
                                    let d = g.binary(Binary::Sub, h[r * width + j], mean);
                                    let d2 = g.mul(d, d);
                                    ss = Some(match ss {
                                        None => d2,
                                        Some(s) => g.add(s, d2),
                                    });
                                }
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
                    if mode == Mode::Train {
                        batch_stats.push((means, vars));
                    }
                    groups.assign_range(start, g.len(), gid);
                    next
                }
                Built::Act(u) => h
                    .iter()
                    .enumerate()
                    .map(|(k, &a)| {
                        let id = g.unary(*u, a);
                        if let Some(&Some(gid)) = column_groups.get(k % width.max(1)) {
                            groups.assign(id, gid);
                        }
                        id
                    })
                    .collect(),
                Built::Dropout(p) => match mode {
                    Mode::Train if *p > 0.0 => {
                        mask.resize(h.len(), 0.0f64);
                        fill_dropout_mask(rng, *p, &mut mask);
                        h.iter()
                            .zip(&mask)
                            .enumerate()
                            .map(|(k, (&a, &m))| {
                                let start = g.len();
                                let c = g.constant(m);
                                let id = g.mul(a, c);
                                if let Some(&Some(gid)) = column_groups.get(k % width.max(1)) {
                                    groups.assign_range(start, g.len(), gid);
                                }
                                id
                            })
                            .collect()
                    }
                    _ => h,
                },
            };
        }
        let mut targets = Vec::new();
        self.targets(labels, &mut targets);
        let targets: Vec<f64> = targets.into_iter().map(|t| t.as_f64()).collect();
        let loss_start = g.len();
        let data_loss = scalar_loss(&mut g, self.spec.loss, &h, &targets, n, width);
        let mut total = data_loss;
        for (lambda, u) in [(self.spec.l2, None), (self.spec.l1, Some(Unary::Abs))] {
            if lambda == 0.0 {
                continue;
            }
            let lam = g.constant(lambda);
            for layer in &self.layers {
                if let Built::Linear { weight, .. } = layer {
                    let mut sum = None;
                    for &w in leaf(*weight) {
                        let term = match u {
                            None => g.mul(w, w),
                            Some(u) => g.unary(u, w),
                        };
                        sum = Some(match sum {
                            None => term,
                            Some(s) => g.add(s, term),
                        });
                    }
                    if let Some(s) = sum {
                        let pen = g.mul(lam, s);
                        total = g.add(total, pen);
                    }
                }
            }
        }
        g.set_label(total, "loss");
        let loss_group = groups.group("loss");
        groups.assign_range(loss_start, g.len(), loss_group);
        let groups = groups.finish_for(g.len());
        ScalarNet { graph: g, loss: total, params, outputs: h, batch_stats, groups }
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
