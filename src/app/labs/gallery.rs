//! The activation gallery's tab (slides 66-87): the chosen activation's f and f' from the engine, its saturated
//! stretches shaded, the talking-points table for every activation (computed by [`crate::labs::gallery`]), an α
//! slider for PReLU and ELU, and the zero-centring zigzag of slides 71-75 on the (w₁, w₂) plane.

use eframe::egui;
use egui_plot::{Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points, Polygon};

use super::{LabContext, LabPanel};
use crate::labs::gallery::{self, Activation, Inputs, Settings, TalkingPoints};

/// The two zigzag paths (positive, centred) and the settings they were run with.
type Paths = (Settings, Vec<[f64; 2]>, Vec<[f64; 2]>);

/// The x range plotted.
const SHOWN: f64 = 6.0;
/// Points per curve.
const SAMPLES: usize = 481;

/// The gallery.
#[derive(Default)]
pub struct GalleryLab {
    /// The activation in focus, α, and the zigzag's settings.
    pub settings: Settings,
    /// The table, for the α it was computed with.
    table: Option<(f64, Vec<TalkingPoints>)>,
    /// The two zigzag paths (positive, centred), for the settings they were run with.
    paths: Option<Paths>,
}

impl GalleryLab {
    /// The talking points of every activation at the current α (cached until α changes).
    pub fn table(&mut self) -> &[TalkingPoints] {
        let alpha = self.settings.alpha;
        if self.table.as_ref().is_none_or(|(a, _)| *a != alpha) {
            self.table = Some((alpha, Activation::ALL.iter().map(|&a| gallery::talking_points(a, alpha)).collect()));
        }
        &self.table.as_ref().expect("just filled").1
    }

    /// The zigzag paths for all-positive and for centred inputs (cached until the settings change).
    pub fn paths(&mut self) -> (&[[f64; 2]], &[[f64; 2]]) {
        let s = &self.settings;
        if self.paths.as_ref().is_none_or(|(k, _, _)| (k.lr, k.steps, k.seed) != (s.lr, s.steps, s.seed)) {
            let pos = gallery::zigzag(Inputs::Positive, s.lr, s.steps, s.seed);
            let cen = gallery::zigzag(Inputs::Centred, s.lr, s.steps, s.seed);
            self.paths = Some((s.clone(), pos, cen));
        }
        let (_, p, c) = self.paths.as_ref().expect("just filled");
        (p, c)
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for a in Activation::ALL {
                if ui.selectable_label(self.settings.activation == a, a.name()).clicked() {
                    self.settings.activation = a;
                }
            }
        });
        if self.settings.activation.has_alpha() {
            ui.add(egui::Slider::new(&mut self.settings.alpha, 0.0..=3.0).text("α"));
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, hide_slope: bool) {
        let focus = self.settings.activation;
        let rows = self.table().to_vec();
        egui::Grid::new("gallery_table").striped(true).show(ui, |ui| {
            for h in ["", "zero-centred?", "saturates (|f'| < 0.01)", "can die?", "costs an exp?", "max f'"] {
                ui.strong(h);
            }
            ui.end_row();
            for r in &rows {
                let name = r.activation.name();
                if r.activation == focus {
                    ui.strong(name)
                } else {
                    ui.label(name)
                };
                ui.label(format!("{} (mean {:+.2})", yes(r.zero_centred), r.mean_output));
                ui.label(if r.saturated.is_empty() {
                    "no".to_owned()
                } else {
                    r.saturated.iter().map(|(a, b)| stretch(*a, *b)).collect::<Vec<_>>().join(", ")
                });
                ui.label(yes(r.can_die));
                ui.label(yes(r.costs_exp));
                ui.label(if hide_slope && r.activation == focus { "?".into() } else { format!("{:.3}", r.max_slope) });
                ui.end_row();
            }
        });
    }

    fn curves_ui(&mut self, ui: &mut egui::Ui, hide_f: bool, hide_slope: bool, height: f32) {
        let (a, alpha) = (self.settings.activation, self.settings.alpha);
        let xs = (0..SAMPLES).map(|i| -SHOWN + 2.0 * SHOWN * i as f64 / (SAMPLES - 1) as f64);
        let f: PlotPoints<'static> = xs.clone().map(|x| [x, a.f(alpha, x)]).collect();
        let df: PlotPoints<'static> = xs.map(|x| [x, a.df(alpha, x)]).collect();
        let saturated =
            self.table().iter().find(|t| t.activation == a).map(|t| t.saturated.clone()).unwrap_or_default();
        let shade = ui.visuals().warn_fg_color.gamma_multiply(0.25);
        Plot::new("gallery_curves")
            .height(height)
            .legend(Legend::default())
            .allow_drag(false)
            .allow_scroll(false)
            .allow_zoom(false)
            .include_y(-1.2)
            .include_y(1.5)
            .show(ui, |p| {
                for (lo, hi) in saturated {
                    let (lo, hi) = (lo.max(-SHOWN), hi.min(SHOWN));
                    if hi > lo {
                        let band = vec![[lo, -1.2], [hi, -1.2], [hi, 1.5], [lo, 1.5]];
                        p.polygon(
                            Polygon::new("saturated", PlotPoints::from(band)).fill_color(shade).allow_hover(false),
                        );
                    }
                }
                if !hide_f {
                    p.line(Line::new(format!("{}(x)", a.name()), f).width(2.0));
                }
                if !hide_slope {
                    p.line(Line::new(format!("{}'(x)", a.name()), df).width(2.0).style(LineStyle::dashed_loose()));
                }
            });
    }

    fn zigzag_ui(&mut self, ui: &mut egui::Ui, hidden: bool, height: f32) {
        let (pos, cen) = self.paths();
        let (pos, cen) = (pos.to_vec(), cen.to_vec());
        ui.label(format!(
            "all-positive inputs: {} steps, path {:.2} long · centred inputs: {} steps, path {:.2} long",
            if hidden { "?".into() } else { (pos.len() - 1).to_string() },
            gallery::path_length(&pos),
            if hidden { "?".into() } else { (cen.len() - 1).to_string() },
            gallery::path_length(&cen),
        ));
        Plot::new("gallery_zigzag")
            .height(height)
            .data_aspect(1.0)
            .legend(Legend::default())
            .allow_drag(false)
            .allow_scroll(false)
            .allow_zoom(false)
            .x_axis_label("w₁")
            .y_axis_label("w₂")
            .show(ui, |p| {
                if !hidden {
                    p.line(Line::new("all-positive inputs", PlotPoints::from(pos)));
                    p.line(Line::new("centred inputs", PlotPoints::from(cen)));
                }
                p.points(Points::new("start", vec![gallery::START]).shape(MarkerShape::Square).radius(5.0));
                p.points(Points::new("target w*", vec![gallery::TARGET]).shape(MarkerShape::Diamond).radius(6.0));
            });
    }
}

fn yes(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

fn stretch(a: f64, b: f64) -> String {
    let end = |v: f64| if v.abs() >= gallery::RANGE.1 { "∞".to_owned() } else { format!("{v:.1}") };
    match (a <= gallery::RANGE.0, b >= gallery::RANGE.1) {
        (true, _) => format!("x < {}", end(b)),
        (_, true) => format!("x > {}", end(a)),
        _ => format!("{} < x < {}", end(a), end(b)),
    }
}

impl LabPanel for GalleryLab {
    fn id(&self) -> &'static str {
        "gallery"
    }

    fn title(&self) -> &'static str {
        "Activations"
    }

    fn ui(&mut self, ui: &mut egui::Ui, cx: &mut LabContext<'_>) {
        let hidden = cx.hidden.unwrap_or("");
        let hide_slope = hidden.starts_with("slope") || hidden == "max_slope";
        let hide_f = hidden.starts_with("value");
        let hide_zigzag = hidden.starts_with("zigzag");
        egui::ScrollArea::vertical().show(ui, |ui| {
            self.controls_ui(ui);
            let h = (ui.available_height() * 0.45).clamp(160.0, 320.0);
            ui.columns(2, |c| {
                c[0].strong(format!(
                    "{}: f solid, f' dashed; shaded where |f'| < 0.01",
                    self.settings.activation.name()
                ));
                self.curves_ui(&mut c[0], hide_f, hide_slope, h);
                c[1].strong("zero-centring (slides 71-75): a neuron w·x fitting w* one example at a time");
                self.zigzag_ui(&mut c[1], hide_zigzag, h - 20.0);
            });
            ui.add_space(6.0);
            ui.strong("The lecture's talking points, computed from f' on [−10, 10]");
            self.table_ui(ui, hide_slope);
        });
    }

    lab_settings!(Gallery);
}
