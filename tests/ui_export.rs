//! The "Export → PNG image…" button end to end, headless: the click, the save dialog (answered by the test), the
//! screenshot request the window sends, the picture arriving a frame later, the crop to the graph area and the file on
//! disk. The headless harness has no GPU renderer, so the test answers the screenshot request itself with a picture
//! whose every pixel encodes its own position: the saved PNG must then be exactly the graph area's pixels, no more, no
//! fewer, not shifted. (The real renderer is exercised by `tests/screenshot.rs` under Xvfb, through the same slot.)

use std::sync::Arc;

use chainrule::app::App;
use chainrule::app::backprop::BackpropView;
use chainrule::app::files::ScriptedDialogs;
use chainrule::app::session::StoredSession;
use eframe::egui::{self, ViewportCommand, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

const SIZE: egui::Vec2 = egui::vec2(1280.0, 720.0);

/// The colour that marks pixel (x, y) of the fake screenshot: red and green are x, blue is y (all mod 256).
fn marker(x: usize, y: usize) -> [u8; 3] {
    [(x % 256) as u8, (x / 256) as u8 * 40, (y % 256) as u8]
}

/// Answers every screenshot request of the last frame with a 1280×720 picture of position markers; returns how many.
fn answer_screenshots(h: &Harness<'static, App>) -> usize {
    let (w, ht) = (SIZE.x as usize, SIZE.y as usize);
    let mut pixels = Vec::with_capacity(w * ht);
    for y in 0..ht {
        for x in 0..w {
            let [r, g, b] = marker(x, y);
            pixels.push(egui::Color32::from_rgb(r, g, b));
        }
    }
    let image = Arc::new(egui::ColorImage::new([w, ht], pixels));
    let mut answered = 0;
    if let Some(root) = h.output().viewport_output.get(&ViewportId::ROOT) {
        for command in &root.commands {
            if let ViewportCommand::Screenshot(callback) = command {
                callback.clone().complete(Arc::clone(&image));
                answered += 1;
            }
        }
    }
    answered
}

#[test]
fn export_png_saves_exactly_the_graph_area_of_the_window() {
    let dir = std::env::temp_dir().join(format!("chainrule-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let dialogs = ScriptedDialogs { answers: vec![Some(dir.join("graph"))].into(), ..ScriptedDialogs::default() };
    let app = App::with_dialogs(StoredSession::default(), Box::new(dialogs));
    let mut h =
        Harness::builder().with_size(SIZE).with_max_steps(12).build_ui_state(|ui, app: &mut App| app.ui_body(ui), app);
    h.run();

    h.get_by_label("Export").click();
    h.run();
    h.get_by_label("PNG image…").click();
    // frame by frame: the click, the dialog, the request; then the picture arrives and is saved
    let mut requests = 0;
    for _ in 0..10 {
        h.step();
        requests += answer_screenshots(&h);
        if requests > 0 {
            break;
        }
    }
    assert_eq!(requests, 1, "one screenshot request after the click");
    let written = dir.join("graph.png");
    assert!(!written.exists(), "nothing is written before the picture arrives");
    for _ in 0..4 {
        h.step();
    }

    let area = h.state_mut().view_mut::<BackpropView>().expect("registered").graph_rect().expect("a graph was drawn");
    let png = image::open(&written).unwrap_or_else(|e| panic!("{}: {e}", written.display())).to_rgb8();
    // one pixel per point in the harness
    let (x0, y0) = (area.min.x.round() as usize, area.min.y.round() as usize);
    assert_eq!(
        (png.width(), png.height()),
        (area.width().round() as u32, area.height().round() as u32),
        "the PNG is the graph area's size"
    );
    assert!(png.width() > 300 && png.height() > 200, "the graph area is most of the window");
    for (px, py) in [(0, 0), (png.width() - 1, 0), (0, png.height() - 1), (png.width() - 1, png.height() - 1), (17, 29)]
    {
        let want = marker(x0 + px as usize, y0 + py as usize);
        assert_eq!(
            png.get_pixel(px, py).0,
            want,
            "PNG pixel ({px}, {py}) comes from window pixel ({}, {})",
            x0 + px as usize,
            y0 + py as usize
        );
    }
    let said = h.state().status_of("backprop").expect("a view").text.clone();
    assert!(said.starts_with("Saved the graph as PNG to") && said.contains("graph.png"), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}
