//! The inspector's words, built from the racer's own spec so that they say what that racer does: its update lines
//! (with Nesterov, decoupled weight decay, bias correction off, centering, AMSGrad and momentum only where the spec
//! turns them on), each quantity's name and meaning, and the key to the momentum arrow.
//!
//! Names follow the slides (108-114): V is the first moment (the running average of g) and S the second (of g²);
//! PyTorch's names follow in brackets (Adam's `m` is V, its `v` is S; SGD's momentum buffer `b` is a sum, not an
//! average). Where the lecture and PyTorch differ the line says which one the racer follows.

use crate::optim::OptimSpec;

/// Formats a hyper-parameter as the lines show it (`0.9`, `1e-8`).
fn num(v: f64) -> String {
    crate::scalar::fmt_num(v)
}

/// The lines that weight decay and `maximize` put before a rule's own update, in the order PyTorch applies them.
fn gradient_prelude(lines: &mut Vec<String>, maximize: bool, weight_decay: f64) {
    if maximize {
        lines.push("g = −g   (maximize: ascend)".into());
    }
    if weight_decay > 0.0 {
        lines.push(format!("g = g + λ·θ,  λ = {}   (weight decay added to the gradient)", num(weight_decay)));
    }
}

/// The update of the racer's rule, one line per equation, for its settings.
pub fn formula(spec: &OptimSpec) -> Vec<String> {
    let mut lines = Vec::new();
    match spec {
        OptimSpec::Sgd(c) => {
            gradient_prelude(&mut lines, c.maximize, c.weight_decay);
            if c.momentum == 0.0 {
                lines.push("Δθ = −lr·g".into());
            } else {
                let damp = if c.dampening > 0.0 { "(1 − τ)·g" } else { "g" };
                lines.push(format!(
                    "b = μ·b + {damp},  μ = {}   (PyTorch's buffer, a sum; b = g at t = 1)",
                    num(c.momentum)
                ));
                lines.push(if c.nesterov {
                    "Δθ = −lr·(g + μ·b)   (Nesterov: the gradient plus the look-ahead μ·b)".into()
                } else {
                    "Δθ = −lr·b".into()
                });
            }
        }
        OptimSpec::MomentumEwma(c) => {
            lines.push(format!("V = β·V + (1 − β)·g,  β = {}   (slide 110: an average)", num(c.beta)));
            if c.bias_correction {
                lines.push("V_hat = V / (1 − β^t)".into());
                lines.push("Δθ = −lr·V_hat".into());
            } else {
                lines.push("Δθ = −lr·V   (bias correction off)".into());
            }
        }
        OptimSpec::Adagrad(c) => {
            gradient_prelude(&mut lines, c.maximize, c.weight_decay);
            lines.push("Σg² = Σg² + g²".into());
            if c.lr_decay > 0.0 {
                lines.push(format!("lr_t = lr / (1 + (t − 1)·{})", num(c.lr_decay)));
                lines.push("Δθ = −lr_t·g / (√Σg² + ε)".into());
            } else {
                lines.push("Δθ = −lr·g / (√Σg² + ε)".into());
            }
        }
        OptimSpec::RmsProp(c) => {
            gradient_prelude(&mut lines, c.maximize, c.weight_decay);
            lines.push(format!("S = α·S + (1 − α)·g²,  α = {}", num(c.alpha)));
            let denom = if c.centered {
                lines.push("g_avg = α·g_avg + (1 − α)·g   (centered)".into());
                "√(S − g_avg²) + ε"
            } else {
                "√S + ε"
            };
            if c.momentum > 0.0 {
                lines.push(format!("b = μ·b + g / ({denom}),  μ = {}", num(c.momentum)));
                lines.push("Δθ = −lr·b".into());
            } else {
                lines.push(format!("Δθ = −lr·g / ({denom})"));
            }
            lines.push(
                "PyTorch's RMSprop: slide 112 also divides S by 1 − β^t and puts ε under the root, √(S + ε)".into(),
            );
        }
        OptimSpec::Adam(c) | OptimSpec::AdamW(c) | OptimSpec::AdamNoBias(c) => {
            let adamw = matches!(spec, OptimSpec::AdamW(_));
            if c.maximize {
                lines.push("g = −g   (maximize: ascend)".into());
            }
            if adamw || c.decoupled_weight_decay {
                lines.push(format!(
                    "θ = θ·(1 − lr·λ),  λ = {}   (decoupled weight decay: what sets AdamW apart)",
                    num(c.weight_decay)
                ));
            } else if c.weight_decay > 0.0 {
                lines.push(format!("g = g + λ·θ,  λ = {}   (L2 added to the gradient)", num(c.weight_decay)));
            }
            lines.push("V = β₁·V + (1 − β₁)·g,  S = β₂·S + (1 − β₂)·g²   (PyTorch's m and v)".into());
            let s = if c.amsgrad {
                lines.push("S_max = max(S_max, S)   (AMSGrad: the largest raw S, as PyTorch)".into());
                "S_max"
            } else {
                "S"
            };
            if c.bias_correction {
                lines.push(format!("V_hat = V / (1 − β₁^t),  S_hat = {s} / (1 − β₂^t)"));
                lines.push("Δθ = −lr·V_hat / (√S_hat + ε)   (slide 114)".into());
            } else {
                lines.push(format!("Δθ = −lr·V / (√{s} + ε)   (no bias correction)"));
            }
        }
        OptimSpec::RAdam(c) => {
            gradient_prelude(&mut lines, c.maximize, if c.decoupled_weight_decay { 0.0 } else { c.weight_decay });
            if c.decoupled_weight_decay && c.weight_decay > 0.0 {
                lines.push(format!("θ = θ·(1 − lr·λ),  λ = {}   (decoupled weight decay)", num(c.weight_decay)));
            }
            lines.push("V, S and V_hat as Adam's (PyTorch's m, v, m_hat);  ρ_t = ρ∞ − 2t·β₂^t / (1 − β₂^t)".into());
            lines.push("ρ_t > 5:  Δθ = −lr·r_t·V_hat·√(1 − β₂^t) / (√S + ε)".into());
            lines.push("else:  Δθ = −lr·V_hat   (Adam-like without √S_hat: too few steps to trust S)".into());
        }
        OptimSpec::NAdam(c) => {
            gradient_prelude(&mut lines, c.maximize, if c.decoupled_weight_decay { 0.0 } else { c.weight_decay });
            if c.decoupled_weight_decay && c.weight_decay > 0.0 {
                lines.push(format!("θ = θ·(1 − lr·λ),  λ = {}   (decoupled weight decay)", num(c.weight_decay)));
            }
            lines.push("V, S as Adam's (PyTorch's m, v), with a Nesterov look-ahead: Δθ mixes".into());
            lines.push("μ_t+1·V (next momentum) and (1 − μ_t)·g, over √S_hat + ε".into());
        }
        // A rule added since these lines were written (a rule is its file plus one registry line, and this
        // caption is not one of them): its name, until someone writes its equations here.
        #[allow(unreachable_patterns)]
        _ => lines.push(format!("Δθ from the {} rule (its equations are in its source file)", spec.name())),
    }
    lines
}

/// Whether the racer's rule averages with β₁/β₂ as Adam does (its `m` and `v` are the slides' V and S).
fn adam_like(spec: &OptimSpec) -> bool {
    matches!(
        spec,
        OptimSpec::Adam(_) | OptimSpec::AdamW(_) | OptimSpec::AdamNoBias(_) | OptimSpec::RAdam(_) | OptimSpec::NAdam(_)
    )
}

/// A quantity's name as the inspector shows it (the slides' name, PyTorch's in brackets) and what it is, for the
/// racer's rule; None for a name it does not know.
pub fn describe(spec: &OptimSpec, name: &str) -> Option<(&'static str, &'static str)> {
    let amsgrad = matches!(spec, OptimSpec::Adam(c) | OptimSpec::AdamW(c) if c.amsgrad);
    let centered = matches!(spec, OptimSpec::RmsProp(c) if c.centered);
    Some(match (name, spec) {
        ("grad", _) => ("g", "the gradient fed in (noise included)"),
        ("step", _) => ("Δθ", "the change the step made"),
        ("velocity", OptimSpec::MomentumEwma(_)) => {
            ("V", "the slides' first moment: V = β·V + (1 − β)·g, an average (PyTorch's SGD sums instead)")
        }
        ("v_hat", OptimSpec::MomentumEwma(_)) => ("V_hat", "V / (1 − β^t): the bias-corrected first moment"),
        ("velocity", OptimSpec::RmsProp(_)) => ("b", "the momentum buffer: b = μ·b + g / denominator"),
        ("velocity", _) => ("b", "PyTorch's momentum buffer: b = μ·b + g, a sum of gradients, not an average"),
        ("m", _) => ("V", "the first moment, the slides' V (PyTorch's m): running average of g"),
        ("v", _) => ("S", "the second moment, the slides' S (PyTorch's v): running average of g²"),
        ("m_hat", _) => ("V_hat", "V / (1 − β₁^t): the bias-corrected first moment (PyTorch's m_hat)"),
        ("v_hat", _) if amsgrad => {
            ("S_hat", "S_max / (1 − β₂^t): the largest raw S, bias-corrected with β₂ (PyTorch's v_hat)")
        }
        ("v_hat", _) => ("S_hat", "S / (1 − β₂^t): the bias-corrected second moment, with β₂ (PyTorch's v_hat)"),
        ("v_max", _) => (
            "S_max",
            "AMSGrad: the largest raw S (PyTorch's v) so far, divided by 1 − β₂^t only afterwards (PyTorch's \
             max_exp_avg_sq)",
        ),
        ("square_avg", _) => {
            ("S", "running average of g², PyTorch's square_avg (the slides' S, without dividing by 1 − β^t)")
        }
        ("grad_avg", _) => ("g_avg", "running average of g (centered)"),
        ("denom", _) if centered => ("√(S − g_avg²) + ε", "what g is divided by (centered)"),
        ("denom", _) => ("√S + ε", "what g is divided by"),
        ("sum_sq", _) => ("Σg²", "the sum of squared gradients"),
        ("lr", _) => ("lr", "the learning rate of this step"),
        ("lr_t", _) => ("lr / (1 + (t−1)·decay)", "Adagrad's decayed learning rate"),
        ("bias_correction", _) => ("1 − β^t", "divides V's start-at-zero bias away"),
        ("bias_correction1", _) => ("1 − β₁^t", "V_hat = V / (1 − β₁^t)"),
        ("bias_correction2", _) => ("1 − β₂^t", "S_hat = S / (1 − β₂^t)"),
        ("rho_t", _) => ("ρ_t", "RAdam: the length of the approximated moving average; rectifies when ρ_t > 5"),
        ("rho_inf", _) => ("ρ∞", "RAdam: 2 / (1 − β₂) − 1"),
        ("rectified", _) => {
            ("rectified", "1 when ρ_t > 5 (an Adam step), 0 before (−lr·V_hat: Adam-like without √S_hat)")
        }
        ("rect", _) => ("r_t", "RAdam's variance rectification term"),
        ("mu_t", _) => ("μ_t", "NAdam's momentum at t"),
        ("mu_next", _) => ("μ_t+1", "NAdam's momentum at t + 1"),
        ("mu_product", _) => ("Πμ", "the product of the momenta so far"),
        _ => return None,
    })
}

/// The key to the momentum arrow, whose vector is `−lr` times the inspected buffer (`m` or `velocity`): for
/// Adam-like rules that buffer is in gradient units and is not part of the step, which divides it by √S_hat + ε.
pub fn momentum_arrow(spec: &OptimSpec, buffer: &str) -> String {
    if adam_like(spec) {
        return "−lr·V (PyTorch's m): the first moment unnormalized, in gradient units; the step divides it by \
                √S_hat + ε"
            .into();
    }
    match spec {
        OptimSpec::Sgd(c) if c.nesterov => "−lr·b: the momentum buffer; with Nesterov the step is −lr·(g + μ·b)".into(),
        OptimSpec::Sgd(_) | OptimSpec::RmsProp(_) => "−lr·b: the momentum buffer, the step itself".into(),
        OptimSpec::MomentumEwma(c) if c.bias_correction => {
            "−lr·V: the average before bias correction; the step is −lr·V / (1 − β^t)".into()
        }
        OptimSpec::MomentumEwma(_) => "−lr·V: the average, the step itself".into(),
        _ => format!("−lr·{buffer}: the momentum's push"),
    }
}

/// The ratio of Adam's uncorrected step `m/√v` to its corrected one `m̂/√v̂` at step `t`: (1 − β₁ᵗ) / √(1 − β₂ᵗ).
pub fn uncorrected_ratio(beta1: f64, beta2: f64, t: i32) -> f64 {
    (1.0 - beta1.powi(t)) / (1.0 - beta2.powi(t)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> OptimSpec {
        s.parse().expect("a valid spec")
    }

    fn has(lines: &[String], text: &str) -> bool {
        lines.iter().any(|l| l.contains(text))
    }

    #[test]
    fn the_formula_follows_the_racers_settings() {
        // Nesterov steps -lr·(g + μ·b), plain momentum -lr·b
        assert!(has(&formula(&spec("sgd:momentum=0.9,nesterov=true")), "Δθ = −lr·(g + μ·b)"));
        assert!(has(&formula(&spec("sgd:momentum=0.9")), "Δθ = −lr·b"));
        assert_eq!(formula(&spec("sgd")), ["Δθ = −lr·g"]);
        // AdamW's one different line
        assert!(has(&formula(&spec("adamw")), "θ = θ·(1 − lr·λ),  λ = 0.01"));
        assert!(!has(&formula(&spec("adam")), "θ = θ·(1 − lr·λ)"));
        // bias correction off: no division by 1 - β^t
        let off = formula(&spec("momentum-ewma:bias_correction=false"));
        assert!(!has(&off, "1 − β^t") && has(&off, "Δθ = −lr·V   (bias correction off)"), "{off:?}");
        assert!(has(&formula(&spec("momentum-ewma")), "V_hat = V / (1 − β^t)"));
        // centered RMSProp divides by √(S − ḡ²) + ε
        assert!(has(&formula(&spec("rmsprop:centered=true")), "Δθ = −lr·g / (√(S − g_avg²) + ε)"));
        assert!(has(&formula(&spec("rmsprop")), "Δθ = −lr·g / (√S + ε)"));
        // AMSGrad keeps the largest raw S
        assert!(has(&formula(&spec("adam:amsgrad=true")), "S_hat = S_max / (1 − β₂^t)"));
    }

    #[test]
    fn rmsprop_says_it_follows_pytorch_not_slide_112() {
        let lines = formula(&spec("rmsprop"));
        assert!(!has(&lines, "(slide 112)"));
        assert!(has(&lines, "PyTorch's RMSprop: slide 112 also divides S by 1 − β^t and puts ε under the root"));
    }

    #[test]
    fn radams_early_step_is_adam_like_without_the_root() {
        let lines = formula(&spec("radam"));
        assert!(has(&lines, "else:  Δθ = −lr·V_hat   (Adam-like without √S_hat"), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("SGD-with-momentum")));
    }

    #[test]
    fn names_follow_the_slides_and_map_to_pytorch() {
        let adam = spec("adam");
        // v_max is the largest raw v (PyTorch), corrected afterwards
        let (_, about) = describe(&spec("adam:amsgrad=true"), "v_max").unwrap();
        assert!(about.contains("largest raw S (PyTorch's v)") && about.contains("afterwards"), "{about}");
        // v_hat is corrected with β₂
        assert!(describe(&adam, "v_hat").unwrap().1.contains("1 − β₂^t"));
        assert_eq!(
            describe(&adam, "m").unwrap(),
            ("V", "the first moment, the slides' V (PyTorch's m): running average of g")
        );
        assert!(describe(&adam, "v").unwrap().1.contains("the slides' S (PyTorch's v)"));
        // the lecture's momentum: its corrected average is V_hat, a first moment, not Adam's v
        let ewma = spec("momentum-ewma");
        assert_eq!(describe(&ewma, "velocity").unwrap().0, "V");
        assert_eq!(describe(&ewma, "v_hat").unwrap(), ("V_hat", "V / (1 − β^t): the bias-corrected first moment"));
        assert_eq!(describe(&spec("sgd:momentum=0.9"), "velocity").unwrap().0, "b");
    }

    #[test]
    fn adams_momentum_arrow_is_captioned_unnormalized() {
        assert!(momentum_arrow(&spec("adam"), "m").contains("unnormalized"));
        assert!(momentum_arrow(&spec("sgd:momentum=0.9"), "velocity").contains("the step itself"));
        assert!(!momentum_arrow(&spec("sgd:momentum=0.9,nesterov=true"), "velocity").contains("the step itself"));
    }

    #[test]
    fn the_uncorrected_adam_step_peaks_near_six_and_a_half() {
        // (1 − 0.9ᵗ) / √(1 − 0.999ᵗ): 3.16 at t = 1, largest 6.57 at t = 12, still 2.35 at t = 200
        assert!((uncorrected_ratio(0.9, 0.999, 1) - 3.1623).abs() < 1e-4);
        let (t, peak) = (1..1000)
            .map(|t| (t, uncorrected_ratio(0.9, 0.999, t)))
            .fold((0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
        assert_eq!(t, 12);
        assert!((peak - 6.57).abs() < 0.01, "{peak}");
        assert!((uncorrected_ratio(0.9, 0.999, 200) - 2.35).abs() < 0.01);
    }
}
