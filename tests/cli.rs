//! The command line end to end: JSON shapes, exit codes and positioned error messages.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn chainrule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainrule")).args(args).output().expect("the binary runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn eval_json_has_value_and_grads() {
    let out = chainrule(&["eval", "x = -2; y = 5; z = -4; q = x + y; f = q * z", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["value"], -12.0);
    assert_eq!(v["grads"]["x"], -4.0);
    assert_eq!(v["grads"]["y"], -4.0);
    assert_eq!(v["grads"]["z"], 3.0);
    assert_eq!(v["output"], "f");
    // nothing but the object
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim().lines().count(), 1);
}

#[test]
fn at_gives_free_names_values_repeated_or_comma_separated() {
    let a = json(&chainrule(&["eval", "f = q * z", "--at", "q=3,z=-4", "--json"]));
    let b = json(&chainrule(&["eval", "f = q * z", "--at", "q=3", "--at", "z=-4", "--json"]));
    assert_eq!(a, b);
    assert_eq!(a["value"], -12.0);
    assert_eq!(a["grads"]["q"], -4.0);
}

#[test]
fn program_from_stdin_and_from_file() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainrule"))
        .args(["eval", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"x = 3\ny = x * x\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json(&out)["grads"]["x"], 6.0); // d/dx x² = 2x

    let path = std::env::temp_dir().join(format!("chainrule-cli-{}.cr", std::process::id()));
    std::fs::write(&path, "a = 2; b = a ^ 3").unwrap();
    let out = chainrule(&["eval", &format!("@{}", path.display()), "--json"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(json(&out)["grads"]["a"], 12.0); // 3a² = 12

    let out = chainrule(&["eval", "@/nonexistent/prog.cr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/prog.cr"));
}

#[test]
fn malformed_program_exits_2_with_a_caret() {
    let out = chainrule(&["eval", "x = 1; y = x +* 2"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column 15"), "{err}");
    assert!(err.contains("1 | x = 1; y = x +* 2"), "{err}");
    assert!(err.contains("  |               ^"), "{err}");

    let out = chainrule(&["eval", "x = 1; y = x +* 2", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["error"]["line"], 1);
    assert_eq!(v["error"]["column"], 15);

    let out = chainrule(&["eval", "y = tanhh(1)"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean 'tanh'"));
    let out = chainrule(&["eval", "f = q * 2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--at q="));
    let out = chainrule(&["eval", "f = x * 2", "--at", "x=1,k=3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no input named 'k'"));
    let out = chainrule(&["eval", "f = x * 2", "--at", "x=abc"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn trace_lists_forward_then_backward() {
    let out = chainrule(&["trace", "x = -2; y = 5; z = -4; q = x + y; f = q * z"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("q = x + y = (-2) + 5 = 3"), "{text}");
    assert!(text.contains("∂f/∂x = upstream (-4) × local 1 = -4"), "{text}");
    // the window's rule and local formula, the step's pattern and the sign's reading are printed too
    assert!(text.contains("rule: add distributes the gradient"), "{text}");
    assert!(text.contains("local for q: z = -4"), "{text}");
    assert!(text.contains("add distributes: the upstream (-4) passes unchanged, x and y each get it"), "{text}");
    assert!(text.contains("∂f/∂q = -4: raising q a little lowers f about four times as much"), "{text}");
    let forward_at = text.find("forward").unwrap();
    let backward_at = text.find("backward").unwrap();
    assert!(forward_at < backward_at);

    let v = json(&chainrule(&["trace", "a = 3; f = a * a", "--json"]));
    assert_eq!(v["forward"].as_array().unwrap().len(), 2);
    let steps = v["backward"].as_array().unwrap();
    // f's step sends 3 to a twice: the second is a +=
    let c = steps[0]["contributions"].as_array().unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(c[0]["accumulates"], false);
    assert_eq!(c[1]["accumulates"], true);
    // ... and both are shares of a used-twice operand, the first printed as a share
    assert_eq!(c[0]["shared"], true);
    let first = steps[0]["text"][1].as_str().unwrap();
    assert_eq!(first, "∂f/∂a += upstream 1 × local a = 1 × 3 = 3  (total 0 + 3 = 3)");
}

#[test]
fn trace_brackets_negative_operands() {
    // `-1^2` is -1 in the language, so a = -1 squared prints as (-1) ^ 2
    let text = String::from_utf8_lossy(&chainrule(&["trace", "a = -1; n = a ^ 2"]).stdout).into_owned();
    assert!(text.contains("n = a ^ 2 = (-1) ^ 2 = 1"), "{text}");
    let text = String::from_utf8_lossy(&chainrule(&["trace", "b = -4; m = 2 - b; k = 3 * b"]).stdout).into_owned();
    assert!(text.contains("m = 2 - b = 2 - (-4) = 6"), "{text}");
    assert!(text.contains("k = 3 * b = 3 * (-4) = -12"), "{text}");
}

#[test]
fn check_reports_a_kink_and_does_not_fail() {
    // relu'(0): the difference averages 0 and 1, a known limit of the check (slide 45)
    for program in ["x = 0; f = relu(x)", "x = 0; f = selu(x)"] {
        let out = chainrule(&["check", program, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{program}");
        let v = json(&out);
        let x = &v["nodes"][0];
        assert_eq!(x["band"], "wrong"); // the band as measured stays
        assert_eq!(x["status"], "kink", "{program}");
        assert!(x["reason"].as_str().unwrap().contains("averages the slopes"), "{x}");
        assert_eq!(v["ok"], true);
    }
    let out = chainrule(&["check", "x = 0; f = relu(x)"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("kink: f = relu(x) has a kink at 0"));
    // NaN and infinite rows say why
    for (program, words) in [
        ("x = -2; f = x ^ 0.5", "negative base to a fractional power"),
        ("x = 0; f = sqrt(x)", "infinite at 0"),
        ("x = 0; y = 0; f = x ^ y", "0^0 = 1 by convention"),
    ] {
        let v = json(&chainrule(&["check", program, "--json"]));
        let rows = v["nodes"].as_array().unwrap();
        assert!(
            rows.iter().any(|r| r["status"] == "not finite" && r["reason"].as_str().unwrap().contains(words)),
            "{program}: {rows:?}"
        );
    }
}

#[test]
fn check_reports_bands_and_exit_code() {
    let v = json(&chainrule(&["check", "x = 0.5; y = tanh(x) * exp(x)", "--json"]));
    assert_eq!(v["ok"], true);
    let nodes = v["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 3);
    assert!(nodes.iter().all(|n| n["band"] == "good"), "{nodes:?}");
    // a huge step makes the central difference wrong: exit 1
    let out = chainrule(&["check", "x = 0.5; y = exp(10 * x)", "--h", "0.5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("wrong"));
    let out = chainrule(&["check", "x = 1", "--h", "-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dot_is_left_to_right_with_values_and_grads() {
    let out = chainrule(&["dot", "x = -2; y = 5; q = x + y"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("digraph"));
    assert!(text.contains("rankdir=LR"));
    assert!(text.contains("{ q | data 3 | grad 1 }"));
    let v = json(&chainrule(&["dot", "x = 1; y = sigmoid(x)", "--expand", "--json"]));
    assert!(v["dot"].as_str().unwrap().contains("exp"));
}

#[test]
fn check_of_a_large_program_checks_its_inputs_only() {
    let path = std::env::temp_dir().join(format!("chainrule-large-{}.cr", std::process::id()));
    std::fs::write(&path, chainrule::scalar::workloads::program_text(6000)).unwrap();
    let out = chainrule(&["check", &format!("@{}", path.display()), "--json"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["all_nodes"], false);
    assert!(v["nodes"].as_array().unwrap().iter().all(|n| n["leaf"] == true));
}
