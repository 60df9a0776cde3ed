//! The standard workloads of the benchmarks and of `bench/compare_scalar`, built here so that criterion, the
//! throughput example and the tests use the same graphs. `bench/compare_scalar.py` builds the same graphs in micrograd
//! and PyTorch with the same deterministic generator.

use super::graph::{Graph, NodeId};
use super::op::{Binary, Unary};

/// A 64-bit linear congruential generator (Knuth's MMIX constants): tiny, deterministic and easy to mirror in Python.
#[derive(Clone, Debug)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A chain `v = v·a + b`, repeated until the graph holds `n` nodes (2 leaves `a`, `b`, a leaf `x` to start). Returns
/// the graph and its output. Values stay bounded: a = 0.999, b = 0.001.
pub fn chain(n: usize) -> (Graph, NodeId) {
    let mut g = Graph::with_capacity(n.max(3));
    let a = g.named_leaf("a", 0.999);
    let b = g.named_leaf("b", 0.001);
    let mut v = g.named_leaf("x", 0.5);
    while g.len() + 2 <= n {
        let m = g.mul(v, a);
        v = g.add(m, b);
    }
    (g, v)
}

/// A wide and deep random DAG: `width` leaves, then `depth` layers of `width` nodes, node `j` of layer `k` applying
/// `+`, `*` or `tanh` (by `(j + k) % 3`) to nodes of the previous layer picked by an [`Lcg`] seeded with 42; the output
/// is the sum of the last layer. `width · (depth + 2) - 1` nodes.
pub fn dag(width: usize, depth: usize) -> (Graph, NodeId) {
    let width = width.max(1);
    let mut g = Graph::with_capacity(width * (depth + 2));
    let mut rng = Lcg(42);
    let mut prev: Vec<NodeId> = (0..width).map(|i| g.leaf(((i % 7) as f64 - 3.0) / 4.0)).collect();
    let mut next = Vec::with_capacity(width);
    for k in 0..depth {
        next.clear();
        for j in 0..width {
            let p = prev[rng.below(width)];
            let q = prev[rng.below(width)];
            next.push(match (j + k) % 3 {
                0 => g.binary(Binary::Add, p, q),
                1 => g.binary(Binary::Mul, p, q),
                _ => g.unary(Unary::Tanh, p),
            });
        }
        std::mem::swap(&mut prev, &mut next);
    }
    let mut out = prev[0];
    for &p in &prev[1..] {
        out = g.add(out, p);
    }
    (g, out)
}

/// A program of `n` statements for the parser benchmark: inputs, then a mix of ops over earlier names.
pub fn program_text(n: usize) -> String {
    let mut s = String::with_capacity(n * 24);
    s.push_str("x0 = 0.5\nx1 = -1.5\n");
    let mut rng = Lcg(7);
    for i in 2..n.max(3) {
        let a = rng.below(i);
        let b = rng.below(i);
        let line = match i % 4 {
            0 => format!("x{i} = x{a} + x{b} * 0.5\n"),
            1 => format!("x{i} = tanh(x{a}) - x{b}\n"),
            2 => format!("x{i} = x{a} * x{b}\n"),
            _ => format!("x{i} = sigmoid(x{a} + 1) / 2\n"),
        };
        s.push_str(&line);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_as_documented() {
        let (g, out) = chain(1001);
        assert_eq!(g.len(), 1001);
        assert_eq!(out.index(), 1000);
        let (g, out) = dag(10, 5);
        assert_eq!(g.len(), 10 * 7 - 1);
        assert_eq!(out.index(), g.len() - 1);
        let p = crate::expr::compile(&program_text(100), &[]).unwrap();
        assert_eq!(p.inputs.len(), 2);
    }

    #[test]
    fn lcg_matches_the_python_mirror() {
        // bench/compare_scalar.py prints these for Lcg(42): the first five draws below 1000
        let mut r = Lcg(42);
        let v: Vec<usize> = (0..5).map(|_| r.below(1000)).collect();
        assert_eq!(v, lcg_reference());
    }

    fn lcg_reference() -> Vec<usize> {
        // computed independently with Python's arbitrary-precision integers:
        // s = (s * 6364136223846793005 + 1442695040888963407) % 2**64; (s >> 33) % 1000
        let mut s: u128 = 42;
        (0..5)
            .map(|_| {
                s = (s * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) % (1u128 << 64);
                ((s >> 33) % 1000) as usize
            })
            .collect()
    }
}
