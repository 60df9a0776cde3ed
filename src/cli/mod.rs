//! The command line: `chainrule eval | trace | check | dot PROGRAM [--at NAME=VALUE ...] [--json]`, `race`, the
//! networks: `train`, `predict`, `init-stats`, `landscape`, and the tutor's `lessons check | list [DIR]`.
//!
//! Exit codes: 0 done; 1 a check found a wrong gradient (an input's row with status `wrong`: a row whose difference
//! crosses a kink, or whose numbers are not finite, is reported as `kink` or `undefined` with its reason and does not
//! fail the run); 2 the input was malformed (a program, a value, a file).
//! With `--json` standard output holds exactly one JSON object (on failure `{"error": {...}}`), and a human-readable
//! message goes to standard error.
//!
//! `eval` and `trace` name the first node that makes a NaN or an infinity, forward or backward, with the reason in
//! words: a warning on standard error and, with `--json`, the field `non_finite` (`null` when all is finite).

mod landscape;
mod lessons;
mod program;
mod race;
mod train;

pub use landscape::LandscapeArgs;
pub use lessons::{LessonsAction, LessonsArgs};
pub use race::RaceArgs;
pub use train::{InitStatsArgs, MAX_EPOCHS, PredictArgs, TrainArgs};

use std::fmt::Write as _;
use std::io::Write;

use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::expr::{Program, ProgramError};
use crate::nn::{Field, NnError};
use crate::scalar::{BackwardTrace, DEFAULT_H, NonFinite, Status, explain};

/// chainrule: a tutor that makes backpropagation visible. Without a command it opens the window.
#[derive(Debug, Parser)]
#[command(name = "chainrule", version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, the window opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open the window, save a screenshot of it to this PNG file after it settles, and quit.
    #[arg(long, value_name = "PATH", global = false)]
    pub screenshot: Option<std::path::PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The output's value and its gradient with respect to every input.
    Eval(ProgramArgs),
    /// The forward steps, then the backward steps as the window explains them: each chain-rule line (upstream ×
    /// local), the gate's rule and local formula with its numbers, the pattern the step shows and the sign's reading.
    Trace(ProgramArgs),
    /// Analytical vs numerical gradient for every input and node; exits 1 if an input's gradient is wrong (a kink or
    /// a non-finite value is explained in its row and does not fail).
    Check {
        /// The program and its inputs.
        #[command(flatten)]
        program: ProgramArgs,
        /// The step of the central difference.
        #[arg(long, default_value_t = DEFAULT_H)]
        h: f64,
    },
    /// The graph as Graphviz DOT text (render with `dot -Tpng`).
    Dot(ProgramArgs),
    /// Optimizers racing down a 2-D loss surface from the same start.
    #[command(after_long_help = include_str!("help/race.txt"))]
    Race(RaceArgs),
    /// Train a multi-layer perceptron on a generated set or a CSV file; per-epoch losses and accuracies.
    #[command(after_long_help = include_str!("help/train.txt"))]
    Train(Box<TrainArgs>),
    /// Predict every row of a data set with a model saved by `train --save`.
    Predict(PredictArgs),
    /// The lecture's initialization experiment: activation statistics layer by layer (slides 93-98).
    #[command(name = "init-stats")]
    InitStats(InitStatsArgs),
    /// The tutor's lessons: `check` validates them against the engine, `list` names them.
    Lessons(LessonsArgs),
    /// The network's own loss landscape on a plane through its weights (Li et al. 2018), with optimizers racing on
    /// the real network and their paths projected onto the plane.
    #[command(after_long_help = include_str!("help/landscape.txt"))]
    Landscape(Box<LandscapeArgs>),
}

impl Command {
    /// Whether the command was asked for JSON.
    pub fn json(&self) -> bool {
        match self {
            Command::Eval(a) | Command::Trace(a) | Command::Dot(a) | Command::Check { program: a, .. } => a.json,
            Command::Race(a) => a.json,
            Command::Train(a) => a.json,
            Command::Predict(a) => a.json,
            Command::InitStats(a) => a.json,
            Command::Lessons(a) => a.json,
            Command::Landscape(a) => a.json,
        }
    }
}

/// A program and the values of its inputs.
#[derive(Debug, Args)]
pub struct ProgramArgs {
    /// The program text, `-` for standard input, or `@path` for a file.
    #[arg(allow_hyphen_values = true)]
    pub program: String,
    /// Give an input a value: NAME=VALUE; repeat, or separate with commas.
    #[arg(long = "at", value_name = "NAME=VALUE", value_delimiter = ',')]
    pub at: Vec<String>,
    /// Rewrite fused gates (sigmoid, tanh, softplus, selu) into primitive ones first.
    #[arg(long)]
    pub expand: bool,
    /// Print one JSON object on standard output and nothing else.
    #[arg(long)]
    pub json: bool,
}

/// A failure of a command: what to print and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code (1 or 2).
    pub code: u8,
    /// The message for standard error (already positioned, with a caret, where it has a place).
    pub message: String,
    /// The JSON error object for `--json`.
    pub json: Value,
}

impl Failure {
    fn usage(message: String) -> Self {
        let json = json!({ "error": { "message": message } });
        Self { code: 2, message: format!("error: {message}\n"), json }
    }
}

/// The flag that sets a field of the network or its training: the core names the field, the command line its flag.
pub fn flag_for(field: Field) -> &'static str {
    match field {
        Field::Hidden => "--hidden",
        Field::Activation => "--activation",
        Field::Init => "--init",
        Field::Loss => "--loss",
        Field::Dropout => "--dropout",
        Field::L1 => "--l1",
        Field::L2 => "--l2",
        Field::Batch => "--batch",
        Field::Opt => "--opt",
        Field::Schedule => "--schedule",
        Field::Depth => "--depth",
        Field::Width => "--width",
        Field::Samples => "--samples",
    }
}

/// A network's error as a usage error, a setting named by its flag (`--dropout 1.5: ...`).
impl From<NnError> for Failure {
    fn from(e: NnError) -> Self {
        Failure::usage(match e.field() {
            Some(field) => e.named(flag_for(field)),
            None => e.to_string(),
        })
    }
}

/// Runs a subcommand, writing its output to `out`; returns the exit code.
pub fn run(command: Command, out: &mut dyn Write) -> u8 {
    let json_mode = command.json();
    match execute(command) {
        Ok(Output { text, json, code }) => {
            let written = if json_mode { writeln!(out, "{json}") } else { write!(out, "{text}") };
            if written.is_err() {
                // A closed pipe (e.g. `| head`) is not an error worth a message.
                return code;
            }
            code
        }
        Err(f) => {
            if json_mode {
                let _ = writeln!(out, "{}", f.json);
            }
            eprint!("{}", f.message);
            f.code
        }
    }
}

pub(crate) struct Output {
    text: String,
    json: Value,
    code: u8,
}

fn load(args: &ProgramArgs) -> Result<(String, Program), Failure> {
    let src = program::read_source(&args.program).map_err(Failure::usage)?;
    let at = program::parse_at(&args.at).map_err(Failure::usage)?;
    let p = crate::expr::compile(&src, &at).map_err(|e| program_failure(&e, &src))?;
    Ok((src, if args.expand { p.expanded() } else { p }))
}

fn program_failure(e: &ProgramError, src: &str) -> Failure {
    let json = match e {
        ProgramError::Syntax(s) => {
            json!({ "error": { "message": s.message, "hint": s.hint, "line": s.line, "column": s.column } })
        }
        other => json!({ "error": { "message": other.to_string() } }),
    };
    Failure { code: 2, message: e.render(src), json }
}

fn execute(command: Command) -> Result<Output, Failure> {
    match command {
        Command::Eval(a) => {
            let (_, mut p) = load(&a)?;
            Ok(eval(&mut p, a.json))
        }
        Command::Trace(a) => {
            let (_, mut p) = load(&a)?;
            Ok(trace(&mut p))
        }
        Command::Check { program, h } => {
            if !(h.is_finite() && h > 0.0) {
                return Err(Failure::usage(format!("--h {h}: the step must be a positive number, e.g. 1e-5")));
            }
            let (_, mut p) = load(&program)?;
            Ok(check(&mut p, h))
        }
        Command::Race(a) => race::race(&a),
        Command::Train(a) => train::train(&a),
        Command::Predict(a) => train::predict(&a),
        Command::InitStats(a) => train::init_stats(&a),
        Command::Lessons(a) => lessons::lessons(&a),
        Command::Landscape(a) => landscape::landscape(&a),
        Command::Dot(a) => {
            let (_, p) = load(&a)?;
            let dot = p.graph.to_dot();
            Ok(Output { json: json!({ "dot": dot }), text: dot, code: 0 })
        }
    }
}

pub(crate) fn num(v: f64) -> Value {
    // JSON has no NaN or infinity: they become null, and the text output says NaN / ∞.
    serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)
}

/// The first NaN or infinity, forward or backward (the backward trace is made only when a gradient is not finite),
/// with its warning on standard error. O(nodes).
fn non_finite(p: &mut Program, trace: Option<&BackwardTrace>) -> Option<NonFinite> {
    // the common case in one pass that allocates nothing: every value and gradient finite
    if p.graph.nodes()[..=p.output.index()].iter().all(|n| n.value.is_finite() && n.grad.is_finite()) {
        return None;
    }
    let forward = explain::first_non_finite(&p.graph, p.output, None);
    let found = forward.or_else(|| {
        let grads_finite = p.graph.ids().take(p.output.index() + 1).all(|id| p.graph.grad(id).is_finite());
        if grads_finite {
            return None;
        }
        match trace {
            Some(t) => explain::first_non_finite(&p.graph, p.output, Some(t)),
            None => {
                let t = p.graph.backward_trace(p.output);
                explain::first_non_finite(&p.graph, p.output, Some(&t))
            }
        }
    })?;
    let pass = match found.pass {
        explain::Pass::Forward => "forward",
        explain::Pass::Backward => "backward",
    };
    eprintln!("warning: the first NaN or infinity ({pass}) is at {}: {}", found.label, found.reason);
    Some(found)
}

fn non_finite_json(n: &Option<NonFinite>) -> Value {
    match n {
        Some(n) => json!({
            "node": n.node.0, "label": n.label, "pass": n.pass, "value": num(n.value), "reason": n.reason,
        }),
        None => Value::Null,
    }
}

/// The output's value and every input's gradient; only the form asked for is built (for a program with 10⁴ inputs,
/// the JSON objects would cost more memory than its graph).
fn eval(p: &mut Program, as_json: bool) -> Output {
    let trouble = non_finite(p, None);
    let out_name = explain::name(&p.graph, p.output);
    if as_json {
        let grads: serde_json::Map<String, Value> =
            p.inputs.iter().map(|i| (i.name.clone(), num(p.graph.grad(i.node)))).collect();
        let inputs: Vec<Value> = p
            .inputs
            .iter()
            .map(|i| json!({ "name": i.name, "value": num(p.graph.value(i.node)), "grad": num(p.graph.grad(i.node)) }))
            .collect();
        let json = json!({
            "value": num(p.value()),
            "grads": grads,
            "output": out_name,
            "inputs": inputs,
            "nodes": p.graph.len(),
            "non_finite": non_finite_json(&trouble),
        });
        return Output { text: String::new(), json, code: 0 };
    }
    let mut text = format!("{out_name} = {}\n", p.value());
    for i in &p.inputs {
        let _ = writeln!(text, "∂{out_name}/∂{} = {}", i.name, p.graph.grad(i.node));
    }
    Output { text, json: Value::Null, code: 0 }
}

fn trace(p: &mut Program) -> Output {
    let forward = p.graph.forward_trace();
    let backward = p.graph.backward_trace(p.output);
    let trouble = non_finite(p, Some(&backward));
    let g = &mut p.graph;
    let mut text = String::from("forward\n");
    let mut fj = Vec::new();
    for (k, s) in forward.steps.iter().enumerate() {
        let line = explain::forward_text(g, s.node);
        text.push_str(&format!("{:>4}  {line}\n", k + 1));
        let why = explain::forward_trouble(g, s.node);
        if let Some(why) = &why {
            text.push_str(&format!("        ! {why}\n"));
        }
        fj.push(json!({
            "node": s.node.0, "label": explain::name(g, s.node), "op": g.op(s.node).short(),
            "value": num(s.value), "text": line, "non_finite": why,
        }));
    }
    text.push_str("backward\n");
    let mut bj = Vec::new();
    for (k, s) in backward.steps.iter().enumerate() {
        let lines = explain::backward_lines(g, p.output, s);
        text.push_str(&format!("{:>4}  {}\n", k + 1, lines[0]));
        let rule = g.op(s.node).rule();
        if !rule.is_empty() {
            text.push_str(&format!("        rule: {rule}\n"));
        }
        let locals: Vec<String> =
            s.contributions.iter().map(|c| explain::local_formula(g, s.node, c.position)).collect();
        for (l, local) in lines[1..].iter().zip(&locals) {
            text.push_str(&format!("        {l}\n"));
            text.push_str(&format!("            {local}\n"));
        }
        let mut notes = explain::step_notes(g, p.output, s);
        notes.extend(explain::sign_reading(g, p.output, s.node, s.upstream));
        for n in &notes {
            text.push_str(&format!("        · {n}\n"));
        }
        let contributions: Vec<Value> = s
            .contributions
            .iter()
            .zip(&locals)
            .map(|(c, local)| {
                json!({
                    "operand": c.operand.0, "label": explain::name(g, c.operand), "local": num(c.local),
                    "contribution": num(c.contribution), "accumulates": c.accumulates, "shared": c.shared,
                    "local_text": local,
                })
            })
            .collect();
        bj.push(json!({
            "node": s.node.0, "label": explain::name(g, s.node), "op": g.op(s.node).short(),
            "upstream": num(s.upstream), "contributions": contributions, "text": lines, "rule": rule,
            "notes": notes,
        }));
    }
    let json = json!({ "forward": fj, "backward": bj, "non_finite": non_finite_json(&trouble) });
    Output { text, json, code: 0 }
}

/// Above this many nodes `check` checks the inputs only (checking every node costs O(nodes²)).
pub const CHECK_ALL_NODES_UP_TO: usize = 5000;

fn check(p: &mut Program, h: f64) -> Output {
    let all_nodes = p.graph.len() <= CHECK_ALL_NODES_UP_TO;
    let checks = if all_nodes { p.graph.gradcheck(p.output, h) } else { p.graph.gradcheck_leaves(p.output, h) };
    // A kink or a non-finite value is a known limit of the check, explained in its row, not a wrong gradient.
    let wrong_leaf = checks.iter().any(|c| c.leaf && c.status == Status::Wrong);
    let g = &p.graph;
    let mut text = format!(
        "{:<12} {:<12} {:>14} {:>14} {:>11}  band   (h = {h:e})\n",
        "node", "kind", "analytic", "numeric", "rel. error"
    );
    let mut nodes = Vec::new();
    for c in &checks {
        let name = explain::name(g, c.node);
        let kind = if c.leaf { "input".to_owned() } else { g.op(c.node).short().to_owned() };
        text.push_str(&format!(
            "{:<12} {:<12} {:>14.8} {:>14.8} {:>11.2e}  {}\n",
            name,
            kind,
            c.analytic,
            c.numeric,
            c.rel_error,
            // a kink or an undefined gradient is a known limit of the check, not a wrong gradient: the band column says so
            match c.status {
                Status::Kink | Status::Undefined => c.status.name(),
                Status::Ok | Status::Wrong => c.band.name(),
            }
        ));
        if let Some(reason) = &c.reason {
            text.push_str(&format!("{:<12} {}: {reason}\n", "", c.status.name()));
        }
        nodes.push(json!({
            "node": c.node.0, "label": name, "leaf": c.leaf, "analytic": num(c.analytic), "numeric": num(c.numeric),
            "rel_error": num(c.rel_error), "band": c.band.name(), "status": c.status.name(), "reason": c.reason,
        }));
    }
    if !all_nodes {
        text.push_str(&format!(
            "the program has {} nodes: only its inputs were checked (every node is checked up to {CHECK_ALL_NODES_UP_TO})\n",
            g.len()
        ));
    }
    if wrong_leaf {
        text.push_str(
            "an input's gradient is in the 'wrong' band (> 1e-2), and no kink or non-finite value explains it\n",
        );
    }
    let json = json!({ "h": h, "ok": !wrong_leaf, "all_nodes": all_nodes, "nodes": nodes });
    Output { text, json, code: u8::from(wrong_leaf) }
}
