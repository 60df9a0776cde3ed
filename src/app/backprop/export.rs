//! Exports of the graph: DOT text (the engine's `to_dot`) to a file, and a PNG of the graph area (a screenshot of the
//! window, cropped, saved with the `image` crate). Where the file went is said in the status line.

use std::path::PathBuf;

use eframe::egui;

use super::model::Model;
use crate::app::{ScreenshotSlot, Status, save_png};

/// A PNG export in flight: the window's next frame is captured, then cropped to the graph area.
#[derive(Default)]
pub struct Exporter {
    area: Option<(egui::Rect, f32)>,
    pending: Option<PathBuf>,
    requested: bool,
    image: ScreenshotSlot,
}

fn shown(path: &std::path::Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).display().to_string()
}

impl Exporter {
    /// Writes the drawn graph (fused or expanded, as shown) as DOT.
    pub fn write_dot(&self, model: &Model, path: &str, status: &mut Status) {
        let path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            status.error("Give a file name for the DOT export.");
            return;
        }
        match std::fs::write(&path, model.graph.to_dot()) {
            Ok(()) => status.info(format!("Wrote the graph as DOT to {} (render it with `dot -Tpng`).", shown(&path))),
            Err(e) => status.error(format!("Could not write {}: {e}", shown(&path))),
        }
    }

    /// Asks for a PNG of the graph area at `path` (taken at the next frame).
    pub fn request_png(&mut self, path: &str) {
        self.pending = Some(PathBuf::from(path.trim()));
        self.requested = false;
    }

    /// Where the graph was drawn in the last frame, in points.
    pub fn area(&self) -> Option<egui::Rect> {
        self.area.map(|(r, _)| r)
    }

    /// Where the graph is on screen, in points, and the points-to-pixels factor.
    pub fn set_area(&mut self, rect: egui::Rect, pixels_per_point: f32) {
        self.area = Some((rect, pixels_per_point));
    }

    /// Sends the screenshot request, and saves the picture once it has arrived.
    pub fn poll(&mut self, ctx: &egui::Context, status: &mut Status) {
        let Some(path) = self.pending.clone() else { return };
        if !self.requested {
            self.requested = true;
            self.image.request(ctx);
            return;
        }
        let Some(image) = self.image.take() else { return };
        self.pending = None;
        let crop = self.area.map(|(r, ppp)| {
            let px = |v: f32| (v * ppp).round().max(0.0) as usize;
            [px(r.min.x), px(r.min.y), px(r.width()), px(r.height())]
        });
        match save_png(&image, crop, &path) {
            Ok(()) => status.info(format!("Saved the graph as PNG to {}.", shown(&path))),
            Err(e) => status.error(format!("Could not save the PNG: {e}")),
        }
    }
}
