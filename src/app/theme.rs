//! Colours of the tutor, in the spirit of cs231n's circuit diagrams: values flowing forward in green, gradients
//! flowing back in red, the current step in amber; one palette per theme.

use eframe::egui::{self, Color32};

/// The colours a panel paints with.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    /// Forward values.
    pub forward: Color32,
    /// Gradients.
    pub backward: Color32,
    /// A gradient still accumulating (not yet complete).
    pub partial: Color32,
    /// The current step's node and edges.
    pub highlight: Color32,
    /// The graph canvas background.
    pub canvas: Color32,
    /// Dots of the canvas grid.
    pub grid: Color32,
    /// A node card's fill.
    pub node_fill: Color32,
    /// An input card's fill.
    pub input_fill: Color32,
    /// A node card's border.
    pub node_stroke: Color32,
    /// Edges at rest.
    pub edge: Color32,
    /// Main text.
    pub text: Color32,
    /// Secondary text (ops, constants).
    pub muted: Color32,
    /// Errors.
    pub error: Color32,
    /// The soft shadow under node cards.
    pub shadow: Color32,
}

impl Palette {
    /// The palette for the current theme.
    pub fn of(ui: &egui::Ui) -> Self {
        if ui.visuals().dark_mode { Self::DARK } else { Self::LIGHT }
    }

    /// Light theme.
    pub const LIGHT: Palette = Palette {
        forward: Color32::from_rgb(0x1a, 0x7f, 0x37),
        backward: Color32::from_rgb(0xc9, 0x25, 0x2c),
        partial: Color32::from_rgb(0xe0, 0x82, 0x7f),
        highlight: Color32::from_rgb(0xe0, 0x9b, 0x12),
        canvas: Color32::from_rgb(0xfa, 0xfa, 0xf7),
        grid: Color32::from_rgb(0xe2, 0xe2, 0xdc),
        node_fill: Color32::from_rgb(0xff, 0xff, 0xff),
        input_fill: Color32::from_rgb(0xee, 0xf3, 0xfb),
        node_stroke: Color32::from_rgb(0x9a, 0xa3, 0xad),
        edge: Color32::from_rgb(0x8c, 0x95, 0x9f),
        text: Color32::from_rgb(0x1f, 0x23, 0x28),
        muted: Color32::from_rgb(0x65, 0x6d, 0x76),
        error: Color32::from_rgb(0xc9, 0x25, 0x2c),
        shadow: Color32::from_black_alpha(22),
    };

    /// Dark theme.
    pub const DARK: Palette = Palette {
        forward: Color32::from_rgb(0x56, 0xd3, 0x64),
        backward: Color32::from_rgb(0xff, 0x7b, 0x72),
        partial: Color32::from_rgb(0xa8, 0x5a, 0x55),
        highlight: Color32::from_rgb(0xe3, 0xb3, 0x41),
        canvas: Color32::from_rgb(0x16, 0x1b, 0x22),
        grid: Color32::from_rgb(0x26, 0x2c, 0x36),
        node_fill: Color32::from_rgb(0x22, 0x27, 0x2e),
        input_fill: Color32::from_rgb(0x1c, 0x2b, 0x3f),
        node_stroke: Color32::from_rgb(0x4d, 0x56, 0x61),
        edge: Color32::from_rgb(0x6e, 0x76, 0x81),
        text: Color32::from_rgb(0xe6, 0xed, 0xf3),
        muted: Color32::from_rgb(0x8d, 0x96, 0xa0),
        error: Color32::from_rgb(0xff, 0x7b, 0x72),
        shadow: Color32::from_black_alpha(90),
    };
}
