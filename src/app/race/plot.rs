//! The surface plot: the heat map and its contour lines, the known minima, the start, each racer's trail and
//! position, and the inspected racer's latest step as arrows. A click sets the start.
//!
//! The arrows start where the latest step began (the gradient was taken there) and share one scale, the longest
//! [`ARROW_PX`] long, so their lengths compare: `−lr·g` is the step plain SGD would take, `Δθ` the step the rule
//! took, `−lr·m` (or `−lr·b` for momentum) the momentum buffer, which for Adam-like rules is unnormalized and no
//! part of the step (the inspector's key says so, from [`super::caption::momentum_arrow`]).

use eframe::egui::{self, Color32, Stroke};
use egui_plot::{
    Line, LineStyle, MarkerShape, Plot, PlotBounds, PlotImage, PlotPoint, PlotPoints, PlotTransform, Points,
};

use super::heatmap::HeatMap;
use super::{Action, Settings};
use crate::surface::{Domain, Race, Racer, Status};

/// The longest inspector arrow, in points.
pub const ARROW_PX: f64 = 70.0;

/// What the plot remembers between frames.
#[derive(Default)]
pub struct PlotState {
    transform: Option<PlotTransform>,
    bounds: Option<PlotBounds>,
    /// The widest the y axis has been since the plot last changed size (with that size): the axis is given this
    /// width, so its labels cannot make the frame, and with it the bounds, flip between two sizes.
    axis: Option<(egui::Vec2, f32)>,
}

impl PlotState {
    /// Where a point of the surface was drawn in the last frame.
    pub fn screen_pos(&self, p: [f64; 2]) -> Option<egui::Pos2> {
        self.transform.map(|t| t.position_from_point(&PlotPoint::new(p[0], p[1])))
    }
}

/// A racer's colour.
pub fn racer_color(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The inspector's arrow colours: the gradient step, the step taken, the momentum.
pub fn arrow_colors(dark: bool) -> [Color32; 3] {
    if dark {
        [Color32::from_rgb(0xff, 0x7b, 0x72), Color32::from_rgb(0xf5, 0xf5, 0xf0), Color32::from_rgb(0xe3, 0xb3, 0x41)]
    } else {
        [Color32::from_rgb(0xc9, 0x25, 0x2c), Color32::from_rgb(0x1f, 0x23, 0x28), Color32::from_rgb(0xb7, 0x79, 0x00)]
    }
}

/// The inspector's vectors for a racer's latest step, in domain units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepArrows {
    /// Where the step began (where the gradient was taken).
    pub origin: [f64; 2],
    /// `−lr·g` (the plain gradient step), `Δθ` (the step taken) and `−lr·m` or `−lr·velocity` (zero without one).
    pub vectors: [[f64; 2]; 3],
    /// The momentum's name in the optimizer's state, for rules that have one.
    pub momentum: Option<&'static str>,
}

/// The arrows of a racer's latest step; `None` before its first step.
pub fn step_arrows(racer: &Racer) -> Option<StepArrows> {
    let t = racer.grads.len();
    if t == 0 {
        return None;
    }
    let (a, b) = (racer.optimizer.inspect(0), racer.optimizer.inspect(1));
    let get = |q: &[(&str, f64)], name: &str| q.iter().find(|(n, _)| *n == name).map(|&(_, v)| v);
    let both = |name: &str| Some([get(&a, name)?, get(&b, name)?]);
    let g = racer.grads[t - 1];
    let lr = racer.lrs[t - 1];
    let step = both("step")?;
    let momentum = [("m", both("m")), ("velocity", both("velocity"))].into_iter().find_map(|(n, v)| Some((n, v?)));
    let origin = racer.path.get(t - 1).copied().unwrap_or(racer.path[0]);
    let m = momentum.map_or([0.0, 0.0], |(_, m)| [-lr * m[0], -lr * m[1]]);
    Some(StepArrows { origin, vectors: [[-lr * g[0], -lr * g[1]], step, m], momentum: momentum.map(|(n, _)| n) })
}

/// The plot's bounds: the region, widened along one axis when x and y share a scale so that the region fills the
/// frame (of the last frame; the first frame shows the region as it is).
fn view_bounds(d: Domain, equal_axes: bool, frame: Option<egui::Rect>) -> PlotBounds {
    let (mut x, mut y) = (d.x, d.y);
    if equal_axes && let Some(f) = frame.filter(|f| f.width() > 1.0 && f.height() > 1.0) {
        let (w, h) = (f64::from(f.width().round()), f64::from(f.height().round()));
        let scale = (w / (x[1] - x[0])).min(h / (y[1] - y[0]));
        let (cx, cy) = ((x[0] + x[1]) / 2.0, (y[0] + y[1]) / 2.0);
        x = [cx - w / scale / 2.0, cx + w / scale / 2.0];
        y = [cy - h / scale / 2.0, cy + h / scale / 2.0];
    }
    PlotBounds::from_min_max([x[0], y[0]], [x[1], y[1]])
}

/// Whether two trails are the same to drawing precision (a thousandth of a unit at every step).
fn same_path(a: &[[f64; 2]], b: &[[f64; 2]]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| (p[0] - q[0]).abs() < 1e-3 && (p[1] - q[1]).abs() < 1e-3)
}

/// Whether two bounds differ by less than a thousandth of their size (less than a pixel on any screen).
fn close(a: &PlotBounds, b: &PlotBounds) -> bool {
    let tol = 1e-3 * a.width().max(a.height());
    a.min().iter().chain(&a.max()).zip(b.min().iter().chain(&b.max())).all(|(p, q)| (p - q).abs() <= tol)
}

/// Draws the plot.
pub fn ui(
    ui: &mut egui::Ui,
    state: &mut PlotState,
    heat: &HeatMap,
    settings: &Settings,
    race: &Race,
    actions: &mut Vec<Action>,
) {
    let d = settings.domain;
    let dark = ui.visuals().dark_mode;
    let contour_color = if dark {
        Color32::from_rgba_unmultiplied(220, 235, 245, 46)
    } else {
        Color32::from_rgba_unmultiplied(30, 50, 80, 52)
    };
    let ink = if dark { Color32::from_gray(235) } else { Color32::from_gray(25) };
    let n = race.racers.len();
    // With equal axes the bounds follow the frame, the frame follows the y axis's width, and that follows the tick
    // labels the bounds bring ("2" or "2.5"): at some sizes the plot flipped between two frames forever, redrawing
    // every frame. The axis keeps the widest width it has had at this size, so the frame settles in a frame or two.
    let (size, left) = (ui.available_size(), ui.available_rect_before_wrap().left());
    let axis_width = state.axis.filter(|(s, _)| (*s - size).length() < 0.5).map_or(0.0, |(_, w)| w);
    let bounds = view_bounds(d, settings.equal_axes, state.transform.map(|t| *t.frame()));
    if state.bounds.is_none_or(|b| !close(&b, &bounds)) {
        // the bounds follow the frame's size of the frame before: draw again until they settle (to a pixel)
        ui.ctx().request_repaint();
    }
    state.bounds = Some(bounds);

    let response = Plot::new("race_surface")
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid(false)
        .show_background(false)
        .set_margin_fraction(egui::Vec2::ZERO)
        .x_axis_label("x")
        .y_axis_label("y")
        .y_axis_min_width(axis_width)
        .label_formatter(|pos| {
            let p = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { position } => position,
            };
            Some(format!("x = {:.3}\ny = {:.3}\nclick: start here", p.x, p.y))
        })
        .show(ui, |plot_ui| {
            plot_ui.set_plot_bounds(bounds);
            if let (Some(texture), Some(gd)) = (&heat.texture, heat.domain()) {
                // texel centres sit on the grid points: the image reaches half a cell past the region
                let [cx, cy] = heat.cell();
                let center = PlotPoint::new((gd.x[0] + gd.x[1]) / 2.0, (gd.y[0] + gd.y[1]) / 2.0);
                let size = egui::vec2((gd.x[1] - gd.x[0] + cx) as f32, (gd.y[1] - gd.y[0] + cy) as f32);
                plot_ui.add(PlotImage::new("", texture.id(), center, size).allow_hover(false));
            }
            for line in &heat.contours {
                plot_ui
                    .line(Line::new("", PlotPoints::Borrowed(line)).color(contour_color).width(1.0).allow_hover(false));
            }
            if settings.equal_axes {
                // the region's edge: a racer crossing it has diverged
                let edge =
                    vec![[d.x[0], d.y[0]], [d.x[1], d.y[0]], [d.x[1], d.y[1]], [d.x[0], d.y[1]], [d.x[0], d.y[0]]];
                plot_ui
                    .line(Line::new("", edge).color(contour_color.gamma_multiply(2.0)).width(1.0).allow_hover(false));
            }
            if !race.surface.minima.is_empty() {
                plot_ui.points(
                    Points::new("known minimum", race.surface.minima.clone())
                        .shape(MarkerShape::Asterisk)
                        .radius(7.0)
                        .color(ink),
                );
            }
            plot_ui.points(
                Points::new("start", vec![race.start]).shape(MarkerShape::Square).radius(5.0).filled(false).color(ink),
            );
            for (i, (r, cfg)) in race.racers.iter().zip(&settings.racers).enumerate() {
                let c = racer_color(cfg.color);
                let name = super::racer_name(&r.setup);
                // earlier racers a little wider; a racer on an earlier one's path is dashed, so both show
                let width = 2.0 + 0.5 * (n - 1 - i) as f32;
                let mut trail = Line::new(name.clone(), r.path.clone()).color(c).width(width);
                if race.racers[..i].iter().any(|e| same_path(&e.path, &r.path)) {
                    trail = trail.style(LineStyle::dashed_dense());
                }
                plot_ui.line(trail);
                // a dot per step, so the step sizes show
                plot_ui.points(
                    Points::new("", r.path.clone()).radius(1.2 + 0.3 * (n - 1 - i) as f32).color(c).allow_hover(false),
                );
                let marker = match r.status {
                    Status::Diverged => MarkerShape::Cross,
                    _ => MarkerShape::Circle,
                };
                plot_ui.points(
                    Points::new(name, vec![r.position()]).shape(marker).radius(6.0 + 0.6 * (n - 1 - i) as f32).color(c),
                );
            }
            if let Some(r) = race.racers.get(settings.inspected)
                && let Some(a) = step_arrows(r)
            {
                arrows(plot_ui, a.origin, &a.vectors, a.momentum.is_some(), dark);
            }
        });

    state.transform = Some(response.transform);
    // the plot takes the whole room: its frame starts after the y axis
    let drawn = response.transform.frame().left() - left;
    state.axis = Some((size, axis_width.max(drawn)));
    if response.response.clicked()
        && let Some(pos) = response.response.interact_pointer_pos()
    {
        let p = response.transform.value_from_position(pos);
        actions.push(Action::SetStart([p.x, p.y]));
    }
}

/// The inspector's arrows on screen, `(origin, tip)` for each vector, on one scale: the longest is [`ARROW_PX`]
/// long. Tips are placed in plot units and mapped by the plot's own transform, so the axes' directions (screen y grows
/// downwards) are the transform's business. Empty if every vector is zero.
pub fn arrow_ends(transform: &PlotTransform, origin: [f64; 2], vectors: &[[f64; 2]]) -> Vec<(egui::Pos2, egui::Pos2)> {
    let [sx, sy] = transform.dpos_dvalue();
    let screen_len = |v: &[f64; 2]| (v[0] * sx).hypot(v[1] * sy);
    let longest = vectors.iter().map(screen_len).fold(0.0, f64::max);
    if !(longest.is_finite() && longest > 0.0) {
        return Vec::new();
    }
    let k = ARROW_PX / longest;
    let at = |p: [f64; 2]| transform.position_from_point(&PlotPoint::new(p[0], p[1]));
    vectors.iter().map(|v| (at(origin), at([origin[0] + k * v[0], origin[1] + k * v[1]]))).collect()
}

/// Draws the inspector's arrows as a shaft and a filled head each (egui_plot's own arrows are hairlines).
fn arrows(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    origin: [f64; 2],
    vectors: &[[f64; 2]; 3],
    has_momentum: bool,
    dark: bool,
) {
    let transform = *plot_ui.transform();
    let count = if has_momentum { 3 } else { 2 };
    let ends = arrow_ends(&transform, origin, &vectors[..count]);
    let colors = arrow_colors(dark);
    let to_plot = |p: egui::Pos2| {
        let v = transform.value_from_position(p);
        [v.x, v.y]
    };
    // the step is drawn last, on top
    for idx in [0, 2, 1].into_iter().filter(|&i| i < ends.len()) {
        let (o, tip) = ends[idx];
        let d = tip - o;
        let len = d.length();
        if len < 1.0 {
            continue;
        }
        let dir = d / len;
        let normal = egui::vec2(-dir.y, dir.x);
        let head = 11.0f32.min(len * 0.6);
        let base = tip - dir * head;
        let color = colors[idx];
        plot_ui.line(Line::new("", vec![to_plot(o), to_plot(base)]).stroke(Stroke::new(2.5, color)).allow_hover(false));
        let triangle = vec![to_plot(tip), to_plot(base + normal * head * 0.45), to_plot(base - normal * head * 0.45)];
        plot_ui.polygon(
            egui_plot::Polygon::new("", triangle).fill_color(color).stroke(Stroke::new(1.0, color)).allow_hover(false),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_point_the_way_their_vectors_do_and_share_a_scale() {
        // a 400 × 200 point frame over x in [0, 4], y in [0, 1]: 100 points per unit of x, 200 per unit of y
        let frame = egui::Rect::from_min_size(egui::pos2(10.0, 20.0), egui::vec2(400.0, 200.0));
        let t = PlotTransform::new(frame, PlotBounds::from_min_max([0.0, 0.0], [4.0, 1.0]), false);
        let ends = arrow_ends(&t, [2.0, 0.5], &[[1.0, 0.0], [0.0, 0.25], [0.0, -0.1]]);
        let d: Vec<egui::Vec2> = ends.iter().map(|(o, tip)| *tip - *o).collect();
        // +x goes right; +y goes up the screen (screen y decreases); the longest is ARROW_PX long
        assert!((d[0].x - ARROW_PX as f32).abs() < 1e-3 && d[0].y.abs() < 1e-3, "{:?}", d[0]);
        // 0.25 in y is 50 points against x's 100: half as long, upwards
        assert!(d[1].x.abs() < 1e-3 && (d[1].y + ARROW_PX as f32 / 2.0).abs() < 1e-3, "{:?}", d[1]);
        assert!(d[2].y > 0.0, "-y points down the screen");
        assert_eq!(ends[0].0, egui::pos2(210.0, 120.0), "arrows start at the origin's place");
        assert!(arrow_ends(&t, [2.0, 0.5], &[[0.0, 0.0]]).is_empty());
    }
}
