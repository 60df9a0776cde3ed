//! How much of the window a panel may take, at any zoom. At 300 % a 1280×720 window is 427×240 points: side panels
//! sized in points would cover the centre, so each side panel caps its share of the width and each bottom panel its
//! share of the height, and the view's main picture (the graph, the race's plot, the lesson's graph) keeps the rest.

use std::ops::RangeInclusive;

use eframe::egui;

/// The most of the available width one side panel takes.
pub const SIDE_SHARE: f32 = 0.3;
/// The most of the available height one bottom panel takes.
pub const BOTTOM_SHARE: f32 = 0.3;
/// Below this window width (in points) the navigation folds into a bar along the top: 100 % at 1280 pixels keeps
/// the column; 160 % and above fold it.
pub const NARROW: f32 = 820.0;

/// A side panel's size range, `wanted` capped at [`SIDE_SHARE`] of the window's width (and of the width left in
/// `ui`): at 100 % on 1280×720 nothing changes; at a projector's zoom each side panel narrows (its contents scroll).
pub fn across(ui: &egui::Ui, wanted: RangeInclusive<f32>) -> egui::Rangef {
    let cap = (ui.ctx().content_rect().width() * SIDE_SHARE).min(ui.available_width() * 0.5);
    capped(wanted, cap)
}

/// A bottom panel's size range, `wanted` capped at [`BOTTOM_SHARE`] of the window's height.
pub fn down(ui: &egui::Ui, wanted: RangeInclusive<f32>) -> egui::Rangef {
    capped(wanted, (ui.ctx().content_rect().height() * BOTTOM_SHARE).min(ui.available_height() * 0.5))
}

/// Whether the window is too narrow for a navigation column (see [`NARROW`]).
pub fn is_narrow(ctx: &egui::Context) -> bool {
    ctx.content_rect().width() < NARROW
}

/// In a wrapping row, starts a new row unless `width` points remain in this one: a widget made of parts (a slider
/// with its value and its name) is laid out as one piece that egui's wrapping does not break, so at a projector's
/// zoom it would run past the row's end instead of wrapping.
pub fn keep_together(ui: &mut egui::Ui, width: f32) {
    if ui.available_size_before_wrap().x < width {
        ui.end_row();
    }
}

/// The width of a slider with its value and a name of `text_chars` characters beside it, for [`keep_together`].
pub fn slider_width(ui: &egui::Ui, text_chars: usize) -> f32 {
    let char_width = ui.text_style_height(&egui::TextStyle::Body) * 0.55;
    ui.spacing().slider_width
        + ui.spacing().interact_size.x
        + 3.0 * ui.spacing().item_spacing.x
        + char_width * (text_chars as f32 + 6.0)
}

/// `wanted` with both ends at most `cap`.
fn capped(wanted: RangeInclusive<f32>, cap: f32) -> egui::Rangef {
    let cap = cap.max(0.0);
    egui::Rangef::new(wanted.start().min(cap), wanted.end().min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_capped_at_both_ends() {
        assert_eq!(capped(260.0..=440.0, 1000.0), egui::Rangef::new(260.0, 440.0));
        assert_eq!(capped(260.0..=440.0, 300.0), egui::Rangef::new(260.0, 300.0));
        assert_eq!(capped(260.0..=440.0, 120.0), egui::Rangef::new(120.0, 120.0));
    }
}
