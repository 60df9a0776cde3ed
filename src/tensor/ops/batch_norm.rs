//! Batch normalization with the batch's statistics (training) and with given ones (evaluation), each forward beside
//! its backward rule.
//!
//! ```text
//! batch_norm       γ·x̂ + β, x̂ = (x − μ)/√(σ² + ε), batch μ, biased σ²   γ: Σ G⊙x̂;  β: Σ G;
//!                                                                       x: (1/√(σ²+ε))·(Gγ − mean(Gγ) − x̂·mean(Gγ⊙x̂))
//! batch_norm_eval  the same with running μ, σ²                          γ: Σ G⊙x̂;  β: Σ G;  x: G·γ/√(σ²+ε)
//! ```

use crate::tensor::TensorError;
use crate::tensor::gemm::Element;
use crate::tensor::grads::{Grads, column_reduce, column_sums, put};
use crate::tensor::tape::{Fresh, Node, NodeId, Op, Tape, Values};

impl<T: Element> Tape<T> {
    /// Batch normalization in training mode: per column, x̂ = (x − μ)/√(σ² + ε) with the batch mean μ and the
    /// biased batch variance σ², then γ·x̂ + β (`gamma`, `beta`: 1 × c).
    pub fn batch_norm(&mut self, x: NodeId, gamma: NodeId, beta: NodeId, eps: f64) -> Result<NodeId, TensorError> {
        let (r, c) = self.bn_shapes(x, gamma, beta)?;
        let id = self.push(Op::BatchNorm { x, gamma, beta, eps }, r, c, 2 * c);
        let Fresh { values: v, out, aux, nodes } = self.fresh();
        let (xs, g, b) = (v.of(&nodes[x.index()]), v.of(&nodes[gamma.index()]), v.of(&nodes[beta.index()]));
        let (mean, var) = aux.split_at_mut(c);
        column_stats(xs, r, c, mean, var);
        let eps = T::from_f64(eps);
        for (orow, xrow) in out.chunks_exact_mut(c).zip(xs.chunks_exact(c)) {
            for j in 0..c {
                let inv = T::one() / (var[j] + eps).sqrt();
                orow[j] = g[j] * ((xrow[j] - mean[j]) * inv) + b[j];
            }
        }
        Ok(id)
    }

    fn bn_shapes(&self, x: NodeId, gamma: NodeId, beta: NodeId) -> Result<(usize, usize), TensorError> {
        let nx = *self.check_node("batch_norm", x)?;
        for p in [gamma, beta] {
            let np = *self.check_node("batch_norm", p)?;
            if (np.rows, np.cols) != (1, nx.cols) {
                return Err(TensorError::ShapeMismatch {
                    op: "batch_norm",
                    lhs: (nx.rows, nx.cols),
                    rhs: (np.rows, np.cols),
                });
            }
        }
        if nx.rows == 0 || nx.cols == 0 {
            return Err(TensorError::Empty { op: "batch_norm" });
        }
        Ok((nx.rows, nx.cols))
    }
}

/// `batch_norm`'s backward rule, through the batch statistics kept beside the output.
pub(in crate::tensor) fn batch_norm_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (x, gamma, beta, eps): (NodeId, NodeId, NodeId, f64),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let (r, c) = (n.rows, n.cols);
    let xs = v.of(&node(x));
    let gm = v.of(&node(gamma));
    let mean = &v.arena[n.aux..n.aux + c];
    let var = &v.arena[n.aux + c..n.aux + 2 * c];
    let eps = T::from_f64(eps);
    let xhat = |i: usize| {
        let j = i % c;
        (xs[i] - mean[j]) / (var[j] + eps).sqrt()
    };
    if let Some((gg, acc)) = g.slot(gamma) {
        column_reduce(r, c, gg, acc, |i| gout[i] * xhat(i));
    }
    if let Some((gb, acc)) = g.slot(beta) {
        column_sums(gout, c, gb, acc);
    }
    if let Some((gx, acc)) = g.slot(x) {
        // dx = (1/σ)·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·γ  (column means over the batch)
        let rn = T::from_usize(r);
        for j in 0..c {
            let inv = T::one() / (var[j] + eps).sqrt();
            let (mut s1, mut s2) = (T::zero(), T::zero());
            for i in 0..r {
                let d = gout[i * c + j] * gm[j];
                s1 += d;
                s2 += d * xhat(i * c + j);
            }
            let (m1, m2) = (s1 / rn, s2 / rn);
            for i in 0..r {
                let k = i * c + j;
                let val = inv * (gout[k] * gm[j] - m1 - xhat(k) * m2);
                if acc { gx[k] += val } else { gx[k] = val }
            }
        }
    }
}

impl<T: Element> Tape<T> {
    /// Batch normalization in evaluation mode, with `stats` (2 × c: running mean, then running variance).
    pub fn batch_norm_eval(
        &mut self,
        x: NodeId,
        gamma: NodeId,
        beta: NodeId,
        stats: NodeId,
        eps: f64,
    ) -> Result<NodeId, TensorError> {
        let (r, c) = self.bn_shapes(x, gamma, beta)?;
        let ns = *self.check_node("batch_norm", stats)?;
        if (ns.rows, ns.cols) != (2, c) {
            return Err(TensorError::ShapeMismatch { op: "batch_norm", lhs: (r, c), rhs: (ns.rows, ns.cols) });
        }
        let id = self.push(Op::BatchNormEval { x, gamma, beta, stats, eps }, r, c, 0);
        let Fresh { values: v, out, nodes, .. } = self.fresh();
        let (xs, g, b, s) = (
            v.of(&nodes[x.index()]),
            v.of(&nodes[gamma.index()]),
            v.of(&nodes[beta.index()]),
            v.of(&nodes[stats.index()]),
        );
        let eps = T::from_f64(eps);
        for (orow, xrow) in out.chunks_exact_mut(c).zip(xs.chunks_exact(c)) {
            for j in 0..c {
                let inv = T::one() / (s[c + j] + eps).sqrt();
                orow[j] = g[j] * ((xrow[j] - s[j]) * inv) + b[j];
            }
        }
        Ok(id)
    }
}

/// `batch_norm_eval`'s backward rule: the statistics are constants here.
pub(in crate::tensor) fn batch_norm_eval_backward<T: Element>(
    n: &Node,
    v: &Values<'_, T>,
    gout: &[T],
    g: &mut Grads<'_, T>,
    (x, gamma, beta, stats, eps): (NodeId, NodeId, NodeId, NodeId, f64),
) {
    let node = |id: NodeId| g.nodes[id.index()];
    let c = n.cols;
    let xs = v.of(&node(x));
    let gm = v.of(&node(gamma));
    let s = v.of(&node(stats));
    let eps = T::from_f64(eps);
    let inv = |j: usize| T::one() / (s[c + j] + eps).sqrt();
    if let Some((gg, acc)) = g.slot(gamma) {
        column_reduce(n.rows, c, gg, acc, |i| gout[i] * (xs[i] - s[i % c]) * inv(i % c));
    }
    if let Some((gb, acc)) = g.slot(beta) {
        column_sums(gout, c, gb, acc);
    }
    if let Some((gx, acc)) = g.slot(x) {
        put(gx, acc, |i| gout[i] * gm[i % c] * inv(i % c));
    }
}

/// Column means and biased variances of an r × c matrix (two passes, for accuracy).
pub(crate) fn column_stats<T: Element>(x: &[T], r: usize, c: usize, mean: &mut [T], var: &mut [T]) {
    let rn = T::from_usize(r);
    mean.iter_mut().for_each(|m| *m = T::zero());
    var.iter_mut().for_each(|m| *m = T::zero());
    for row in x.chunks_exact(c) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= rn);
    for row in x.chunks_exact(c) {
        for ((s, &v), &m) in var.iter_mut().zip(row).zip(mean.iter()) {
            *s += (v - m) * (v - m);
        }
    }
    var.iter_mut().for_each(|s| *s /= rn);
}
