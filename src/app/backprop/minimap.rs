//! The minimap: the whole graph in a corner of the canvas, the items as dots (the current one marked) and the part on
//! screen as a rectangle; a click or a drag there moves the camera. The dots are one mesh, built once per layout and
//! canvas size and reused every frame.

use std::sync::Arc;

use eframe::egui::{self, Color32, Mesh, Pos2, Rect, Sense, Shape, Stroke, Vec2, pos2, vec2};

use super::model::Model;
use crate::app::theme::Palette;
use crate::scalar::groups::Item;

/// The minimap's widest and tallest, in points.
const MAX: Vec2 = vec2(220.0, 150.0);
/// Its distance from the canvas's corner.
const MARGIN: f32 = 10.0;

/// The cached dots, with what they were built for.
#[derive(Default)]
pub struct Minimap {
    key: Option<(u64, [u32; 4], [u8; 4])>,
    mesh: Arc<Mesh>,
}

impl Minimap {
    /// Draws the minimap in the lower right corner of `canvas`; `view` is the layout rectangle on screen (min, max
    /// corners). Returns the layout point the user clicked or dragged to.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        canvas: Rect,
        model: &Model,
        view: [[f32; 2]; 2],
        current: Option<usize>,
        p: Palette,
    ) -> Option<[f32; 2]> {
        let [min, max] = model.layout.bounds;
        if !min[0].is_finite() {
            return None;
        }
        let pad = 70.0;
        let (lo, size) =
            (pos2(min[0] - pad, min[1] - pad), vec2(max[0] - min[0], max[1] - min[1]) + Vec2::splat(2.0 * pad));
        let limit = MAX.min((canvas.size() * 0.3).max(vec2(80.0, 60.0)));
        let scale = (limit.x / size.x).min(limit.y / size.y);
        let map = Rect::from_min_size(canvas.right_bottom() - size * scale - Vec2::splat(MARGIN), size * scale);
        let key = (
            model.layout_generation,
            [map.min.x.to_bits(), map.min.y.to_bits(), map.max.x.to_bits(), map.max.y.to_bits()],
            p.node_stroke.to_array(),
        );
        if self.key != Some(key) {
            self.key = Some(key);
            self.mesh = Arc::new(dots(model, map, lo, scale, p));
        }
        let to_map = |q: [f32; 2]| map.min + (pos2(q[0], q[1]) - lo) * scale;

        let painter = ui.painter_at(map.expand(2.0));
        painter.rect(
            map,
            4.0,
            p.canvas.gamma_multiply(0.92),
            Stroke::new(1.0, p.node_stroke),
            egui::StrokeKind::Outside,
        );
        painter.add(Shape::Mesh(self.mesh.clone()));
        if let Some(c) = current.and_then(|i| model.layout.positions.get(i)) {
            painter.circle_filled(to_map(*c), 3.5, p.highlight);
        }
        let seen = Rect::from_min_max(to_map(view[0]), to_map(view[1])).intersect(map);
        if seen.is_positive() {
            painter.rect_stroke(seen, 1.0, Stroke::new(1.5, p.highlight), egui::StrokeKind::Inside);
        }

        let response = ui.interact(map, ui.scope_id().with("backprop_minimap"), Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "Minimap"));
        let response = response.on_hover_text("The whole graph: click or drag to move the view");
        if response.clicked() || response.dragged() {
            let at = response.interact_pointer_pos()?;
            let q = lo + (at - map.min) / scale;
            return Some([q.x, q.y]);
        }
        None
    }
}

/// One dot per item (a group's a little larger and darker).
fn dots(model: &Model, map: Rect, lo: Pos2, scale: f32, p: Palette) -> Mesh {
    let mut mesh = Mesh::default();
    for (i, c) in model.layout.positions.iter().enumerate() {
        let at = map.min + (pos2(c[0], c[1]) - lo) * scale;
        let (size, color): (f32, Color32) = match model.folding.items[i] {
            Item::Group(_) => (3.0, p.node_stroke),
            Item::Node(_) => (2.0, p.muted.gamma_multiply(0.8)),
        };
        mesh.add_colored_rect(Rect::from_center_size(at, Vec2::splat(size)), color);
    }
    mesh
}
