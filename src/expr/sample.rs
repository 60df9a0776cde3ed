//! Generated programs for measuring the language at scale: the memory test, the benchmarks and
//! `bench/compare_scalar.py --workload program`, which writes the same text (and the same program in Python with
//! micrograd) from the same generator.

use std::fmt::Write;

use crate::scalar::workloads::Lcg;

/// A program of `statements` statements (at least 2) in the mix a learner's network makes: about 10% inputs
/// (`w7 = -0.301`), 30% tanh neurons of four weighted terms, 15% relu units, 10% `t = exp(tanh(a*b) - 1) * c` with
/// `t` reassigned, 20% `s += …` accumulating into one sum, 15% products of differences; each reads names bound at most
/// 64 names earlier. The output is `loss = s * s * 0.0001`. Every value stays within [-2, 2] except `s`, so nothing
/// overflows. About 60 bytes and 6.7 nodes a statement. O(statements).
pub fn mixed_program(statements: usize) -> String {
    let mut rng = Lcg(11);
    let mut pool: Vec<String> = Vec::new();
    let mut out = String::with_capacity(statements * 64);
    out.push_str("s = 0.000\n");
    let picks = |rng: &mut Lcg, pool: &[String], k: usize| -> Vec<String> {
        (0..k).map(|_| pool[pool.len() - 1 - rng.below(pool.len().min(64))].clone()).collect()
    };
    for i in 1..statements.max(2) - 1 {
        let k = rng.below(100);
        if k < 10 || pool.len() < 5 {
            let m = rng.below(2001) as i64 - 1000;
            let sign = if m < 0 { "-" } else { "" };
            let _ = writeln!(out, "w{i} = {sign}{}.{:03}", m.abs() / 1000, m.abs() % 1000);
            pool.push(format!("w{i}"));
        } else if k < 40 {
            let v = picks(&mut rng, &pool, 9);
            let _ = writeln!(
                out,
                "h{i} = tanh({}*{} + {}*{} + {}*{} + {}*{} + {})",
                v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]
            );
            pool.push(format!("h{i}"));
        } else if k < 55 {
            let v = picks(&mut rng, &pool, 5);
            let _ = writeln!(out, "r{i} = relu({}*{} + {}*{} - {}*0.5)", v[0], v[1], v[2], v[3], v[4]);
            pool.push(format!("r{i}"));
        } else if k < 65 {
            let v = picks(&mut rng, &pool, 3);
            let _ = writeln!(out, "t = exp(tanh({}*{}) - 1) * {}", v[0], v[1], v[2]);
            if !pool[pool.len().saturating_sub(64)..].iter().any(|n| n == "t") {
                pool.push("t".to_owned());
            }
        } else if k < 85 {
            let v = picks(&mut rng, &pool, 6);
            let _ = writeln!(out, "s += {}*{} + {}*{} + {}*{}", v[0], v[1], v[2], v[3], v[4], v[5]);
        } else {
            let v = picks(&mut rng, &pool, 6);
            let _ = writeln!(out, "p{i} = ({} + {}) * ({} - {}) * 0.25 + {}*{}", v[0], v[1], v[2], v[3], v[4], v[5]);
            pool.push(format!("p{i}"));
        }
    }
    out.push_str("loss = s * s * 0.0001\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_compiles_to_about_the_documented_size() {
        let src = mixed_program(10_000);
        assert_eq!(src.lines().count(), 10_000);
        // the first lines, as bench/compare_scalar.py's mirror of this generator writes them
        let head: Vec<&str> = src.lines().take(9).collect();
        assert_eq!(
            head,
            [
                "s = 0.000",
                "w1 = 0.423",
                "w2 = 0.281",
                "w3 = 0.789",
                "w4 = 0.605",
                "w5 = -0.794",
                "s += w3*w2 + w4*w1 + w3*w1",
                "s += w2*w3 + w1*w1 + w4*w2",
                "s += w5*w4 + w1*w2 + w4*w1",
            ]
        );
        let p = crate::expr::compile(&src, &[]).expect("the generated program compiles");
        let per_statement = p.graph.len() as f64 / 10_000.0;
        assert!((6.0..7.5).contains(&per_statement), "{per_statement} nodes a statement");
        assert!(p.value().is_finite() && p.grads().iter().all(|(_, g)| g.is_finite()));
        assert_eq!(p.inputs.len(), src.lines().filter(|l| l.starts_with('w') || l.starts_with("s =")).count());
    }
}
