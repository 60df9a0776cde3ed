//! The landscape plot: the loss over the plane as the race's heat map with its contour lines (cached per result and
//! theme), each racer's path with a dot per step, its start and its end, and at the end its distance off the plane.

use eframe::egui::{self, Color32, TextureHandle, TextureOptions};
use egui_plot::{Line, MarkerShape, Plot, PlotImage, PlotPoint, PlotPoints, Points, Text};

use super::Settings;
use crate::app::race::heatmap::{self, LEVELS};
use crate::app::race::plot::racer_color;
use crate::nn::landscape::Landscape;
use crate::surface::contour::{self, ValueScale};

/// The heat map and contours of the latest result, remade once per result and theme.
#[derive(Default)]
pub struct Picture {
    key: Option<(u64, bool)>,
    /// The heat map.
    pub texture: Option<TextureHandle>,
    /// Each contour's polylines.
    pub contours: Vec<Vec<PlotPoint>>,
    /// How many times the picture was made (tests: not per frame).
    pub builds: usize,
}

impl Picture {
    /// Brings the picture up to date with the result; O(1) when nothing changed.
    pub fn update(&mut self, ctx: &egui::Context, result: Option<&Landscape>, version: u64, dark: bool) {
        let Some(l) = result else { return };
        if self.key == Some((version, dark)) {
            return;
        }
        let grid = l.grid.to_surface_grid();
        let scale = ValueScale::of_losses(&grid);
        let image = heatmap::image(&grid, &scale, dark);
        match &mut self.texture {
            Some(t) => t.set(image, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("landscape", image, TextureOptions::LINEAR)),
        }
        self.contours = contour::contours(&grid, &scale.levels(LEVELS))
            .into_iter()
            .flat_map(|c| c.lines)
            .map(|line| line.into_iter().map(|[x, y]| PlotPoint::new(x, y)).collect())
            .collect();
        self.key = Some((version, dark));
        self.builds += 1;
    }
}

/// Draws the plot.
pub fn ui(ui: &mut egui::Ui, picture: &Picture, settings: &Settings, result: Option<&Landscape>) {
    let Some(l) = result else {
        ui.centered_and_justified(|ui| ui.weak("Computing the first landscape…"));
        return;
    };
    let dark = ui.visuals().dark_mode;
    let contour_color = if dark {
        Color32::from_rgba_unmultiplied(220, 235, 245, 46)
    } else {
        Color32::from_rgba_unmultiplied(30, 50, 80, 52)
    };
    let ink = if dark { Color32::from_gray(235) } else { Color32::from_gray(25) };
    let s = l.grid.span;
    let names = l.plane.names.clone();
    let (xl, yl) = (format!("α along {}", names[0]), format!("β along {}", names[1]));
    let mut title = format!("loss over the plane θ + α·{} + β·{}", names[0], names[1]);
    if let Some([a, b]) = l.plane.explained {
        title += &format!("  (PC1 {:.0} %, PC2 {:.0} % of the path's variance)", 100.0 * a, 100.0 * b);
    }
    ui.label(title);
    Plot::new("landscape_plot")
        .data_aspect(1.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid(false)
        .show_background(false)
        .include_x(-s)
        .include_x(s)
        .include_y(-s)
        .include_y(s)
        .x_axis_label(xl)
        .y_axis_label(yl)
        .label_formatter(|pos| {
            let (name, p) = match pos {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => (*plot_name, position),
                egui_plot::HoverPosition::Elsewhere { position } => ("", position),
            };
            let head = if name.is_empty() { String::new() } else { format!("{name}\n") };
            Some(format!("{head}α = {:.4}\nβ = {:.4}", p.x, p.y))
        })
        .show(ui, |plot_ui| {
            if let Some(t) = &picture.texture {
                let cell = 2.0 * s / (l.grid.size.max(2) - 1) as f64;
                let size = egui::vec2((2.0 * s + cell) as f32, (2.0 * s + cell) as f32);
                plot_ui.add(PlotImage::new("", t.id(), PlotPoint::new(0.0, 0.0), size).allow_hover(false));
            }
            for line in &picture.contours {
                plot_ui
                    .line(Line::new("", PlotPoints::Borrowed(line)).color(contour_color).width(1.0).allow_hover(false));
            }
            plot_ui.points(
                Points::new("θ (the plane's origin)", vec![[0.0, 0.0]]).shape(MarkerShape::Plus).radius(6.0).color(ink),
            );
            for (k, (path, cfg)) in l.paths.iter().zip(&settings.racers).enumerate() {
                let c = racer_color(cfg.color);
                let name = l.trajectories[k].setup.spec.to_string();
                let pts: Vec<[f64; 2]> = path.iter().map(|p| [p.alpha, p.beta]).collect();
                plot_ui.line(Line::new(name.clone(), pts.clone()).color(c).width(2.0));
                plot_ui.points(Points::new("", pts.clone()).radius(1.3).color(c).allow_hover(false));
                if let Some(first) = pts.first() {
                    plot_ui.points(
                        Points::new("start", vec![*first])
                            .shape(MarkerShape::Square)
                            .radius(5.0)
                            .filled(false)
                            .color(ink),
                    );
                }
                if let (Some(last), Some(p)) = (pts.last(), path.last()) {
                    plot_ui.points(Points::new(name, vec![*last]).shape(MarkerShape::Circle).radius(6.0).color(c));
                    let label = format!("off plane {}", crate::app::race::loss::fmt_short(p.off_plane));
                    // each racer's label on its own side of its end, so that ends close together stay readable
                    let anchor = [
                        egui::Align2::LEFT_BOTTOM,
                        egui::Align2::LEFT_TOP,
                        egui::Align2::RIGHT_BOTTOM,
                        egui::Align2::RIGHT_TOP,
                    ];
                    plot_ui.text(
                        Text::new("", PlotPoint::new(last[0], last[1]), egui::RichText::new(label).color(c).strong())
                            .anchor(anchor[k % anchor.len()]),
                    );
                }
            }
        });
}
