//! Frame time of the backprop view and layout time of large graphs, measured headless (no window, no GPU): the
//! whole window (`App::ui_body`) runs through `egui::Context::run_ui` and is tessellated, as eframe would each frame.
//!
//! Targets (issue 8): a frame of micrograd's MLP 2-16-16-1 (983 nodes) < 4 ms; a 10 000-node graph lays out in
//! < 200 ms and steps with frames < 16 ms. Also: < 4 ms per frame with a 200-node graph during playback. Every case
//! plays the timeline at one step per frame (the follow camera, where on, glides on every step); the 10 000-node
//! graph is an MLP 2-33-33-33-33-1 written as micrograd would (10 369 nodes).
//! Run: `cargo bench --bench ui`.

use std::time::{Duration, Instant};

use chainrule::app::App;
use chainrule::app::backprop::presets::mlp_source;
use chainrule::app::backprop::{Action, BackpropView};
use chainrule::layout::{LayoutConfig, layout_folded, layout_graph};
use chainrule::scalar::Groups;
use chainrule::scalar::groups::fold;
use eframe::egui;

mod common;
use common::{Window, ms, pace};

/// A one-hidden-layer tanh network on four inputs with a squared loss, as a program: about 14 nodes per hidden unit.
fn mlp_program(hidden: usize) -> String {
    let mut s = String::new();
    for i in 0..4 {
        s.push_str(&format!("x{i} = {}\n", 0.1 * (i as f64 + 1.0)));
    }
    let mut out = String::from("c = 0.1\no = c");
    for j in 0..hidden {
        let mut sum = format!("b{j}");
        s.push_str(&format!("b{j} = {}\n", 0.01 * j as f64));
        for i in 0..4 {
            s.push_str(&format!("w{j}_{i} = {}\n", 0.3 - 0.05 * ((i + j) % 7) as f64));
            sum.push_str(&format!(" + w{j}_{i}*x{i}"));
        }
        s.push_str(&format!("h{j} = tanh({sum})\nv{j} = {}\n", 0.2 - 0.03 * (j % 5) as f64));
        out.push_str(&format!(" + v{j}*h{j}"));
    }
    s.push_str(&out);
    s.push_str("\nloss = (o - 1)^2\n");
    s
}

/// How the view is set up before the frames are timed.
#[derive(Clone, Copy)]
enum Setup {
    /// As it opens (large graphs folded, fitted, following the steps).
    AsOpened,
    /// Every group unfolded, at this zoom (None: fitted).
    Unfolded(Option<f32>),
    /// As opened, at this zoom, the follow camera off.
    Zoom(f32),
    /// Every group unfolded, the follow camera off: the whole graph fitted, far out.
    Whole,
}

/// Frames of playback at one step per 1/60 s frame; prints mean, median and p95 of run_ui + tessellate.
fn frame_time(what: &str, source: String, setup: Setup) {
    let mut app = App::default();
    {
        let v = app.view_mut::<BackpropView>().expect("registered");
        v.settings.source = source;
        v.settings.speed = 60.0; // one step per 1/60 s frame
        v.push(Action::Apply);
    }
    let mut window = Window::new(1440.0, 900.0);
    let mut run = |app: &mut App| window.frame(app, Vec::new()).ui;
    run(&mut app);
    // a large program is built off the UI thread: measure its graph, not the one before it
    while app.view_mut::<BackpropView>().expect("registered").is_applying() {
        run(&mut app);
    }
    {
        let v = app.view_mut::<BackpropView>().expect("registered");
        match setup {
            Setup::AsOpened => {}
            Setup::Unfolded(zoom) => {
                v.push(Action::FoldAll(false));
                run(&mut app);
                let v = app.view_mut::<BackpropView>().expect("registered");
                if let Some(z) = zoom {
                    v.canvas_mut().zoom_to(z);
                }
            }
            Setup::Zoom(z) => {
                v.canvas_mut().set_follow(false);
                v.canvas_mut().zoom_to(z);
            }
            Setup::Whole => {
                v.push(Action::FoldAll(false));
                v.canvas_mut().set_follow(false);
            }
        }
    }
    for _ in 0..30 {
        run(&mut app);
    }
    let v = app.view_mut::<BackpropView>().expect("registered");
    let n = v.model.graph.len();
    let items = v.model.folding.items.len();
    let follows = v.follows();
    let frames = 600;
    let mut times = Vec::with_capacity(frames);
    let mut ui_time = Duration::ZERO;
    let mut zooms = 0.0;
    for _ in 0..frames {
        {
            let v = app.view_mut::<BackpropView>().expect("registered");
            if !v.playing {
                v.push(Action::Seek(0));
                v.push(Action::TogglePlay);
            }
            zooms += v.canvas_mut().zoom();
        }
        let start = Instant::now();
        ui_time += run(&mut app);
        times.push(start.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / frames as u32;
    println!(
        "{what}: {n} nodes drawn as {items} items, mean zoom {:.0}%{}, playback: mean {:.2} ms (run_ui {:.2} ms), \
         median {:.2} ms, p95 {:.2} ms per frame (run_ui + tessellate, {frames} frames)",
        zooms / frames as f32 * 100.0,
        if follows { ", following" } else { "" },
        ms(mean),
        ms(ui_time / frames as u32),
        ms(times[frames / 2]),
        ms(times[frames * 95 / 100])
    );
}

/// Mean time of `f` over `runs` runs (after one warm-up).
fn mean_time<T>(runs: u32, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut last = f();
    let start = Instant::now();
    for _ in 0..runs {
        last = std::hint::black_box(f());
    }
    (start.elapsed() / runs, last)
}

/// Layout of a program's whole graph, unfolded (every node a card) and folded as the view opens it.
fn layout_time(what: &str, source: &str) {
    let p = chainrule::expr::compile(source, &[]).expect("the generated program compiles");
    let config = LayoutConfig::default();
    let groups = Groups::from_labels(&p.graph);
    let (t, l) = mean_time(5, || {
        let f = fold(&p.graph, &groups, &[]);
        layout_folded(&p.graph, &groups, &f, &config)
    });
    let dummies: usize = l.edges.iter().map(|e| e.via.len()).sum();
    println!(
        "layout of {what} ({} nodes), unfolded: mean {:.1} ms (groups, folding and layout; {dummies} dummy points, \
         {} crossings)",
        p.graph.len(),
        ms(t),
        l.crossings
    );
    let neurons: Vec<bool> = groups.groups().iter().map(|g| !g.has_children).collect();
    let (t, f) = mean_time(5, || {
        let f = fold(&p.graph, &groups, &neurons);
        layout_folded(&p.graph, &groups, &f, &config);
        f
    });
    println!("layout of {what}, neurons folded ({} items): mean {:.2} ms", f.items.len(), ms(t));
    if groups.is_empty() {
        let (t, _) = mean_time(5, || layout_graph(&p.graph, &config));
        println!("layout of {what} without groups: mean {:.1} ms", ms(t));
    }
}

fn main() {
    // `cargo bench --bench ui -- WORD` runs only the cases whose name holds WORD
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |what: &str| only.is_empty() || only.iter().any(|w| what.contains(w.as_str()));
    let frame_time = |what: &str, source: String, setup: Setup| {
        if wanted(what) {
            frame_time(what, source, setup)
        }
    };
    let layout_time = |what: &str, source: &str| {
        if wanted(what) {
            layout_time(what, source)
        }
    };
    let mlp = mlp_source(&[2, 16, 16, 1], 1337);
    let big = mlp_source(&[2, 33, 33, 33, 33, 1], 7);
    frame_time("micrograd MLP 2-16-16-1, as opened (neurons folded)", mlp.clone(), Setup::AsOpened);
    frame_time("micrograd MLP 2-16-16-1, unfolded, fitted", mlp.clone(), Setup::Unfolded(None));
    frame_time("micrograd MLP 2-16-16-1, unfolded, 100%", mlp.clone(), Setup::Unfolded(Some(1.0)));
    frame_time("micrograd MLP 2-16-16-1, unfolded, whole graph, not following", mlp.clone(), Setup::Whole);
    frame_time("MLP 2-33-33-33-33-1, as opened (neurons folded)", big.clone(), Setup::AsOpened);
    frame_time("MLP 2-33-33-33-33-1, unfolded, fitted", big.clone(), Setup::Unfolded(None));
    frame_time("MLP 2-33-33-33-33-1, unfolded, 100%", big.clone(), Setup::Unfolded(Some(1.0)));
    frame_time("MLP 2-33-33-33-33-1, unfolded, whole graph, not following", big.clone(), Setup::Whole);
    layout_time("micrograd MLP 2-16-16-1", &mlp);
    layout_time("MLP 2-33-33-33-33-1", &big);
    // the earlier targets: a 200-node graph fitted, at 45% and 100%, and a 1000-node layout
    let small = mlp_program(11);
    frame_time("200-node program, fitted, not following", small.clone(), Setup::Whole);
    frame_time("200-node program at 45%, not following", small.clone(), Setup::Zoom(0.45));
    frame_time("200-node program at 100%, not following", small.clone(), Setup::Zoom(1.0));
    frame_time("200-node program, following", small, Setup::AsOpened);
    layout_time("a 1000-node program", &mlp_program(58));
    if wanted("keystroke in the editor") {
        keystroke_time(10_000);
    }
    if wanted("apply in the editor") {
        apply_time(10_000);
    }
    if wanted("window start") {
        startup_time();
    }
    if wanted("labs initialization") {
        labs_time("labs initialization", "init");
    }
    for tab in ["batchnorm", "preprocessing"] {
        let what = format!("labs training {tab}");
        if wanted(&what) {
            labs_time(&what, tab);
        }
    }
}

/// The Labs view's `tab` (init, batchnorm or preprocessing) at 1280×720 while its worker computes with the default
/// settings: every frame (run_ui + tessellate; wall time, and the UI thread's own CPU time) from the one that opens
/// the tab until the result is complete, frames 16 ms apart as at 60 Hz, then 60 frames with the result shown and
/// the worker gone. The window has run 20 frames of another lab first (a learner clicks the tab in a running
/// window: egui's fonts are loaded by then).
fn labs_time(what: &str, tab: &str) {
    use chainrule::app::labs::LabsView;
    use chainrule::app::labs::batchnorm::BatchNormLab;
    use chainrule::app::labs::init::InitLab;
    use chainrule::app::labs::preprocessing::PreprocessingLab;
    let session =
        r#"{"version":1,"dark":false,"view":"labs","views":{"labs":{"current":"gallery","tabs":{}}},"zoom":1.0}"#;
    let mut app = App::new(serde_json::from_str(session).expect("a valid session"));
    let mut window = Window::new(1280.0, 720.0);
    let mut frame = |app: &mut App| {
        let f = window.frame(app, Vec::new());
        std::thread::sleep(Duration::from_millis(16).saturating_sub(f.wall));
        (f.wall, f.cpu)
    };
    for _ in 0..20 {
        frame(&mut app);
    }
    {
        let labs = app.view_mut::<LabsView>().expect("registered");
        labs.current = labs.tabs.iter().position(|t| t.id() == tab).expect("a lab tab");
    }
    let (mut during, mut during_cpu) = (Vec::new(), Vec::new());
    let started = Instant::now();
    loop {
        let (wall, cpu) = frame(&mut app);
        during.push(wall);
        during_cpu.push(cpu);
        let labs = app.view_mut::<LabsView>().expect("registered");
        let done = match tab {
            "init" => labs.tab_mut::<InitLab>().is_some_and(|l| !l.is_busy_now()),
            "batchnorm" => labs.tab_mut::<BatchNormLab>().is_some_and(|l| l.run.done),
            _ => labs.tab_mut::<PreprocessingLab>().is_some_and(|l| l.curves.done),
        };
        if done || started.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    let computing = started.elapsed();
    let mut after: Vec<Duration> = (0..60).map(|_| frame(&mut app).0).collect();
    let frames = during.len();
    let first = during[0];
    let over = |d: &[Duration]| d.iter().filter(|d| **d > Duration::from_millis(16)).count();
    let (over_wall, over_cpu) = (over(&during), over(&during_cpu));
    let mean = during.iter().sum::<Duration>() / frames as u32;
    during.sort();
    during_cpu.sort();
    after.sort();
    println!(
        "{what}: {frames} frames while the worker computed ({:.2} s): the tab's first {:.2} ms, mean {:.2} ms, \
         median {:.2} ms, p95 {:.2} ms, max {:.2} ms, {over_wall} over 16 ms; the UI thread's CPU time: median \
         {:.2} ms, max {:.2} ms, {over_cpu} over 16 ms; then with the result shown: median {:.2} ms, max {:.2} ms",
        computing.as_secs_f64(),
        ms(first),
        ms(mean),
        ms(during[frames / 2]),
        ms(during[frames * 95 / 100]),
        ms(during[frames - 1]),
        ms(during_cpu[frames / 2]),
        ms(during_cpu[frames - 1]),
        ms(after[after.len() / 2]),
        ms(after[after.len() - 1])
    );
}

/// The window's start: building the app (every view, the lessons' checks among them) and its first frame, as
/// `chainrule` does before anything is shown; then the lessons' checks alone, the window's (quick: lab questions'
/// numbers left to the answer) against `chainrule lessons check`'s (full). Run alone (`-- "window start"`), so
/// that no other case has warmed the labs' caches.
fn startup_time() {
    use chainrule::lesson::{SHIPPED, check_text, check_text_quick};
    use std::path::Path;
    let start = Instant::now();
    let mut app = App::default();
    let built = start.elapsed();
    let ctx = egui::Context::default();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 720.0));
    let input = egui::RawInput { screen_rect: Some(screen), time: Some(0.0), ..Default::default() };
    let start = Instant::now();
    let mut out = ctx.run_ui(input, |ui| app.ui_body(ui));
    std::hint::black_box(ctx.tessellate(std::mem::take(&mut out.shapes), out.pixels_per_point).len());
    let first = start.elapsed();
    let (quick, _) =
        mean_time(3, || SHIPPED.iter().filter(|(n, t)| check_text_quick(Path::new(n), t).is_valid()).count());
    let start = Instant::now();
    let full = SHIPPED.iter().filter(|(n, t)| check_text(Path::new(n), t).is_valid()).count();
    let full_time = start.elapsed();
    assert_eq!(full, SHIPPED.len(), "the shipped lessons are valid");
    println!(
        "window start: App::default {:.1} ms (the {} lessons' quick check {:.1} ms of it), first frame {:.1} ms \
         (egui's fonts loaded in it); the full check `lessons check` runs: {:.1} ms",
        ms(built),
        SHIPPED.len(),
        ms(quick),
        ms(first),
        ms(full_time)
    );
}
/// A keystroke in the backprop view's editor holding a `statements`-statement program: the frame that takes the
/// character (run_ui + tessellate), which hands the text to the checking worker and does not wait for it, against
/// compiling that text on the UI thread, which is what such a frame did before the worker.
fn keystroke_time(statements: usize) {
    use egui_kittest::kittest::Queryable;
    let program = chainrule::expr::sample::mixed_program(statements);
    let app_with_program = || {
        let mut app = App::default();
        app.view_mut::<BackpropView>().expect("registered").settings.source = program.clone();
        app
    };
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1440.0, 900.0));
    // where the editor sits, found once through egui_kittest's accessibility tree (the frames below run without it)
    let editor = {
        let mut h = egui_kittest::Harness::builder()
            .with_size(screen.size())
            .build_ui_state(|ui, app: &mut App| app.ui_body(ui), app_with_program());
        h.run();
        h.get_by_role(egui::accesskit::Role::MultilineTextInput).rect()
    };
    let mut app = app_with_program();
    let mut window = Window::new(screen.width(), screen.height());
    let ctx = window.ctx.clone();
    let mut frame = |app: &mut App, events: Vec<egui::Event>| window.frame(app, events).wall;
    for _ in 0..10 {
        frame(&mut app, Vec::new());
    }
    // the field is as tall as its 10⁴ lines; its top lines are the ones in view
    let at = egui::pos2(editor.center().x, editor.top() + 20.0);
    let press = |pressed| egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    frame(&mut app, vec![egui::Event::PointerMoved(at)]);
    frame(&mut app, vec![press(true)]);
    frame(&mut app, vec![press(false)]);
    frame(&mut app, Vec::new());
    assert!(ctx.text_edit_focused(), "the click at {at:?} focused the editor");
    let before = app.view_mut::<BackpropView>().expect("registered").settings.source.len();
    let keys = 200;
    let mut typing = Vec::with_capacity(keys);
    for k in 0..keys {
        // a character, then Backspace, so the program stays the same size
        let event = if k % 2 == 0 {
            egui::Event::Text("x".into())
        } else {
            egui::Event::Key {
                key: egui::Key::Backspace,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: egui::Modifiers::NONE,
            }
        };
        typing.push(frame(&mut app, vec![event]));
    }
    let v = app.view_mut::<BackpropView>().expect("registered");
    assert_eq!(v.settings.source.len(), before, "the keystrokes went into the editor");
    let mut idle = Vec::with_capacity(60);
    for _ in 0..60 {
        idle.push(frame(&mut app, Vec::new()));
    }
    let compile = {
        let runs = 20;
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(chainrule::expr::compile(&program, &[]).map(|p| p.graph.len()).unwrap_or(0));
        }
        start.elapsed() / runs
    };
    typing.sort();
    idle.sort();
    println!(
        "keystroke in the editor, {statements}-statement program ({} KB): median {:.2} ms, p95 {:.2} ms, max {:.2} ms \
         per typing frame ({keys} frames); median {:.2} ms per idle frame; compiling it on the UI thread instead would \
         add {:.2} ms to every typing frame",
        program.len() / 1024,
        ms(typing[keys / 2]),
        ms(typing[keys * 95 / 100]),
        ms(typing[keys - 1]),
        ms(idle[idle.len() / 2]),
        ms(compile)
    );
}

/// Apply (Ctrl+Enter) of a `statements`-statement program in the backprop view: the frames from the one that takes
/// the Apply until the new graph is shown (run_ui + tessellate, paced at 60 frames a second as a window would be),
/// while the builder's worker builds the model beside them; against building that model on the UI thread, which is
/// what the Apply frame did before the worker.
fn apply_time(statements: usize) {
    let program = chainrule::expr::sample::mixed_program(statements);
    let mut app = App::default();
    let mut window = Window::new(1440.0, 900.0);
    let mut frame = |app: &mut App| {
        let took = window.frame(app, Vec::new()).wall;
        pace(took);
        took
    };
    for _ in 0..10 {
        frame(&mut app);
    }
    // the text in the editor first (its first layout, about 0.2 s for 10⁴ lines, belongs to pasting or opening it)
    app.view_mut::<BackpropView>().expect("registered").settings.source = program.clone();
    for _ in 0..10 {
        frame(&mut app);
    }
    let old = app.view_mut::<BackpropView>().expect("registered").model.graph.len();
    app.view_mut::<BackpropView>().expect("registered").push(Action::Apply);
    let start = Instant::now();
    let apply_frame = frame(&mut app);
    let mut during = Vec::new();
    let swap = loop {
        let took = frame(&mut app);
        let v = app.view_mut::<BackpropView>().expect("registered");
        if !v.is_applying() {
            break took;
        }
        assert_eq!(v.model.graph.len(), old, "the old graph is shown while the new one is built");
        during.push(took);
    };
    let until_shown = start.elapsed();
    let nodes = app.view_mut::<BackpropView>().expect("registered").model.graph.len();
    let after: Vec<Duration> = (0..30).map(|_| frame(&mut app)).collect();
    let sync = {
        let start = Instant::now();
        let m = chainrule::app::backprop::model::Model::build(&program, &Default::default(), false);
        std::hint::black_box(m.map(|m| m.graph.len()).unwrap_or(0));
        start.elapsed()
    };
    during.sort();
    let n = during.len().max(1);
    let at = |q: usize| during.get((n - 1) * q / 100).copied().map(ms).unwrap_or(f64::NAN);
    println!(
        "apply in the editor, {statements}-statement program ({nodes} nodes): the Apply frame {:.2} ms; {} frames while \
         building, median {:.2} ms, p95 {:.2} ms, max {:.2} ms; the frame that shows the new graph {:.2} ms, the next \
         30 a max of {:.2} ms; shown {:.2} s after Apply; building it on the UI thread instead freezes one frame for \
         {:.2} s",
        ms(apply_frame),
        during.len(),
        at(50),
        at(95),
        at(100),
        ms(swap),
        after.iter().max().copied().map(ms).unwrap_or(f64::NAN),
        until_shown.as_secs_f64(),
        sync.as_secs_f64()
    );
}
