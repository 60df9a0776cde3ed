//! The programs a teacher reaches for first (REFERENCE.md): the lecture's circuit, the sigmoid neuron both ways, the
//! max gate, the staged example, micrograd's two tests and Karpathy's tanh neuron, each with the names its source
//! uses (cs231n's staged example stages `sigy`, `num`, `sigx`, `xpy`, `xpysqr`, `den`, `invden`; Karpathy's neuron
//! `x1w1`, `x2w2`, `x1w1x2w2`, `n`, `o`), and micrograd's demo network at full size, its text generated
//! ([`mlp_source`]) with dotted names so that the view folds each neuron and each layer.

use std::borrow::Cow;
use std::fmt::Write;

use rand::{RngExt, SeedableRng};

/// A preset's program text: written out, or generated when loaded.
#[derive(Clone, Copy, Debug)]
pub enum Text {
    /// The text itself.
    Fixed(&'static str),
    /// A function writing it.
    Generated(fn() -> String),
}

/// A named program.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// The name in the menu.
    pub name: &'static str,
    /// The program text.
    pub text: Text,
}

impl Preset {
    /// The program text.
    pub fn source(&self) -> Cow<'static, str> {
        match self.text {
            Text::Fixed(s) => Cow::Borrowed(s),
            Text::Generated(f) => Cow::Owned(f()),
        }
    }
}

/// The name of the network preset.
pub const MLP_PRESET: &str = "micrograd MLP 2-16-16-1";

/// The program of an MLP on one input point with a squared loss, micrograd's way (`MLP(2, [16, 16, 1])`): neuron `j`
/// of layer `k` is `lk.nj = tanh(lk.nj.s)` with `lk.nj.s = lk.nj.b + lk.nj.w0*x0 + ...` (the last layer is linear,
/// `lk.nj = lk.nj.b + ...`), then `loss = (lk.n0 - 1)^2`. Weights are uniform in [-1, 1) from a seeded stream
/// (rounded to 4 decimals), biases 0, as micrograd initializes them; tanh as in the lecture's micrograd. 2-16-16-1
/// makes 983 nodes, 339 of them inputs.
pub fn mlp_source(sizes: &[usize], seed: u64) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut s = String::new();
    let inputs = sizes.first().copied().unwrap_or(0);
    let mut prev: Vec<String> = (0..inputs).map(|i| format!("x{i}")).collect();
    for (i, x) in prev.iter().enumerate() {
        // a point of micrograd's moons, about
        let _ = writeln!(s, "{x} = {}", [0.5, -1.2][i % 2] + 0.1 * (i / 2) as f64);
    }
    let layers = sizes.len().saturating_sub(1);
    for (k, &size) in sizes.iter().enumerate().skip(1) {
        let last = k == layers;
        let mut next = Vec::with_capacity(size);
        for j in 0..size {
            let n = format!("l{k}.n{j}");
            for i in 0..prev.len() {
                let w: f64 = rng.random_range(-1.0..1.0);
                let _ = writeln!(s, "{n}.w{i} = {:.4}", w);
            }
            let _ = writeln!(s, "{n}.b = 0");
            let sum = std::iter::once(format!("{n}.b"))
                .chain(prev.iter().enumerate().map(|(i, x)| format!("{n}.w{i}*{x}")))
                .collect::<Vec<_>>()
                .join(" + ");
            if last {
                let _ = writeln!(s, "{n} = {sum}");
            } else {
                let _ = writeln!(s, "{n}.s = {sum}\n{n} = tanh({n}.s)");
            }
            next.push(n);
        }
        prev = next;
    }
    let out = prev.first().cloned().unwrap_or_else(|| "0".into());
    let _ = write!(s, "loss = ({out} - 1)^2");
    s
}

fn micrograd_mlp() -> String {
    mlp_source(&[2, 16, 16, 1], 1337)
}

/// Every preset, in menu order.
pub const PRESETS: &[Preset] = &[
    Preset { name: "Lecture circuit (x + y)·z", text: Text::Fixed("x = -2\ny = 5\nz = -4\nq = x + y\nf = q * z") },
    Preset {
        name: "Sigmoid neuron (slide 17, expanded)",
        text: Text::Fixed("w0 = -3\nw1 = 2\nx1 = -1\nw2 = -3\nx2 = -2\nf = 1 / (1 + exp(-(w0 + w1*x1 + w2*x2)))"),
    },
    Preset {
        name: "Sigmoid neuron (fused gate)",
        text: Text::Fixed("w0 = -3\nw1 = 2\nx1 = -1\nw2 = -3\nx2 = -2\ndot = w0 + w1*x1 + w2*x2\nf = sigmoid(dot)"),
    },
    Preset { name: "Max gate", text: Text::Fixed("x = 3\ny = -4\nz = 2\nw = -1\nf = 2 * (x*y + max(z, w))") },
    Preset {
        name: "Staged example (cs231n)",
        text: Text::Fixed(
            "x = 3\ny = -4\nsigy = sigmoid(y)\nnum = x + sigy\nsigx = sigmoid(x)\nxpy = x + y\nxpysqr = xpy^2\n\
                 den = sigx + xpysqr\ninvden = 1 / den\nf = num * invden",
        ),
    },
    Preset {
        name: "micrograd test_sanity_check",
        text: Text::Fixed("x = -4\nz = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x"),
    },
    Preset {
        name: "micrograd test_more_ops",
        text: Text::Fixed(
            "a = -4\nb = 2\nc = a + b\nd = a*b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d*2 + relu(b + a)\n\
                 d += 3*d + relu(b - a)\ne = c - d\nf = e^2\ng = f / 2\ng += 10 / f",
        ),
    },
    Preset {
        name: "Karpathy's tanh neuron",
        text: Text::Fixed(
            "x1 = 2\nx2 = 0\nw1 = -3\nw2 = 1\nb = 6.8813735870195432\nx1w1 = x1*w1\nx2w2 = x2*w2\n\
                 x1w1x2w2 = x1w1 + x2w2\nn = x1w1x2w2 + b\no = tanh(n)",
        ),
    },
    Preset { name: MLP_PRESET, text: Text::Generated(micrograd_mlp) },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;

    #[test]
    fn every_preset_compiles() {
        for p in PRESETS {
            assert!(compile(&p.source(), &[]).is_ok(), "{}", p.name);
        }
    }

    #[test]
    fn the_micrograd_mlp_has_micrograds_size_and_groups() {
        let p = PRESETS.iter().find(|p| p.name == MLP_PRESET).unwrap();
        let prog = compile(&p.source(), &[]).unwrap();
        // inputs: 2 + (2·16 + 16) + (16·16 + 16) + (16 + 1) = 339; inner: 16·5 + 16·33 + 32, then 1, −, 2, ^
        assert_eq!(prog.inputs.len(), 339);
        assert_eq!(prog.graph.len(), 983);
        let groups = crate::scalar::Groups::from_labels(&prog.graph);
        // l1, l2, l3 and 16 + 16 + 1 neurons
        assert_eq!(groups.len(), 36);
        assert!(groups.find("l2.n15").is_some());
        // the same seed gives the same text
        assert_eq!(p.source(), mlp_source(&[2, 16, 16, 1], 1337));
    }

    #[test]
    fn the_staged_example_uses_cs231n_names_and_values() {
        // cs231n: f = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4 is 1.545645, df/dx = 2.059570, df/dy = 1.592233
        let p = PRESETS.iter().find(|p| p.name.starts_with("Staged")).unwrap();
        let prog = compile(&p.source(), &[]).unwrap();
        for name in ["sigy", "num", "sigx", "xpy", "xpysqr", "den", "invden"] {
            assert!(prog.graph.ids().any(|id| prog.graph.label(id) == Some(name)), "{name}");
        }
        assert!((prog.value() - 1.545645).abs() < 1e-6);
        let (dx, dy) = (prog.grad_of("x").unwrap(), prog.grad_of("y").unwrap());
        assert!((dx - 2.059570).abs() < 1e-6 && (dy - 1.592233).abs() < 1e-6, "{dx} {dy}");
    }

    #[test]
    fn the_sigmoid_neuron_matches_the_notes() {
        // slide 17: dot = w0 + w1·x1 + w2·x2 = -3 + 2·(-1) + (-3)(-2) = 1, f = σ(1) = 0.731059
        for p in &PRESETS[1..3] {
            let prog = compile(&p.source(), &[]).unwrap();
            assert!((prog.value() - 0.7310585786).abs() < 1e-9, "{}", p.name);
        }
    }
}
