//! `chainrule landscape` end to end: the JSON's shape and its numbers' relations (the centre is θ, a path starts at
//! the origin on the plane, pca explains at most everything), the PNG, and bad options exiting 2 with the option named.

use std::process::{Command, Output};

fn chainrule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chainrule")).args(args).output().expect("the binary runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = chainrule(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn the_json_holds_the_grid_the_paths_and_the_check_points() {
    let v = json(&[
        "landscape",
        "--hidden",
        "6,6",
        "--points",
        "200",
        "--grid",
        "7",
        "--opt",
        "sgd:lr=0.2",
        "--opt",
        "adam:lr=0.02",
        "--steps",
        "30",
        "--json",
        "--threads",
        "1",
    ]);
    assert_eq!(v["axes"]["grid"], 7);
    assert_eq!(v["axes"]["names"], serde_json::json!(["d1", "d2"]));
    let grid = v["grid"].as_array().expect("rows");
    assert_eq!(grid.len(), 7);
    assert!(grid.iter().all(|r| r.as_array().is_some_and(|r| r.len() == 7)));
    // the centre of an odd grid is θ itself
    assert_eq!(grid[3][3], v["origin_loss"]);
    assert_eq!(v["check_points"][0]["loss"], v["origin_loss"]);
    assert_eq!(v["check_points"].as_array().expect("five").len(), 5);
    let racers = v["racers"].as_array().expect("racers");
    assert_eq!(racers.len(), 2);
    for r in racers {
        let path = r["path"].as_array().expect("a path");
        assert_eq!(path.len(), 31);
        // θ₀ is the plane's origin: (0, 0), on the plane, at the centre's loss
        assert_eq!(path[0]["alpha"], 0.0);
        assert_eq!(path[0]["off_plane"], 0.0);
        assert_eq!(path[0]["loss"], v["origin_loss"]);
        assert!(path[30]["off_plane"].as_f64().expect("a number") > 0.0);
    }
    assert!(v["explained_variance"].is_null());
}

#[test]
fn pca_reports_its_explained_variance_and_a_png_is_written() {
    let png = std::env::temp_dir().join(format!("chainrule-landscape-{}.png", std::process::id()));
    let v = json(&[
        "landscape",
        "--hidden",
        "6",
        "--points",
        "200",
        "--grid",
        "5",
        "--directions",
        "pca",
        "--opt",
        "sgd:lr=0.3,momentum=0.9",
        "--steps",
        "40",
        "--json",
        "--png",
        png.to_str().expect("utf-8"),
    ]);
    let e = v["explained_variance"].as_array().expect("two shares");
    let (e1, e2) = (e[0].as_f64().expect("a number"), e[1].as_f64().expect("a number"));
    assert!(e1 >= e2 && e2 >= 0.0 && e1 + e2 <= 1.0 + 1e-9, "{e1} {e2}");
    assert_eq!(v["axes"]["names"], serde_json::json!(["PC1", "PC2"]));
    // the plane goes through the end of the path
    let last = v["racers"][0]["path"].as_array().expect("a path").last().cloned().expect("points");
    assert!(last["alpha"].as_f64().expect("a number").abs() < 1e-6);
    let bytes = std::fs::read(&png).expect("the PNG");
    assert_eq!(&bytes[1..4], b"PNG");
    let _ = std::fs::remove_file(png);
}

#[test]
fn bad_options_exit_2_naming_the_option() {
    for (args, want) in [
        (vec!["--grid", "1"], "--grid 1"),
        (vec!["--grid", "500"], "--grid 500"),
        (vec!["--span", "-1"], "--span -1"),
        (vec!["--directions", "sideways"], "--directions sideways"),
        (vec!["--directions", "pca"], "--directions pca"),
        (vec!["--directions", "weights:0.weight[9,9],0.bias[0]"], "--directions weights:0.weight[9,9]"),
        (vec!["--opt", "adam:lr=-1"], "--opt adam:lr=-1"),
        (vec!["--opt", "sgd", "--steps", "99999999"], "--steps 99999999"),
        (vec!["--model", "/nonexistent/m.safetensors"], "--model"),
        (vec!["--hidden", "8,0"], "--hidden 8,0"),
        (vec!["--threads", "3"], "--threads 3"),
    ] {
        let mut all = vec!["landscape"];
        all.extend(args);
        if !all.contains(&"--grid") {
            all.extend(["--grid", "5"]);
        }
        let out = chainrule(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(want), "{all:?}: {err}");
    }
}
