//! The expression language a learner types: statements separated by newlines or `;`, compiled into a scalar graph.
//!
//! ```
//! let p = chainrule::expr::compile("x = -2; y = 5; z = -4; q = x + y; f = q * z", &[]).unwrap();
//! assert_eq!(p.value(), -12.0);
//! assert_eq!(p.grad_of("x"), Some(-4.0)); // ∂f/∂x = ∂f/∂q · ∂q/∂x = z · 1
//! ```

mod error;
mod lexer;
mod parser;
pub mod sample;

pub use error::ExprError;
pub use parser::{MAX_DEPTH, MAX_SOURCE, compile, function_names};

use crate::scalar::{Graph, NodeId};

/// A program's error: a positioned syntax or name error, or a value given from outside for a name it does not have.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProgramError {
    /// Something in the program's text, at a line and column.
    #[error(transparent)]
    Syntax(#[from] ExprError),
    /// `--at NAME=VALUE` for a name that is not an input.
    #[error("--at {name}: the program has no input named '{name}' (its inputs: {inputs})")]
    UnknownInput {
        /// The name given.
        name: String,
        /// The program's inputs, comma-separated.
        inputs: String,
    },
}

impl ProgramError {
    /// The message with the source line and a caret where there is a place, else the plain message.
    pub fn render(&self, src: &str) -> String {
        match self {
            ProgramError::Syntax(e) => e.render(src),
            other => format!("error: {other}\n"),
        }
    }
}

/// An input of a program: a leaf with a name.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Input {
    /// The name.
    pub name: String,
    /// Its leaf.
    pub node: NodeId,
    /// The line that gave it its value (or first used it).
    pub line: usize,
}

/// A compiled program: its graph (values and gradients computed), its output node and its inputs in order.
#[derive(Clone, Debug)]
pub struct Program {
    /// The graph, in statement order.
    pub graph: Graph,
    /// The last statement's node.
    pub output: NodeId,
    /// The leaves with names, in order of first appearance.
    pub inputs: Vec<Input>,
}

impl Program {
    /// The output's value.
    pub fn value(&self) -> f64 {
        self.graph.value(self.output)
    }

    /// `∂output/∂input` for every input, in order.
    pub fn grads(&self) -> Vec<(String, f64)> {
        self.inputs.iter().map(|i| (i.name.clone(), self.graph.grad(i.node))).collect()
    }

    /// One input's gradient (after the latest backward pass).
    pub fn grad_of(&self, name: &str) -> Option<f64> {
        self.input(name).map(|i| self.graph.grad(i.node))
    }

    /// An input by name.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }

    /// Sets an input's value and recomputes values and gradients. Returns false for an unknown name.
    pub fn set_input(&mut self, name: &str, value: f64) -> bool {
        let Some(node) = self.input(name).map(|i| i.node) else { return false };
        self.graph.set_value(node, value);
        self.recompute();
        true
    }

    /// The same program with its fused gates expanded into primitive ones ([`Graph::expand`]): output and inputs
    /// mapped to their new nodes, gradients computed. The leaf gradients agree away from kinks.
    pub fn expanded(&self) -> Program {
        let (mut graph, map) = self.graph.expand();
        let output = map[self.output.index()];
        graph.backward(output);
        let inputs = self.inputs.iter().map(|i| Input { node: map[i.node.index()], ..i.clone() }).collect();
        Program { graph, output, inputs }
    }

    /// Recomputes values (forward) and gradients (backward).
    pub fn recompute(&mut self) {
        self.graph.forward();
        self.graph.backward(self.output);
    }
}
