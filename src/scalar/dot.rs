//! Export to Graphviz DOT, left to right, as micrograd's `draw_dot` does: one record per value showing its name, value
//! and gradient, and a small op node feeding each computed value. Built on `petgraph::dot::Dot`.

use petgraph::dot::{Config, Dot};
use petgraph::graph::DiGraph;

use super::explain::{fmt_num, name};
use super::graph::Graph;
use super::op::Op;

enum DotNode {
    Value { name: String, value: f64, grad: f64, input: bool },
    Op(&'static str),
}

impl std::fmt::Display for DotNode {
    // The label comes from the attribute getter; petgraph still asks for a Display impl.
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('{', "\\{")
        .replace('}', "\\}")
        .replace('|', "\\|")
        .replace('<', "\\<")
        .replace('>', "\\>")
}

impl Graph {
    /// The graph as DOT text: `rankdir=LR`, value records `{ name | data v | grad g }` and op nodes between them.
    pub fn to_dot(&self) -> String {
        let mut pg: DiGraph<DotNode, &'static str> = DiGraph::with_capacity(self.len() * 2, self.len() * 3);
        let mut value_ix = Vec::with_capacity(self.len());
        for id in self.ids() {
            let op = self.op(id);
            let v = pg.add_node(DotNode::Value {
                name: name(self, id),
                value: self.value(id),
                grad: self.grad(id),
                input: op == Op::Leaf,
            });
            value_ix.push(v);
            if !matches!(op, Op::Leaf | Op::Const) {
                let o = pg.add_node(DotNode::Op(op.short()));
                pg.add_edge(o, v, "");
                for a in op.operands() {
                    pg.add_edge(value_ix[a as usize], o, "");
                }
            }
        }
        let node_attr = |_: &DiGraph<DotNode, &'static str>, (_, n): (petgraph::graph::NodeIndex, &DotNode)| match n {
            DotNode::Value { name, value, grad, input } => format!(
                "shape=record label=\"{{ {} | data {} | grad {} }}\"{}",
                escape(name),
                escape(&fmt_num(*value)),
                escape(&fmt_num(*grad)),
                if *input { " style=filled fillcolor=\"#e8f4ea\"" } else { "" }
            ),
            DotNode::Op(s) => format!("shape=circle label=\"{}\"", escape(s)),
        };
        let dot = Dot::with_attr_getters(
            &pg,
            &[Config::NodeNoLabel, Config::EdgeNoLabel, Config::GraphContentOnly],
            &|_, _| String::new(),
            &node_attr,
        );
        format!("digraph chainrule {{\n    rankdir=LR;\n{dot}}}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_has_records_and_ops() {
        let mut g = Graph::new();
        let x = g.named_leaf("x", -2.0);
        let y = g.named_leaf("y", 5.0);
        let q = g.add(x, y);
        g.set_label(q, "q");
        g.backward(q);
        let d = g.to_dot();
        assert!(d.starts_with("digraph chainrule {"));
        assert!(d.contains("rankdir=LR"));
        assert!(d.contains("{ q | data 3 | grad 1 }"), "{d}");
        assert!(d.contains("label=\"+\""));
        assert_eq!(d.matches("->").count(), 3); // x→+, y→+, +→q
    }
}
