//! The bookkeeping of a backward pass, apart from the math: where each share of a gradient goes (the arena below the
//! current node, or the parameter store), whether it is the first share (written) or a later one (added), and when
//! two independent gradient products run one per thread.

use crate::tensor::gemm::{self, Element};
use crate::tensor::tape::{Node, NodeId, Op};

/// Where the shares of a backward step go: the arena below the current node, or the parameter store.
pub(super) struct Grads<'a, T> {
    pub(super) lo: &'a mut [T],
    pub(super) params: &'a mut [T],
    pub(super) nodes: &'a [Node],
    pub(super) written: &'a mut [bool],
    pub(super) param_written: &'a mut [bool],
}

impl<T: Element> Grads<'_, T> {
    /// The gradient buffer of operand `a` and whether to add to it (a share has already been written), or None
    /// when `a` needs no gradient.
    pub(super) fn slot(&mut self, a: NodeId) -> Option<(&mut [T], bool)> {
        let n = &self.nodes[a.index()];
        if !n.needs_grad {
            return None;
        }
        let (buf, seen) = match n.op {
            Op::Param(p) => (&mut self.params[n.off..n.off + n.len()], &mut self.param_written[p.0 as usize]),
            _ => (&mut self.lo[n.off..n.off + n.len()], &mut self.written[a.index()]),
        };
        let acc = *seen;
        *seen = true;
        // a parameter used twice on one tape shares its store gradient: mark the node too
        self.written[a.index()] = true;
        Some((buf, acc))
    }

    /// The gradient buffers of two operands at once, when both need one and they do not overlap (so that two
    /// threads may fill them); None otherwise, and then nothing is marked.
    #[allow(clippy::type_complexity)]
    pub(super) fn slot_pair(&mut self, a: NodeId, b: NodeId) -> Option<((&mut [T], bool), (&mut [T], bool))> {
        let (na, nb) = (self.nodes[a.index()], self.nodes[b.index()]);
        if a == b || !na.needs_grad || !nb.needs_grad {
            return None;
        }
        let (ra, rb) = (na.off..na.off + na.len(), nb.off..nb.off + nb.len());
        let (pa, pb) = (matches!(na.op, Op::Param(_)), matches!(nb.op, Op::Param(_)));
        if pa == pb && ra.start < rb.end && rb.start < ra.end {
            return None; // the same parameter twice, or overlapping buffers
        }
        let mut mark = |id: NodeId, n: &Node| {
            let seen = match n.op {
                Op::Param(p) => &mut self.param_written[p.0 as usize],
                _ => &mut self.written[id.index()],
            };
            let acc = *seen;
            *seen = true;
            self.written[id.index()] = true;
            acc
        };
        let (acc_a, acc_b) = (mark(a, &na), mark(b, &nb));
        let (sa, sb) = match (pa, pb) {
            (true, false) => (&mut self.params[ra], &mut self.lo[rb]),
            (false, true) => (&mut self.lo[ra], &mut self.params[rb]),
            _ => {
                let buf: &mut [T] = if pa { &mut *self.params } else { &mut *self.lo };
                if ra.start < rb.start {
                    let (x, y) = buf.split_at_mut(rb.start);
                    (&mut x[ra], &mut y[..rb.len()])
                } else {
                    let (y, x) = buf.split_at_mut(ra.start);
                    (&mut x[..ra.len()], &mut y[rb])
                }
            }
        };
        Some(((sa, acc_a), (sb, acc_b)))
    }

    /// A product's two gradient products, each of `macs` multiply-adds: `grad_a(buffer, accumulate, split)` into a's
    /// gradient and `grad_b` into b's. They are independent, so when both are needed and large they run one per
    /// thread (no split, no packing twice); otherwise one after the other, each split over two threads if large.
    pub(super) fn two_products<FA, FB>(&mut self, (a, grad_a): (NodeId, FA), (b, grad_b): (NodeId, FB), macs: usize)
    where
        FA: Fn(&mut [T], bool, bool) + Sync,
        FB: Fn(&mut [T], bool, bool) + Sync,
    {
        if gemm::parallel(2 * macs)
            && let Some(((ga, acc_a), (gb, acc_b))) = self.slot_pair(a, b)
        {
            crate::parallel::join(|| grad_a(ga, acc_a, false), || grad_b(gb, acc_b, false));
            return;
        }
        if let Some((ga, acc)) = self.slot(a) {
            grad_a(ga, acc, gemm::parallel(macs));
        }
        if let Some((gb, acc)) = self.slot(b) {
            grad_b(gb, acc, gemm::parallel(macs));
        }
    }
}

/// Writes or adds `f(i)` into every element of `dst`.
#[inline(always)]
pub(super) fn put<T: Element>(dst: &mut [T], acc: bool, f: impl Fn(usize) -> T) {
    if acc {
        for (i, d) in dst.iter_mut().enumerate() {
            *d += f(i);
        }
    } else {
        for (i, d) in dst.iter_mut().enumerate() {
            *d = f(i);
        }
    }
}

/// dst[j] (+)= Σ_i src[i·c + j].
pub(super) fn column_sums<T: Element>(src: &[T], c: usize, dst: &mut [T], acc: bool) {
    if !acc {
        dst.iter_mut().for_each(|d| *d = T::zero());
    }
    for row in src.chunks_exact(c.max(1)) {
        for (d, &s) in dst.iter_mut().zip(row) {
            *d += s;
        }
    }
}

/// dst[j] (+)= Σ_i f(i·c + j).
pub(super) fn column_reduce<T: Element>(r: usize, c: usize, dst: &mut [T], acc: bool, f: impl Fn(usize) -> T) {
    if !acc {
        dst.iter_mut().for_each(|d| *d = T::zero());
    }
    for i in 0..r {
        for (j, d) in dst.iter_mut().enumerate() {
            *d += f(i * c + j);
        }
    }
}
