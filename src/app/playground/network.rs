//! The network as TensorFlow Playground draws it: a column per layer, each unit a small picture of its output over
//! the input plane (orange negative, blue positive), links whose width and colour show the weight. + and − add and
//! remove layers and units; hovering a unit shows its map large, hovering a link its weight and gradient; a click
//! on a unit chooses it for "Open as graph".

use eframe::egui::{self, Color32, Pos2, Rect, Stroke, Vec2};

use super::maps::{BLUE, ORANGE};
use super::{Action, PlaygroundView, target_name};
use crate::nn::MlpLayer;
use crate::nn::playground::{MAX_LAYERS, Target};

/// The largest unit picture, in points.
const UNIT_MAX: f32 = 44.0;

/// Draws the network.
pub fn ui(ui: &mut egui::Ui, view: &mut PlaygroundView) {
    let hidden = view.net.spec.hidden.clone();
    layers_ui(ui, view, hidden.len());
    let avail = ui.available_rect_before_wrap();
    let col_w = avail.width() / (hidden.len() + 2) as f32;
    // the +/− row of each hidden layer
    let buttons_h = 26.0;
    units_buttons_ui(ui, view, &hidden, avail, col_w, buttons_h);
    let area = Rect::from_min_max(Pos2::new(avail.left(), avail.top() + buttons_h + 4.0), avail.max);
    let response = ui.allocate_rect(area, egui::Sense::click());
    let painter = ui.painter_at(area);
    let columns = Columns::new(view, &hidden, area, col_w);
    let pointer = response.hover_pos();
    let hovered_link = paint_links(&painter, view, &columns, pointer);
    let hovered_unit = paint_units(ui, &painter, view, &columns, pointer);
    if let Some((c, u, r)) = hovered_unit {
        unit_hover(ui, &painter, view, response, area, (c, u, r));
    } else if let Some((k, o, i, w, g)) = hovered_link {
        response.on_hover_text_at_pointer(format!(
            "weight {}.weight[{o}][{i}] = {w:.4}\n∂loss/∂w = {g:.3e} (on 256 training rows)",
            linear_index(&view.net, k)
        ));
    }
}

/// The row that adds and removes hidden layers.
fn layers_ui(ui: &mut egui::Ui, view: &mut PlaygroundView, layers: usize) {
    ui.horizontal_wrapped(|ui| {
        ui.add_enabled_ui(layers < MAX_LAYERS, |ui| {
            if ui.button("+ layer").on_hover_text("Add a hidden layer").clicked() {
                view.push(Action::AddLayer);
            }
        });
        ui.add_enabled_ui(layers > 0, |ui| {
            if ui.button("− layer").on_hover_text("Remove the last hidden layer").clicked() {
                view.push(Action::RemoveLayer);
            }
        });
        ui.label(format!("{layers} hidden layer{}", if layers == 1 { "" } else { "s" }));
    });
}

/// The +/− buttons and the width above each hidden layer's column.
fn units_buttons_ui(
    ui: &mut egui::Ui,
    view: &mut PlaygroundView,
    hidden: &[usize],
    avail: Rect,
    col_w: f32,
    buttons_h: f32,
) {
    for (l, &w) in hidden.iter().enumerate() {
        let x = avail.left() + col_w * (l as f32 + 1.5);
        let r = Rect::from_center_size(Pos2::new(x, avail.top() + buttons_h / 2.0), Vec2::new(90.0, buttons_h));
        ui.scope_builder(egui::UiBuilder::new().max_rect(r), |ui| {
            ui.horizontal_centered(|ui| {
                if ui.small_button("+").on_hover_text(format!("One more unit in layer {}", l + 1)).clicked() {
                    view.push(Action::AddUnit(l));
                }
                if ui.small_button("−").on_hover_text(format!("One unit fewer in layer {}", l + 1)).clicked() {
                    view.push(Action::RemoveUnit(l));
                }
                ui.weak(format!("{w}"));
            });
        });
    }
}

/// Where the units sit: a column per layer (inputs, hidden layers, outputs).
struct Columns {
    /// Unit centres, per column.
    centres: Vec<Vec<Pos2>>,
    /// Each column's unit size (smaller in a column of many units).
    small: Vec<f32>,
}

impl Columns {
    fn new(view: &PlaygroundView, hidden: &[usize], area: Rect, col_w: f32) -> Self {
        let inputs = view.net.spec.inputs;
        let widths: Vec<usize> =
            std::iter::once(inputs).chain(hidden.iter().copied()).chain([view.net.spec.outputs]).collect();
        let most = widths.iter().skip(1).copied().max().unwrap_or(1).max(inputs.min(8));
        let unit = (area.height() / most as f32 * 0.72).min(UNIT_MAX).min(col_w * 0.5).max(6.0);
        let centres = widths
            .iter()
            .enumerate()
            .map(|(c, &n)| {
                let x = area.left() + col_w * (c as f32 + 0.5);
                let step = (area.height() / n as f32).min(unit * 1.35);
                let top = area.center().y - step * (n as f32 - 1.0) / 2.0;
                (0..n).map(|i| Pos2::new(x, top + step * i as f32)).collect()
            })
            .collect();
        let small =
            widths.iter().map(|&n| if n > 10 { (area.height() / n as f32 * 0.8).max(2.0) } else { unit }).collect();
        Columns { centres, small }
    }
}

/// A hovered link: (linear layer, output, input, weight, gradient).
type LinkHover = (usize, usize, usize, f32, f32);

/// Paints the links, their width and colour by weight; returns the one under the pointer.
fn paint_links(
    painter: &egui::Painter,
    view: &PlaygroundView,
    columns: &Columns,
    pointer: Option<Pos2>,
) -> Option<LinkHover> {
    let (centres, small) = (&columns.centres, &columns.small);
    let store = view.net.params();
    let linears: Vec<_> = view
        .net
        .layers
        .iter()
        .filter_map(|l| match l {
            MlpLayer::Linear { weight, .. } => Some(*weight),
            _ => None,
        })
        .collect();
    let biggest = store.values().iter().fold(1e-6f32, |m, v| if v.is_finite() { m.max(v.abs()) } else { m });
    let mut hovered_link = None;
    for (k, w) in linears.iter().enumerate() {
        let e = store.entry(*w);
        let values = store.value(*w);
        let grads = store.grad(*w);
        for o in 0..e.rows {
            for i in 0..e.cols {
                let v = values[o * e.cols + i];
                let (a, b) = (
                    centres[k][i] + Vec2::new(small[k] / 2.0, 0.0),
                    centres[k + 1][o] - Vec2::new(small[k + 1] / 2.0, 0.0),
                );
                let t = (v.abs() / biggest).clamp(0.0, 1.0);
                let color = if v < 0.0 { ORANGE } else { BLUE }.gamma_multiply(0.25 + 0.75 * t);
                painter.line_segment([a, b], Stroke::new(0.4 + 4.0 * t, color));
                if let Some(p) = pointer
                    && dist_to_segment(p, a, b) < 3.0
                {
                    hovered_link = Some((k, o, i, v, grads.get(o * e.cols + i).copied().unwrap_or(f32::NAN)));
                }
            }
        }
    }
    hovered_link
}

/// Paints the units, each its map (the output's the decision regions), the chosen one ringed, the inputs named;
/// returns the one under the pointer: (column, unit, its rectangle).
fn paint_units(
    ui: &egui::Ui,
    painter: &egui::Painter,
    view: &PlaygroundView,
    columns: &Columns,
    pointer: Option<Pos2>,
) -> Option<(usize, usize, Rect)> {
    let layers = view.net.spec.hidden.len();
    let ink = ui.visuals().text_color();
    let mut hovered_unit = None;
    for (c, col) in columns.centres.iter().enumerate() {
        for (u, &p) in col.iter().enumerate() {
            let size = columns.small[c];
            let r = Rect::from_center_size(p, Vec2::splat(size));
            // the output's units show the decision regions
            let texture = if c <= layers {
                view.pictures.units.get(c).and_then(|l| l.get(u))
            } else {
                view.pictures.output.as_ref()
            };
            match texture {
                Some(t) => {
                    painter.image(t.id(), r, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), Color32::WHITE);
                }
                None => {
                    painter.rect_filled(r, 2.0, ui.visuals().faint_bg_color);
                }
            }
            let target = (c > 0).then_some(Target::Unit { layer: c, unit: u });
            let chosen = target.is_some() && target == Some(view.settings.target);
            let stroke = if chosen {
                Stroke::new(2.5, Color32::from_rgb(0xe0, 0x9b, 0x12))
            } else {
                Stroke::new(1.0, ink.gamma_multiply(0.5))
            };
            painter.rect_stroke(r, 2.0, stroke, egui::StrokeKind::Outside);
            if c == 0 && size >= 12.0 {
                let name = view.data.train.feature_names.get(u).cloned().unwrap_or_default();
                painter.text(
                    r.left_center() - Vec2::new(4.0, 0.0),
                    egui::Align2::RIGHT_CENTER,
                    name,
                    egui::FontId::proportional(12.0),
                    ink,
                );
            }
            if pointer.is_some_and(|q| r.expand(2.0).contains(q)) {
                hovered_unit = Some((c, u, r));
            }
        }
    }
    hovered_unit
}

/// The hovered unit: its map large beside it, its name at the pointer, and a click choosing it for "Open as graph".
fn unit_hover(
    ui: &egui::Ui,
    painter: &egui::Painter,
    view: &mut PlaygroundView,
    response: egui::Response,
    area: Rect,
    (c, u, r): (usize, usize, Rect),
) {
    let ink = ui.visuals().text_color();
    let layers = view.net.spec.hidden.len();
    let text = match c {
        0 => format!("input {}", view.data.train.feature_names.get(u).cloned().unwrap_or_default()),
        _ => format!(
            "{} — click to choose it for Open as graph",
            target_name(Target::Unit { layer: c, unit: u }, layers)
        ),
    };
    let texture = if c <= layers { view.pictures.units.get(c).and_then(|l| l.get(u)) } else { None };
    // the map large, beside the unit
    if let Some(t) = texture {
        let big = Rect::from_min_size(r.right_top() + Vec2::new(8.0, 0.0), Vec2::splat(160.0));
        let big =
            big.translate(Vec2::new((area.right() - big.right()).min(0.0), (area.bottom() - big.bottom()).min(0.0)));
        painter.image(t.id(), big, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), Color32::WHITE);
        painter.rect_stroke(big, 0.0, Stroke::new(1.0, ink), egui::StrokeKind::Outside);
    }
    let response = response.on_hover_text_at_pointer(text);
    if c > 0 && response.clicked() {
        view.push(Action::Select(Target::Unit { layer: c, unit: u }));
    }
}

/// The state-dict index of the k-th linear layer (`0`, `2`, `4`... without batch norm).
fn linear_index(net: &crate::nn::Mlp<f32>, k: usize) -> usize {
    net.layers.iter().enumerate().filter(|(_, l)| matches!(l, MlpLayer::Linear { .. })).nth(k).map_or(0, |(i, _)| i)
}

fn dist_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_sq().max(1e-6)).clamp(0.0, 1.0);
    (a + ab * t - p).length()
}
