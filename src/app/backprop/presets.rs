//! The programs a teacher reaches for first (REFERENCE.md): the lecture's circuit, the sigmoid neuron both ways, the
//! max gate, the staged example, micrograd's two tests and Karpathy's tanh neuron, each with the names its source
//! uses (cs231n's staged example stages `sigy`, `num`, `sigx`, `xpy`, `xpysqr`, `den`, `invden`; Karpathy's neuron
//! `x1w1`, `x2w2`, `x1w1x2w2`, `n`, `o`).

/// A named program.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// The name in the menu.
    pub name: &'static str,
    /// The program text.
    pub source: &'static str,
}

/// Every preset, in menu order.
pub const PRESETS: &[Preset] = &[
    Preset { name: "Lecture circuit (x + y)·z", source: "x = -2\ny = 5\nz = -4\nq = x + y\nf = q * z" },
    Preset {
        name: "Sigmoid neuron (slide 17, expanded)",
        source: "w0 = -3\nw1 = 2\nx1 = -1\nw2 = -3\nx2 = -2\nf = 1 / (1 + exp(-(w0 + w1*x1 + w2*x2)))",
    },
    Preset {
        name: "Sigmoid neuron (fused gate)",
        source: "w0 = -3\nw1 = 2\nx1 = -1\nw2 = -3\nx2 = -2\ndot = w0 + w1*x1 + w2*x2\nf = sigmoid(dot)",
    },
    Preset { name: "Max gate", source: "x = 3\ny = -4\nz = 2\nw = -1\nf = 2 * (x*y + max(z, w))" },
    Preset {
        name: "Staged example (cs231n)",
        source: "x = 3\ny = -4\nsigy = sigmoid(y)\nnum = x + sigy\nsigx = sigmoid(x)\nxpy = x + y\nxpysqr = xpy^2\n\
                 den = sigx + xpysqr\ninvden = 1 / den\nf = num * invden",
    },
    Preset {
        name: "micrograd test_sanity_check",
        source: "x = -4\nz = 2*x + 2 + x\nq = relu(z) + z*x\nh = relu(z*z)\ny = h + q + q*x",
    },
    Preset {
        name: "micrograd test_more_ops",
        source: "a = -4\nb = 2\nc = a + b\nd = a*b + b**3\nc += c + 1\nc += 1 + c + (-a)\nd += d*2 + relu(b + a)\n\
                 d += 3*d + relu(b - a)\ne = c - d\nf = e^2\ng = f / 2\ng += 10 / f",
    },
    Preset {
        name: "Karpathy's tanh neuron",
        source: "x1 = 2\nx2 = 0\nw1 = -3\nw2 = 1\nb = 6.8813735870195432\nx1w1 = x1*w1\nx2w2 = x2*w2\n\
                 x1w1x2w2 = x1w1 + x2w2\nn = x1w1x2w2 + b\no = tanh(n)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::compile;

    #[test]
    fn every_preset_compiles() {
        for p in PRESETS {
            assert!(compile(p.source, &[]).is_ok(), "{}", p.name);
        }
    }

    #[test]
    fn the_staged_example_uses_cs231n_names_and_values() {
        // cs231n: f = (x + σ(y)) / (σ(x) + (x + y)²) at x = 3, y = -4 is 1.545645, df/dx = 2.059570, df/dy = 1.592233
        let p = PRESETS.iter().find(|p| p.name.starts_with("Staged")).unwrap();
        let prog = compile(p.source, &[]).unwrap();
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
            let prog = compile(p.source, &[]).unwrap();
            assert!((prog.value() - 0.7310585786).abs() < 1e-9, "{}", p.name);
        }
    }
}
