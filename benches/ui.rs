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
}
