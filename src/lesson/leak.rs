//! Predict, then reveal: what the backprop view shows at a lesson's timeline position, and the checks that no step
//! gives its answer away before the learner commits.
//!
//! The view's timeline is the forward pass then the backward pass, one node per step ([`cursor_of`] turns a step's
//! `at` into a position). After `cursor` steps a node's value is shown once its forward step is done, and its gradient
//! once a backward step has sent it a share; an edge carries what its operand sent, and the explanation speaks of the
//! step just taken, which is the step that made those numbers visible. So what the view shows of a node is
//! [`Shown::value`] and [`Shown::grad`], and a question's answer is visible when the asked node's value (a `value`
//! question) is shown, or its gradient is final or already equals the answer (a `gradient` question).
//!
//! [`check_lesson`] reports, step by step: an answer visible at the step's position; a narration that states the
//! answer (a number in the text that agrees with it, other than an input's value restated, `z = 2`); a first hint that states
//! it (for the wrong answers a learner is likely to give); and a step whose view, after its own reveal, shows the next
//! step's answer. The window holds its timeline short of the answer while a question waits ([`hold`]). O(steps ·
//! nodes) per question.

use super::{Depth, Lesson, Question, Step, find_node};
use crate::expr::{Program, compile};
use crate::scalar::{BackwardTrace, ForwardTrace, NodeId, Op};

/// What the backprop view shows after `cursor` steps of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// The position: forward steps, then backward steps, done.
    pub cursor: usize,
    /// Whether each node's value is shown.
    pub value: Vec<bool>,
    /// Each node's gradient so far, where it has received any.
    pub grad: Vec<Option<f64>>,
    /// Whether each node's gradient is final (every node using it has sent its share).
    pub complete: Vec<bool>,
}

/// A program's forward and backward traces (the backward trace is recorded on a copy of the graph, which it runs).
fn traces(p: &Program) -> (ForwardTrace, BackwardTrace) {
    let mut g = p.graph.clone();
    (g.forward_trace(), g.backward_trace(p.output))
}

/// The number of forward steps and of backward steps of a program's timeline.
fn lengths(p: &Program) -> (usize, usize) {
    let (f, b) = traces(p);
    (f.steps.len(), b.steps.len())
}

/// The timeline position a step's `at` names: `forward:K`, `backward:K` (after all forward steps), or a node's name
/// (just before that node's backward step); the start when absent.
pub fn cursor_of(p: &Program, at: Option<&str>) -> Result<usize, String> {
    let (forward, backward) = lengths(p);
    let Some(at) = at.map(str::trim) else { return Ok(0) };
    let number = |k: &str| k.trim().parse::<usize>().map_err(|e| format!("at = \"{at}\": {e}"));
    if let Some(k) = at.strip_prefix("forward:") {
        Ok(number(k)?.min(forward))
    } else if let Some(k) = at.strip_prefix("backward:") {
        Ok(forward + number(k)?.min(backward))
    } else {
        let id = find_node(p, at).ok_or_else(|| format!("at = \"{at}\": the program has no such node"))?;
        let trace = traces(p).1;
        let step = trace.steps.iter().position(|s| s.node == id).unwrap_or(backward);
        Ok(forward + step)
    }
}

/// What the view shows after `cursor` steps. O(nodes + steps).
pub fn shown_at(p: &Program, cursor: usize) -> Shown {
    let g = &p.graph;
    let n = g.len();
    let (forward, backward) = traces(p);
    let mut value: Vec<bool> = g.ids().map(|id| g.op(id) == Op::Const).collect();
    for s in forward.steps.iter().take(cursor) {
        value[s.node.index()] = true;
    }
    let mut grad = vec![None; n];
    let mut last_share = vec![usize::MAX; n];
    for (k, s) in backward.steps.iter().enumerate() {
        for c in &s.contributions {
            last_share[c.operand.index()] = k + 1;
        }
    }
    let done = cursor.saturating_sub(forward.steps.len()).min(backward.steps.len());
    let mut complete = vec![false; n];
    if cursor > forward.steps.len() {
        grad[p.output.index()] = Some(1.0);
        complete[p.output.index()] = true;
        for s in &backward.steps[..done] {
            for c in &s.contributions {
                let i = c.operand.index();
                grad[i] = Some(grad[i].unwrap_or(0.0) + c.contribution);
                complete[i] = last_share[i] <= done;
            }
        }
    }
    Shown { cursor, value, grad, complete }
}

/// The question's node, whether it asks a gradient, and the engine's answer with the question's floor.
fn asked(p: &Program, q: &Question) -> Option<(NodeId, bool, f64, f64)> {
    match q {
        Question::Gradient { node, floor, .. } => {
            find_node(p, node).map(|id| (id, true, p.graph.grad(id), floor.unwrap_or(super::hint::DEFAULT_FLOOR)))
        }
        Question::Value { node, floor, .. } => {
            find_node(p, node).map(|id| (id, false, p.graph.value(id), floor.unwrap_or(super::hint::DEFAULT_FLOOR)))
        }
        _ => None,
    }
}

/// Whether the view at `shown` gives away the answer to `q`: the asked value shown; the asked gradient final or
/// already equal to the answer; for `largest_gradient`, any input's gradient final.
pub fn gives_away(p: &Program, q: &Question, shown: &Shown) -> bool {
    match q {
        // one input's final gradient is a start on comparing them: the comparison is the learner's
        Question::LargestGradient { .. } => p.inputs.iter().any(|i| shown.complete[i.node.index()]),
        _ => match asked(p, q) {
            None => false,
            Some((id, false, ..)) => shown.value[id.index()],
            Some((id, true, e, floor)) => {
                let i = id.index();
                shown.complete[i] || shown.grad[i].is_some_and(|g| super::agrees_within(g, e, floor))
            }
        },
    }
}

/// The furthest position from `from` on at which the view does not yet give away `q`'s answer: where the window holds
/// its timeline while the question waits. `from` itself when it already gives it away (the lesson check reports
/// that). O(steps · (nodes + steps)).
pub fn hold(p: &Program, q: &Question, from: usize) -> usize {
    let (f, b) = lengths(p);
    let mut at = from;
    while at < f + b && !gives_away(p, q, &shown_at(p, at + 1)) {
        at += 1;
    }
    at
}

/// Where the view stands after the reveal of `q` asked at `cursor`: the asked value's forward step or the step that
/// makes the asked gradient final (every input's, for `largest_gradient`), never before `cursor`.
pub fn reveal_cursor(p: &Program, q: &Question, cursor: usize) -> usize {
    let (forward, trace) = traces(p);
    let (f, b) = (forward.steps.len(), trace.steps.len());
    let mut target = cursor;
    let final_after = |id: NodeId| {
        let last = trace.steps.iter().rposition(|s| s.contributions.iter().any(|c| c.operand == id));
        f + last.map_or(0, |k| k + 1)
    };
    match q {
        Question::LargestGradient { .. } => {
            for i in &p.inputs {
                target = target.max(final_after(i.node));
            }
        }
        _ => match asked(p, q) {
            Some((id, true, ..)) => target = target.max(final_after(id)),
            Some((id, false, ..)) => {
                let k = forward.steps.iter().position(|s| s.node == id).map_or(0, |k| k + 1);
                target = target.max(k);
            }
            None => {}
        },
    }
    target.min(f + b)
}

/// The numbers written in a text, in order: `-0.53`, `1e-5`, `0.197` (a `−` counts as a minus). Digits that are part
/// of a name (`w1`, `x₁`, `h3`) or of a range of slides (`30-42` is 30 and 42) are not numbers of their own.
pub fn numbers(text: &str) -> Vec<f64> {
    numbers_at(text).into_iter().map(|(v, _)| v).collect()
}

/// The numbers of a text with the text before each (`x = ` before the `-2` of `x = -2`).
fn numbers_at(text: &str) -> Vec<(f64, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || ('₀'..='₉').contains(&c);
    while i < chars.len() {
        let c = chars[i];
        let starts_number = c.is_ascii_digit() && (i == 0 || !word(chars[i - 1]));
        if !starts_number {
            i += 1;
            continue;
        }
        // a minus right before, not after a digit or a letter (which makes it a subtraction or a range)
        let negative = i >= 1
            && (chars[i - 1] == '-' || chars[i - 1] == '−')
            && (i < 2 || !(chars[i - 2].is_alphanumeric() || chars[i - 2] == ')'));
        let mut s = String::from(if negative { "-" } else { "" });
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            s.push(chars[j]);
            j += 1;
        }
        if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
            s.push('.');
            j += 1;
            while j < chars.len() && chars[j].is_ascii_digit() {
                s.push(chars[j]);
                j += 1;
            }
        }
        if j + 1 < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
            let mut k = j + 1;
            let mut exp = String::from("e");
            if k < chars.len() && (chars[k] == '-' || chars[k] == '+' || chars[k] == '−') {
                exp.push(if chars[k] == '+' { '+' } else { '-' });
                k += 1;
            }
            if k < chars.len() && chars[k].is_ascii_digit() {
                while k < chars.len() && chars[k].is_ascii_digit() {
                    exp.push(chars[k]);
                    k += 1;
                }
                s.push_str(&exp);
                j = k;
            }
        }
        // digits running on into a name (`2x`) are not a number of their own either
        if j < chars.len() && chars[j].is_alphabetic() && chars[j] != 'e' && chars[j] != 'E' {
            i = j;
            continue;
        }
        if let Ok(v) = s.parse::<f64>() {
            let start = if negative { i - 1 } else { i };
            out.push((v, chars[..start].iter().collect()));
        }
        i = j;
    }
    out
}

/// The first number of `text` that agrees with `answer` (within the question's tolerance), other than an input's
/// value restated as the program gives it (`z = 2`, for an input z of 2).
fn stated(text: &str, answer: f64, floor: f64, inputs: &[(String, f64)]) -> Option<f64> {
    numbers_at(text).into_iter().find_map(|(v, before)| {
        let before = before.trim_end();
        let restated = before.strip_suffix('=').is_some_and(|b| {
            let b = b.trim_end();
            inputs.iter().any(|(name, x)| *x == v && b.ends_with(name.as_str()))
        });
        (super::agrees_within(v, answer, floor) && !restated).then_some(v)
    })
}

/// A hint's text without the local-derivative rules it quotes (`1 if a > 0 else 0`, `σ(a)·(1 - σ(a))`): the numbers
/// of a rule are the rule, not a result.
fn without_rules(hint: &str) -> String {
    use crate::scalar::{Binary, Unary};
    let mut rules: Vec<&str> = Unary::ALL.iter().map(|u| u.local_formula()).collect();
    for b in Binary::ALL {
        let (a, c) = b.local_formulas();
        rules.extend([a, c]);
    }
    // the longest first, so that a rule inside another is not cut out of it
    rules.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let mut out = hint.to_owned();
    // a bare number (`1`, `-1`) is no formula: cutting it out would cut digits out of other numbers
    for r in rules.into_iter().filter(|r| r.chars().any(|c| c.is_ascii_digit()) && r.chars().any(char::is_alphabetic)) {
        out = out.replace(r, " ");
    }
    out
}

/// Wrong answers a learner is likely to give to a gradient question: 0, ±1, the other sign, the node's own value,
/// the local derivative alone, one share, twice the answer.
fn likely_wrong(p: &Program, id: NodeId) -> Vec<f64> {
    let g = &p.graph;
    let e = g.grad(id);
    let mut out = vec![0.0, 1.0, -1.0, -e, 2.0 * e, e + 1.0, g.value(id)];
    for (c, pos) in super::hint::consumers(g, id) {
        out.push(crate::scalar::explain::local_value(g, c, pos));
        out.push(crate::scalar::explain::local_value(g, c, pos) * g.grad(c));
    }
    out
}

/// The step's program, compiled, when it has a backprop view.
fn program(step: &Step) -> Option<Program> {
    step.backprop.as_ref().and_then(|b| compile(&b.program, &[]).ok())
}

/// Every leak of the lesson, as (step index, message): an answer visible at its step's position, stated in the
/// narration or the first hint, or shown by the previous step's view after its reveal.
pub fn check_lesson(lesson: &Lesson) -> Vec<(usize, String)> {
    check_lesson_at(lesson, Depth::Full)
}

/// [`check_lesson`] to a depth: [`Depth::Quick`] leaves out the lab questions' leaks (finding them runs the lab).
pub fn check_lesson_at(lesson: &Lesson, depth: Depth) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut previous: Option<(String, usize)> = None; // the last step's program text and where its view ends
    for (k, step) in lesson.steps.iter().enumerate() {
        if depth == Depth::Full {
            out.extend(lab_leaks(step).into_iter().map(|m| (k, m)));
        }
        let Some(p) = program(step) else {
            if step.backprop.is_some() || step.race.is_some() {
                previous = None;
            }
            continue;
        };
        let view = step.backprop.as_ref().expect("a program comes from a backprop view");
        let Ok(cursor) = cursor_of(&p, view.at.as_deref()) else { continue };
        if let Some(q) = &step.question {
            if gives_away(&p, q, &shown_at(&p, cursor)) {
                out.push((
                    k,
                    format!(
                        "the answer is visible at the step's position (at = \"{}\"): {}",
                        view.at.as_deref().unwrap_or("the start"),
                        where_shown(&p, q)
                    ),
                ));
            } else if let Some((text, end)) = &previous
                && *text == view.program
                && gives_away(&p, q, &shown_at(&p, *end))
            {
                out.push((
                    k,
                    format!(
                        "the previous step's view, after its reveal, shows this step's answer: {}",
                        where_shown(&p, q)
                    ),
                ));
            }
            if let Some((id, gradient, e, floor)) = asked(&p, q) {
                let inputs: Vec<(String, f64)> =
                    p.inputs.iter().map(|i| (i.name.clone(), p.graph.value(i.node))).collect();
                if let Some(v) = stated(&step.narration, e, floor, &inputs) {
                    out.push((k, format!("the narration states the answer: it writes {v}")));
                }
                // a hint may quote the program's own constants (they are on the screen) and the rules' formulas
                let constants: Vec<f64> =
                    p.graph.ids().filter(|&c| p.graph.op(c) == Op::Const).map(|c| p.graph.value(c)).collect();
                let first_hint = |h: &str| {
                    let h = without_rules(h);
                    numbers(&h).into_iter().find(|&v| super::agrees_within(v, e, floor) && !constants.contains(&v))
                };
                if gradient {
                    for wrong in likely_wrong(&p, id) {
                        if super::agrees_within(wrong, e, floor) {
                            continue;
                        }
                        let h = super::hint::hint_within(&p.graph, p.output, id, wrong, floor);
                        if let Some(v) = first_hint(&h) {
                            out.push((
                                k,
                                format!("the first hint (for the answer {wrong}) states the answer {v}: \"{h}\""),
                            ));
                            break;
                        }
                    }
                } else if let Ok(v) = step.check_answer(&super::Answer::Number(e + 1.0 + e.abs()))
                    && let Some(n) = first_hint(&v.hint)
                {
                    out.push((k, format!("the first hint states the answer {n}: \"{}\"", v.hint)));
                }
            }
        }
        let end = step.question.as_ref().map_or(cursor, |q| reveal_cursor(&p, q, cursor));
        previous = Some((view.program.clone(), end));
    }
    out
}

/// A lab question's leaks: its answer written in the narration or the prompt, or stated by the first hint. (The
/// lab itself hides the asked number until the learner has answered: `app::labs`.)
fn lab_leaks(step: &Step) -> Vec<String> {
    let (Some(lab), Some(Question::Lab { prompt, quantity, floor, .. })) = (&step.lab, &step.question) else {
        return Vec::new();
    };
    let Ok(e) = lab.quantity(quantity) else { return Vec::new() };
    let floor = floor.unwrap_or(super::hint::DEFAULT_FLOOR);
    let mut out = Vec::new();
    for (what, text) in [("narration", &step.narration), ("prompt", prompt)] {
        if let Some(v) = numbers(text).into_iter().find(|&v| super::agrees_within(v, e, floor)) {
            out.push(format!("the {what} states the answer: it writes {v}"));
        }
    }
    let h = lab.lab().hint(quantity);
    if let Some(v) = numbers(&h).into_iter().find(|&v| super::agrees_within(v, e, floor)) {
        out.push(format!("the first hint states the answer {v}: \"{h}\""));
    }
    out
}

/// A question checked by training: its answer written in the narration or the prompt (for a number), or stated by
/// the first hint for a likely wrong answer (0 and twice the number; one unit fewer and one more than the width; the
/// other layers). `solution` is the training's answer ([`super::playground::solve`]).
pub fn playground_leaks(step: &Step, q: &Question, solution: &super::playground::Solution) -> Vec<String> {
    use super::playground::{Solution, layer_option, verdict};
    let mut out = Vec::new();
    let (answer, wrong): (f64, Vec<super::Answer>) = match (q, solution) {
        (Question::Playground { prompt, .. }, Solution::Number(e)) => {
            for (what, text) in [("narration", &step.narration), ("prompt", prompt)] {
                if let Some(v) = numbers(text).into_iter().find(|&v| super::playground::agrees(q, v, *e)) {
                    out.push(format!("the {what} states the answer: it writes {v}"));
                }
            }
            (*e, vec![super::Answer::Number(0.0), super::Answer::Number(2.0 * e + 1.0)])
        }
        (Question::FewestUnits { .. }, Solution::Width { width, .. }) => {
            let tries = [width.saturating_sub(1), width + 1].into_iter().filter(|w| (1..=8).contains(w));
            (*width as f64, tries.map(|w| super::Answer::Number(w as f64)).collect())
        }
        (Question::DeadestLayer { .. }, Solution::Layer { layer, dead }) => {
            let others = (1..=dead.len()).filter(|l| l != layer).map(|l| super::Answer::Choice(layer_option(l)));
            // a hint naming the deadest layer gives it away
            for a in others {
                if let Ok(v) = verdict(q, solution, &a)
                    && v.hint.contains(&layer_option(*layer))
                {
                    out.push(format!("the first hint names the answer: \"{}\"", v.hint));
                }
            }
            return out;
        }
        _ => return out,
    };
    for a in wrong {
        if let Ok(v) = verdict(q, solution, &a)
            && !v.right
            && let Some(n) = numbers(&v.hint).into_iter().find(|&n| match q {
                Question::Playground { .. } => super::playground::agrees(q, n, answer),
                _ => n == answer,
            })
            && a != super::Answer::Number(n)
        {
            out.push(format!("the first hint states the answer {n}: \"{}\"", v.hint));
            break;
        }
    }
    out
}

/// Where the asked quantity shows, in words.
fn where_shown(p: &Program, q: &Question) -> String {
    match asked(p, q) {
        Some((id, true, ..)) => {
            format!(
                "{}'s gradient is on its card, its edge and in the explanation",
                crate::scalar::explain::name(&p.graph, id)
            )
        }
        Some((id, false, ..)) => format!("{}'s value is on its card", crate::scalar::explain::name(&p.graph, id)),
        None => "an input's final gradient is shown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LECTURE: &str = "x = -2; y = 5; z = -4; q = x + y; f = q * z";

    #[test]
    fn numbers_in_text() {
        assert_eq!(numbers("the exp node receives -0.53, then 0.197."), vec![-0.53, 0.197]);
        assert_eq!(numbers("w1 = 2, x₁ and h3; slides 30-42; 1e-5 and 1e−7"), vec![2.0, 30.0, 42.0, 1e-5, 1e-7]);
        assert_eq!(numbers("σ(1 - σ) and (-4)"), vec![1.0, -4.0]);
        assert_eq!(numbers("2x + 3"), vec![3.0]);
    }

    #[test]
    fn a_restated_input_is_no_leak_but_the_same_number_elsewhere_is() {
        let inputs = [("z".to_owned(), 2.0)];
        assert_eq!(stated("at z = 2 and w = -1", 2.0, 1e-3, &inputs), None);
        assert_eq!(stated("at z = 2, so s receives 2", 2.0, 1e-3, &inputs), Some(2.0));
        assert_eq!(stated("q = x + y = 3", 3.0, 1e-3, &inputs), Some(3.0));
    }

    #[test]
    fn positions_and_what_they_show() {
        let p = compile(LECTURE, &[]).unwrap();
        // x, y, z, q, f forward; f, q, z, y, x backward
        assert_eq!(cursor_of(&p, Some("forward:3")).unwrap(), 3);
        assert_eq!(cursor_of(&p, Some("f")).unwrap(), 5);
        assert_eq!(cursor_of(&p, Some("q")).unwrap(), 6);
        let q = find_node(&p, "q").unwrap();
        let s = shown_at(&p, 5);
        assert!(s.value.iter().all(|&v| v) && s.grad[q.index()].is_none());
        // after f's backward step q holds ∂f/∂q = z = -4, final
        let s = shown_at(&p, 6);
        assert_eq!((s.grad[q.index()], s.complete[q.index()]), (Some(-4.0), true));
    }

    #[test]
    fn hold_stops_short_of_the_answer_and_reveal_reaches_it() {
        let p = compile(LECTURE, &[]).unwrap();
        let ask_q = Question::Gradient { node: "q".into(), answer: None, floor: None };
        assert_eq!(hold(&p, &ask_q, 0), 5); // f's backward step (the 6th) would show it
        assert_eq!(reveal_cursor(&p, &ask_q, 5), 6);
        let ask_f = Question::Value { node: "f".into(), answer: None, floor: None };
        assert_eq!(hold(&p, &ask_f, 0), 4);
        assert!(gives_away(&p, &ask_f, &shown_at(&p, 5)));
    }
}
