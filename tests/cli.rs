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
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("kink: f = relu(x) has a kink at 0"));
    // the band column of a kink row says kink, not wrong
    let row = text.lines().find(|l| l.starts_with("x ")).unwrap();
    assert!(row.trim_end().ends_with("kink"), "{row}");
    // just off the kink the analytic gradient is the exact slope there, not PyTorch's convention at the kink
    let out = chainrule(&["check", "x = 0.000001; f = relu(x)"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("the analytic one is the exact slope at 1e-6 (1)"), "{text}");
    assert!(!text.contains("PyTorch's slope"), "{text}");
    // NaN and infinite rows say why
    for (program, words) in [
        ("x = -2; f = x ^ 0.5", "negative base to a fractional power"),
        ("x = 0; f = sqrt(x)", "infinite at 0"),
        ("x = 0; y = 0; f = x ^ y", "0^0 = 1 by convention"),
    ] {
        let v = json(&chainrule(&["check", program, "--json"]));
        let rows = v["nodes"].as_array().unwrap();
        assert!(
            rows.iter().any(|r| r["status"] == "undefined" && r["reason"].as_str().unwrap().contains(words)),
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
    let nodes = v["nodes"].as_array().unwrap();
    // every input is checked, and nothing else
    let inputs = chainrule::expr::compile(&chainrule::scalar::workloads::program_text(6000), &[]).unwrap().inputs;
    assert!(!inputs.is_empty());
    assert_eq!(nodes.len(), inputs.len());
    assert!(nodes.iter().all(|n| n["leaf"] == true));
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn eval_and_trace_name_the_first_nan_or_infinity() {
    let program = "x = -1; y = 0; a = log(x); b = 1 / y; f = a + b";
    let out = chainrule(&["eval", program, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["value"], Value::Null); // NaN
    let n = &v["non_finite"];
    assert_eq!((n["label"].as_str(), n["pass"].as_str()), (Some("a"), Some("forward")), "{n}");
    assert_eq!(n["reason"], "a = log(x): log of a negative number (-1) is undefined");
    assert!(
        stderr(&out).contains("warning: the first NaN or infinity (forward) is at a: a = log(x): log of a negative")
    );
    // the text output warns too, and trace marks the step
    assert!(stderr(&chainrule(&["eval", "y = 0; b = 1 / y"])).contains("division by zero"));
    let out = chainrule(&["trace", "x = 800; e = exp(x); f = e * 2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("        ! e: exp(800) overflows f64"), "{text}");
    assert!(stderr(&out).contains("exp(800) overflows f64"));
    let v = json(&chainrule(&["trace", "x = 800; e = exp(x); f = e * 2", "--json"]));
    assert_eq!(v["non_finite"]["label"], "e");
    assert_eq!(v["forward"][1]["non_finite"], "e: exp(800) overflows f64 (above e^709.78)");
    assert_eq!(v["forward"][2]["non_finite"], Value::Null); // f only inherits the infinity
    // backward: sqrt(0) is 0, its slope is not
    let out = chainrule(&["eval", "x = 0; s = sqrt(x); f = 3 * s", "--json"]);
    let v = json(&out);
    assert_eq!(v["value"], 0.0);
    assert_eq!((v["non_finite"]["label"].as_str(), v["non_finite"]["pass"].as_str()), (Some("s"), Some("backward")));
    assert!(stderr(&out).contains("(backward) is at s"));
    // all finite: null and silent
    let out = chainrule(&["eval", "x = 2; f = log(x)", "--json"]);
    assert_eq!(json(&out)["non_finite"], Value::Null);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    assert_eq!(json(&chainrule(&["trace", "x = 2; f = log(x)", "--json"]))["non_finite"], Value::Null);
}

#[test]
fn check_calls_rows_undefined_when_both_sides_are_not_finite() {
    let out = chainrule(&["check", "x = -1; y = 0; a = log(x); b = 1 / y; f = a + b", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    let rows = v["nodes"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|r| r["status"] == "undefined"), "{rows:?}");
    let text = String::from_utf8_lossy(&chainrule(&["check", "x = 0; y = 1 / x"]).stdout).into_owned();
    assert!(text.contains("undefined: y divides by x = 0"), "{text}");
}

#[test]
fn an_error_in_a_very_long_line_shows_a_window_around_the_caret() {
    // a 200 000-character line, from a file (an argument that long is refused by the system)
    let path = std::env::temp_dir().join(format!("chainrule-long-{}.cr", std::process::id()));
    std::fs::write(&path, format!("y = 1; z = y{} +* 2", " + y".repeat(50_000))).unwrap();
    let out = chainrule(&["eval", &format!("@{}", path.display())]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.len() < 1000, "{} bytes of error", err.len());
    let line = err.lines().find(|l| l.starts_with("1 | ")).expect("the source line");
    assert!(line.starts_with("1 | ...") && line.ends_with("+ y +* 2"), "{line}");
    let caret = err.lines().find(|l| l.trim_end().ends_with('^')).expect("a caret");
    assert_eq!(&line[caret.len() - 1..caret.len()], "*", "{err}");
    // a 200 000-character name: neither the line nor the message comes back whole
    std::fs::write(&path, format!("f = {} * 2", "v".repeat(200_000))).unwrap();
    let out = chainrule(&["eval", &format!("@{}", path.display()), "--json"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).len() < 1000 && out.stdout.len() < 1000, "{}", stderr(&out));
    assert!(json(&out)["error"]["message"].as_str().unwrap().contains("vvv...vvv"), "{}", stderr(&out));
}

#[test]
fn comments_and_compound_assignments() {
    // y = ((x - 1) / 4) so ∂y/∂x = 1/4; z *= and += as before
    let program = "# a comment line\nx = 3 # after a statement\ny = x\ny -= 1\ny /= 4\ny *= 2\ny += x";
    let v = json(&chainrule(&["eval", program, "--json"]));
    assert_eq!(v["value"], 4.0); // (3 - 1) / 4 · 2 + 3
    assert_eq!(v["grads"]["x"], 1.5); // 1/4 · 2 + 1
    assert!(v["output"].as_str().unwrap().starts_with('y'), "{v}");
    // a comment is no statement: the output is the last real one
    let v = json(&chainrule(&["eval", "x = 2; y = x * x # y is the output\n# done", "--json"]));
    assert_eq!((v["value"].as_f64(), v["grads"]["x"].as_f64()), (Some(4.0), Some(4.0)));
    // -= and /= of a name that has no value yet is an error with its place
    let out = chainrule(&["eval", "x = 1\nq -= x"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
}

const FUSED: &str = "a = 0.3; b = -0.7; c = 1.2; s = sigmoid(a * b); t = tanh(b + c); p = softplus(c); q = selu(b); \
                     f = s * t + p * q + selu(c)";

fn close(a: &Value, b: &Value) -> bool {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    (a - b).abs() <= 1e-12 * a.abs().max(1.0)
}

#[test]
fn expand_gives_the_fused_gradients_on_eval_trace_and_check() {
    let fused = json(&chainrule(&["eval", FUSED, "--json"]));
    let expanded = json(&chainrule(&["eval", FUSED, "--expand", "--json"]));
    assert!(expanded["nodes"].as_u64() > fused["nodes"].as_u64(), "{expanded}");
    assert!(close(&fused["value"], &expanded["value"]));
    for x in ["a", "b", "c"] {
        assert!(close(&fused["grads"][x], &expanded["grads"][x]), "{x}: {fused} vs {expanded}");
        assert_ne!(fused["grads"][x], 0.0);
    }
    // trace: the leaves' contributions add up to the same gradients, through the expanded gates
    let t = json(&chainrule(&["trace", FUSED, "--expand", "--json"]));
    let ops: Vec<&str> = t["forward"].as_array().unwrap().iter().map(|s| s["op"].as_str().unwrap()).collect();
    assert!(
        ops.contains(&"exp") && !ops.iter().any(|o| ["sigmoid", "tanh", "softplus", "selu"].contains(o)),
        "{ops:?}"
    );
    for x in ["a", "b", "c"] {
        let sum: f64 = t["backward"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["contributions"].as_array().unwrap())
            .filter(|c| c["label"] == x)
            .map(|c| c["contribution"].as_f64().unwrap())
            .sum();
        assert!(close(&Value::from(sum), &fused["grads"][x]), "{x}: {sum} vs {}", fused["grads"][x]);
    }
    // check: every row good, and the inputs' analytic gradients are the fused ones
    let out = chainrule(&["check", FUSED, "--expand", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let c = json(&out);
    let rows = c["nodes"].as_array().unwrap();
    assert!(rows.len() > 10 && rows.iter().all(|r| r["band"] == "good"), "{rows:?}");
    for x in ["a", "b", "c"] {
        let row = rows.iter().find(|r| r["label"] == x).expect("an input's row");
        assert!(close(&row["analytic"], &fused["grads"][x]), "{x}");
    }
}

fn race(args: &[&str]) -> Output {
    let mut all = vec!["race"];
    all.extend_from_slice(args);
    chainrule(&all)
}

#[test]
fn race_json_shape_and_one_point_per_step() {
    let out = race(&[
        "--surface",
        "rosenbrock",
        "--opt",
        "sgd:lr=0.001,momentum=0.9",
        "--opt",
        "adam:lr=0.05",
        "--steps",
        "40",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim().lines().count(), 1);
    let v = json(&out);
    assert_eq!(v["surface"]["name"], "rosenbrock");
    assert_eq!(v["surface"]["minima"], serde_json::json!([[1.0, 1.0]]));
    assert_eq!(v["start"], serde_json::json!([-1.5, 2.0])); // the preset's start
    assert_eq!((v["steps"].as_u64(), v["threshold"].as_f64()), (Some(40), Some(1e-3)));
    let racers = v["racers"].as_array().unwrap();
    assert_eq!(racers.len(), 2);
    for r in racers {
        for key in [
            "opt",
            "schedule",
            "path",
            "loss",
            "lr",
            "status",
            "stopped_at",
            "converged",
            "converged_at",
            "final",
            "final_loss",
            "steps_to_threshold",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert_eq!(r["path"].as_array().unwrap().len(), 41);
        assert_eq!(r["loss"].as_array().unwrap().len(), 41);
        assert_eq!(r["lr"].as_array().unwrap().len(), 40);
        assert_eq!(r["path"][0], serde_json::json!([-1.5, 2.0]));
        assert_eq!(r["final"], r["path"][40]);
        assert_eq!(r["status"], "running");
        assert_eq!((r["converged"].as_bool(), r["stopped_at"].is_null()), (Some(false), true));
    }
    // torch.optim.SGD(lr=0.001, momentum=0.9) from (-1.5, 2): ∇f = (-155, -50), so the first step is (0.155, 0.05)
    let p1 = &racers[0]["path"][1];
    assert!((p1[0].as_f64().unwrap() + 1.345).abs() < 1e-12 && (p1[1].as_f64().unwrap() - 2.05).abs() < 1e-12, "{p1}");
    assert_eq!(racers[1]["opt"], "adam:lr=0.05");
    // the table: one row per racer, the header names the surface and the step count
    let out = race(&["--surface", "rosenbrock", "--opt", "adam:lr=0.05", "--steps", "40"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("rosenbrock ((1 - x)^2 + 100*(y - x^2)^2) from (-1.5, 2), 40 steps"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("adam:lr=0.05") && l.trim_end().ends_with("running")), "{text}");
}

#[test]
fn race_converges_only_when_the_point_stops_and_still_steps_to_n() {
    let v = json(&race(&[
        "--surface",
        "booth",
        "--start",
        "-8,-6",
        "--opt",
        "sgd:lr=0.05",
        "--opt",
        "sgd:lr=0.01,momentum=0.9",
        "--steps",
        "3000",
        "--json",
    ]));
    for r in v["racers"].as_array().unwrap() {
        assert_eq!(r["path"].as_array().unwrap().len(), 3001, "{}", r["opt"]);
        assert_eq!((r["status"].as_str(), r["converged"].as_bool()), (Some("converged"), Some(true)));
        let k = r["converged_at"].as_u64().unwrap() as usize;
        assert!(k > 0 && k < 3000);
        // from its step on, the point stays put: no step moves it by 1e-12
        let path = r["path"].as_array().unwrap();
        let at = |i: usize| [path[i][0].as_f64().unwrap(), path[i][1].as_f64().unwrap()];
        assert!((k..3000).all(|i| (at(i + 1)[0] - at(i)[0]).hypot(at(i + 1)[1] - at(i)[1]) < 1e-12), "{}", r["opt"]);
        // ... while before it, it moved
        assert!((at(k)[0] - at(k - 1)[0]).hypot(at(k)[1] - at(k - 1)[1]) > 0.0);
        assert!(r["stopped_at"].is_null());
    }
    let out = race(&["--surface", "booth", "--start", "-8,-6", "--opt", "sgd:lr=0.05", "--steps", "3000"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("converged @"), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn race_every_flag() {
    // a typed surface with its start, a domain, a schedule, noise and seed, a threshold
    let args = [
        "--surface",
        "x^2 + 3*y^2",
        "--start",
        "-1.5,1",
        "--opt",
        "sgd:lr=0.1",
        "--steps",
        "30",
        "--schedule",
        "step:step_size=10,gamma=0.5",
        "--domain",
        "-2,2,-2,2",
        "--threshold",
        "0.01",
        "--json",
    ];
    let v = json(&race(&args));
    assert_eq!(v["surface"]["expr"], "x^2 + 3*y^2");
    assert_eq!(v["surface"]["domain"], serde_json::json!({ "x": [-2.0, 2.0], "y": [-2.0, 2.0] }));
    assert_eq!(v["threshold"], 0.01);
    let r = &v["racers"][0];
    assert_eq!(r["schedule"], "step:step_size=10,gamma=0.5");
    let lr: Vec<f64> = r["lr"].as_array().unwrap().iter().map(|l| l.as_f64().unwrap()).collect();
    assert_eq!((lr[0], lr[10], lr[20], lr[29]), (0.1, 0.05, 0.025, 0.025));
    // x² from -1.5 with lr 0.1: x ← 0.8x; loss ≤ 0.01 first at a step the threshold reports
    let to = r["steps_to_threshold"].as_u64().expect("the bowl is reached") as usize;
    let loss = r["loss"].as_array().unwrap();
    assert!(loss[to].as_f64().unwrap() <= 0.01 && loss[to - 1].as_f64().unwrap() > 0.01);
    // noise: seeded (same seed, same path), applied (another seed, another path; no noise, another path)
    let noisy = |seed: &str| {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--noise", "0.5", "--seed", seed]);
        json(&race(&a))["racers"][0]["path"].clone()
    };
    assert_eq!(noisy("1"), noisy("1"));
    assert_ne!(noisy("1"), noisy("2"));
    assert_ne!(noisy("1"), r["path"]);
}

#[test]
fn race_a_diverging_racer_has_no_nan_in_its_path() {
    let v = json(&race(&[
        "--surface",
        "rosenbrock",
        "--opt",
        "sgd:lr=1e9",
        "--opt",
        "sgd:lr=0.5",
        "--opt",
        "adam:lr=0.01",
        "--steps",
        "50",
        "--json",
    ]));
    for r in v["racers"].as_array().unwrap() {
        let path = r["path"].as_array().unwrap();
        assert!(!path.is_empty());
        assert!(path.iter().flat_map(|p| p.as_array().unwrap()).all(|c| c.as_f64().is_some_and(f64::is_finite)), "{r}");
        assert!(r["loss"].as_array().unwrap().iter().all(|l| l.as_f64().is_some_and(f64::is_finite)), "{r}");
    }
    let r = &v["racers"][0];
    assert_eq!((r["status"].as_str(), r["stopped_at"].as_u64()), (Some("diverged"), Some(1)));
    assert_eq!(r["path"].as_array().unwrap().len(), 1);
    assert_eq!(v["racers"][1]["status"], "diverged");
    assert_eq!(v["racers"][2]["path"].as_array().unwrap().len(), 51);
}

#[test]
fn race_errors_exit_2_with_a_message() {
    let cases: &[(&[&str], &str)] = &[
        (&["--surface", "rosenbrok", "--opt", "sgd"], "did you mean 'rosenbrock'"),
        (&["--surface", "x^2 + y^2", "--opt", "sgd"], "--start X,Y is needed"),
        (&["--surface", "booth", "--start", "1", "--opt", "sgd"], "--start 1: expected 2"),
        (&["--surface", "booth", "--start", "50,50", "--opt", "sgd"], "outside the plotted region"),
        (&["--surface", "booth", "--domain", "1,0,0,1", "--opt", "sgd"], "expected XMIN < XMAX"),
        (&["--surface", "booth", "--opt", "sgd:lr=abc"], "--opt sgd:lr=abc"),
        (&["--surface", "booth", "--opt", "nosuch"], "--opt nosuch"),
        (&["--surface", "booth", "--opt", "sgd", "--schedule", "wobble"], "--schedule wobble"),
        (&["--surface", "booth", "--opt", "sgd", "--noise=-1"], "--noise -1"),
        (&["--surface", "booth", "--opt", "sgd", "--steps", "100001"], "at most 100000 steps"),
        (&["--surface", "booth", "--opt", "sgd", "--steps=-3"], "-3"),
        (&["--surface", "booth"], "--opt"),
    ];
    for (args, words) in cases {
        let out = race(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // with --json the error is the one object on standard output
    let out = race(&["--surface", "booth", "--opt", "sgd", "--steps", "1000000", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(json(&out)["error"]["message"].as_str().unwrap().contains("at most 100000 steps"));
    // the limit itself is allowed
    let out = race(&["--surface", "booth", "--opt", "sgd:lr=0.05", "--steps", "100000"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `help train` and `help race` carry the option details the README used to hold.
#[test]
fn help_carries_the_details_of_train_and_race() {
    let train = chainrule(&["help", "train"]);
    assert!(train.status.success());
    let text = String::from_utf8_lossy(&train.stdout);
    for needle in ["--dropout", "Losses, each in its stable form", "nn.Sequential", "Exit codes"] {
        assert!(text.contains(needle), "help train lacks {needle:?}:\n{text}");
    }
    let race = String::from_utf8_lossy(&chainrule(&["help", "race"]).stdout).into_owned();
    assert!(race.contains("warmup:steps=10+cos:t_max=100"), "{race}");
}
