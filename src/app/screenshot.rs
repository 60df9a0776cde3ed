//! The `--screenshot` run (wait for the layout to settle, take one picture of the window, save it, close) and the
//! PNG writer it shares with the graph export.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use eframe::egui;

use super::App;

/// The `--screenshot` run: wait for the layout to settle, take one screenshot, save it, close.
pub(super) struct ScreenshotPlan {
    path: PathBuf,
    frames: u32,
    requested: bool,
    image: ScreenshotSlot,
}

/// Where a requested screenshot of the window lands when it arrives (a frame or two later).
#[derive(Clone, Default)]
pub struct ScreenshotSlot(Arc<Mutex<Option<Arc<egui::ColorImage>>>>);

impl ScreenshotSlot {
    /// Asks for a screenshot of the window; it arrives in this slot and wakes the next frame.
    pub fn request(&self, ctx: &egui::Context) {
        let slot = self.0.clone();
        let waker = ctx.clone();
        ctx.request_screenshot(move |image| {
            if let Ok(mut s) = slot.lock() {
                *s = Some(image);
            }
            waker.request_repaint();
        });
    }

    /// The screenshot, once it has arrived.
    pub fn take(&self) -> Option<Arc<egui::ColorImage>> {
        self.0.lock().map(|mut s| s.take()).unwrap_or(None)
    }
}

/// Frames to wait before the `--screenshot` picture: enough for fonts, the layout and the fit to settle.
const SETTLE_FRAMES: u32 = 20;

impl ScreenshotPlan {
    /// A plan to save the window's picture at `path`.
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path, frames: 0, requested: false, image: ScreenshotSlot::default() }
    }
}

impl App {
    pub(super) fn screenshot_step(&mut self, ctx: &egui::Context) {
        let settled = self.is_settled();
        let Some(plan) = &mut self.screenshot else { return };
        if let Some(image) = plan.image.take() {
            match save_png(&image, None, &plan.path) {
                Ok(()) => eprintln!("screenshot saved to {}", plan.path.display()),
                Err(e) => eprintln!("error: {e}"),
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        // a graph still being built (a restored session's large program) is waited for, then left to settle
        plan.frames = if settled { plan.frames + 1 } else { 0 };
        if plan.frames >= SETTLE_FRAMES && !plan.requested {
            plan.requested = true;
            plan.image.request(ctx);
        }
        ctx.request_repaint();
    }
}

/// Saves a screenshot (or the part of it inside `crop`, in physical pixels `[x, y, w, h]`) as a PNG.
pub fn save_png(image: &egui::ColorImage, crop: Option<[usize; 4]>, path: &std::path::Path) -> Result<(), String> {
    let [w, h] = image.size;
    let [x0, y0, cw, ch] = crop.unwrap_or([0, 0, w, h]);
    let (x0, y0) = (x0.min(w), y0.min(h));
    let (cw, ch) = (cw.min(w - x0), ch.min(h - y0));
    if cw == 0 || ch == 0 {
        return Err("nothing to save: the area is empty".into());
    }
    let mut out = image::RgbaImage::new(cw as u32, ch as u32);
    for y in 0..ch {
        for x in 0..cw {
            let c = image.pixels[(y0 + y) * w + x0 + x];
            out.put_pixel(x as u32, y as u32, image::Rgba(c.to_srgba_unmultiplied()));
        }
    }
    out.save(path).map_err(|e| format!("could not write {}: {e}", path.display()))
}
