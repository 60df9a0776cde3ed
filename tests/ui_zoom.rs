//! The window at a projector's zoom (egui_kittest at 1280×720 pixels): the backprop and lessons views at 100 and
//! 150 % keep every panel inside the window and apart, the graph keeps a share of the window, and the rows of buttons
//! wrap or fold into menus instead of printing over each other. (Not yet held: 200 % and 300 %, and the race view,
//! whose plot keeps redrawing at a zoomed size.)

mod common;

use common::window::{assert_apart, assert_layout_holds, harness_zoomed};
use eframe::egui;
use egui_kittest::kittest::Queryable;

const SIZE: egui::Vec2 = egui::vec2(1280.0, 720.0);
/// The zooms the views hold at. TODO(200 % and up: the program panel's content is wider than its 30 % cap and the
/// bottom panel's wrapped rows taller than theirs; scrolling them both ways broke the long-line editor test).
const ZOOMS: [f32; 2] = [1.0, 1.5];
/// The least of the window the graph covers at any of [`ZOOMS`].
const MIN_SHARE: f32 = 0.25;

#[test]
fn the_backprop_view_holds_at_every_zoom() {
    for zoom in ZOOMS {
        let h = harness_zoomed(SIZE, zoom, "backprop");
        assert_layout_holds(&h, "graph", MIN_SHARE);
        assert_apart(&h, &["|< Start", "< Back", "Play", "Step >", "End >|", "step", "steps/s"]);
        assert_apart(&h, &["Backprop", "Race", "Lessons", "Playground"]);
    }
}

#[test]
fn the_lessons_view_holds_at_every_zoom_mid_question() {
    for zoom in ZOOMS {
        let mut h = harness_zoomed(SIZE, zoom, "lessons");
        h.get_by_label_contains("1. The computational graph").click();
        h.run();
        assert_layout_holds(&h, "graph", MIN_SHARE);
        assert_apart(&h, &["< Previous", "Next >"]);
    }
}

#[test]
fn a_narrow_window_folds_the_navigation_into_menus_that_still_open_files() {
    let mut h = harness_zoomed(SIZE, 2.0, "backprop");
    assert!(h.query_by_label("Open…").is_none(), "the navigation column is folded at 200 %");
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Save as…").click();
    h.run();
    // the scripted dialog was asked (and cancelled): the menu's entry reached the frame's command
    assert!(h.query_by_label("Save as…").is_none(), "the menu closed");
    h.get_by_label("Race").click();
    h.run();
    assert!(h.query_by_label("Step ×10").is_some(), "the view bar switches views");
}
