//! Frame time of the backprop view and layout time of a large graph, measured headless (no window, no GPU): the
//! whole window (`App::ui_body`) runs through `egui::Context::run_ui` and is tessellated, as eframe would each frame.
//!
//! Targets: < 4 ms per frame with a 200-node graph during playback; < 50 ms to lay out a 1000-node graph.
//! Run: `cargo bench --bench ui`.

use std::time::{Duration, Instant};

use chainrule::app::App;
use chainrule::app::backprop::{Action, BackpropView};
use chainrule::layout::{LayoutConfig, layout_graph};
use eframe::egui;

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

fn frame_time(nodes_wanted: usize, zoom: Option<f32>) {
    let hidden = (nodes_wanted.saturating_sub(10)) / 17;
    let mut app = App::default();
    {
        let v = app.view_mut::<BackpropView>().expect("registered");
        v.settings.source = mlp_program(hidden);
        v.settings.speed = 60.0; // one step per 1/60 s frame
        v.push(Action::Apply);
    }
    let ctx = egui::Context::default();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1440.0, 900.0));
    let mut t = 0.0;
    let mut run = |app: &mut App| {
        t += 1.0 / 60.0;
        let input =
            egui::RawInput { screen_rect: Some(screen), time: Some(t), predicted_dt: 1.0 / 60.0, ..Default::default() };
        let start = Instant::now();
        let mut out = ctx.run_ui(input, |ui| app.ui_body(ui));
        let drawn = start.elapsed();
        let prims = ctx.tessellate(std::mem::take(&mut out.shapes), out.pixels_per_point);
        // no renderer here to upload font textures to
        out.textures_delta.clear();
        std::hint::black_box(prims.len());
        drawn
    };
    for _ in 0..30 {
        run(&mut app);
    }
    let v = app.view_mut::<BackpropView>().expect("registered");
    let n = v.model.graph.len();
    if let Some(z) = zoom {
        v.canvas_mut().zoom_to(z);
    }
    let zoom = v.canvas_mut().zoom();
    let frames = 600;
    let mut times = Vec::with_capacity(frames);
    let mut ui_time = Duration::ZERO;
    for _ in 0..frames {
        {
            let v = app.view_mut::<BackpropView>().expect("registered");
            if !v.playing {
                v.push(Action::Seek(0));
                v.push(Action::TogglePlay);
            }
        }
        let start = Instant::now();
        ui_time += run(&mut app);
        times.push(start.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / frames as u32;
    let median = times[frames / 2];
    let p95 = times[frames * 95 / 100];
    println!(
        "backprop view, {n}-node graph, zoom {:.0}%, playback: mean {:.2} ms (of which run_ui {:.2} ms), median {:.2} ms, p95 {:.2} ms per frame (run_ui + tessellate, {frames} frames)",
        zoom * 100.0,
        ms(mean),
        ms(ui_time / frames as u32),
        ms(median),
        ms(p95)
    );
}

fn layout_time(nodes_wanted: usize) {
    let hidden = (nodes_wanted.saturating_sub(10)) / 17;
    let p = chainrule::expr::compile(&mlp_program(hidden), &[]).expect("the generated program compiles");
    let config = LayoutConfig::default();
    let _ = layout_graph(&p.graph, &config);
    let runs = 10;
    let start = Instant::now();
    let mut crossings = 0;
    for _ in 0..runs {
        crossings = std::hint::black_box(layout_graph(&p.graph, &config)).crossings;
    }
    let mean = start.elapsed() / runs;
    println!("layout of a {}-node graph: mean {:.2} ms ({runs} runs, {crossings} crossings)", p.graph.len(), ms(mean));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // fitted to the window (cards only: text is hidden below 28%), at 45% (the numbers on cards and wires appear) and
    // at 100% (fewer, larger cards in view)
    frame_time(200, None);
    frame_time(200, Some(0.45));
    frame_time(200, Some(1.0));
    layout_time(1000);
    keystroke_time(10_000);
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
    let ctx = egui::Context::default();
    let mut t = 0.0;
    let mut frame = |app: &mut App, events: Vec<egui::Event>| {
        t += 1.0 / 60.0;
        let input = egui::RawInput {
            screen_rect: Some(screen),
            time: Some(t),
            predicted_dt: 1.0 / 60.0,
            events,
            ..Default::default()
        };
        let start = Instant::now();
        let mut out = ctx.run_ui(input, |ui| app.ui_body(ui));
        let prims = ctx.tessellate(std::mem::take(&mut out.shapes), out.pixels_per_point);
        out.textures_delta.clear();
        std::hint::black_box(prims.len());
        start.elapsed()
    };
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
