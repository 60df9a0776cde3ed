//! The picture `landscape --png` writes: the heat map of the loss on the plane (the race's light palette, a log
//! colour scale when every loss is positive) with its contours, each racer's path (a dark square at its start, a dot
//! at its end), the α and β axes with tick labels at −span, −span/2, 0, span/2, span and their names, a colour bar
//! with the losses its colours stand for, and a key naming each racer in its colour.
//!
//! The heat map and the colour bar are written pixel by pixel; everything over them (lines, markers, text) is drawn
//! antialiased by `vello_cpu` and laid over them. Text is the glyph outlines of egui's own font (Ubuntu Light, from
//! `epaint_default_fonts`), read by `skrifa`: all three crates are already built for the window, so the picture
//! costs no new dependency. O(W·H + G² + path points).

use std::path::Path;

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use vello_cpu::color::{AlphaColor, Srgb};
use vello_cpu::kurbo::{Affine, BezPath, Circle, Rect, Shape, Stroke};
use vello_cpu::{Pixmap, RenderContext, Resources};

use crate::nn::landscape::{Directions, Landscape};
use crate::surface::contour::{self, ValueScale};

/// The plot's side in pixels.
const PLOT: f64 = 560.0;
/// Room left of the plot (β's tick labels and name).
const LEFT: f64 = 92.0;
/// Room above it (the title).
const TOP: f64 = 44.0;
/// The colour bar: its gap from the plot, its width, and the room for its labels.
const BAR_GAP: f64 = 26.0;
const BAR: f64 = 18.0;
const BAR_LABELS: f64 = 78.0;
/// Room below the plot for α's tick labels and name, before the racers' key.
const BOTTOM: f64 = 64.0;
/// One line of the racers' key.
const KEY_LINE: f64 = 20.0;
/// The most racers the key names (the rest are counted).
const KEY_MAX: usize = 12;

/// Text sizes in pixels.
const TICK_PX: f32 = 13.0;
const NAME_PX: f32 = 15.0;

/// The racers' colours (the race view's order).
pub const TRAIL_COLORS: [[u8; 3]; 8] = [
    [0xd6, 0x27, 0x28],
    [0x1f, 0x77, 0xb4],
    [0x2c, 0xa0, 0x2c],
    [0x94, 0x67, 0xbd],
    [0xff, 0x7f, 0x0e],
    [0x8c, 0x56, 0x4b],
    [0xe3, 0x77, 0xc2],
    [0x17, 0xbe, 0xcf],
];

const INK: [u8; 3] = [40, 40, 40];
const CONTOUR: [u8; 3] = [90, 110, 130];

/// How a line of text sits on its anchor point: horizontally, and whether the point is its baseline or its middle.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Align {
    /// Left end on the point, baseline through it.
    Left,
    /// Centred on the point, baseline through it.
    Centre,
    /// Right end on the point, vertically centred on it (tick labels left of an axis).
    RightMiddle,
    /// Left end on the point, vertically centred on it (the colour bar's labels).
    LeftMiddle,
}

/// The font the picture's text is drawn in.
struct Font<'a> {
    font: FontRef<'a>,
}

impl Font<'static> {
    fn new() -> Result<Self, String> {
        let font = FontRef::new(epaint_default_fonts::UBUNTU_LIGHT).map_err(|e| format!("the font: {e}"))?;
        Ok(Self { font })
    }
}

impl Font<'_> {
    /// The width of `text` at `px` pixels (a character the font lacks counts as '?').
    fn width(&self, text: &str, px: f32) -> f64 {
        let metrics = self.font.glyph_metrics(Size::new(px), LocationRef::default());
        text.chars().map(|c| f64::from(metrics.advance_width(self.glyph(c)).unwrap_or(0.0))).sum()
    }

    fn glyph(&self, c: char) -> skrifa::GlyphId {
        let map = self.font.charmap();
        map.map(c).or_else(|| map.map('?')).unwrap_or_default()
    }

    /// The outline of `text` at `px` pixels, its baseline starting at (0, 0), y down.
    fn outline(&self, text: &str, px: f32) -> BezPath {
        let metrics = self.font.glyph_metrics(Size::new(px), LocationRef::default());
        let outlines = self.font.outline_glyphs();
        let mut path = BezPath::new();
        let mut x = 0.0;
        for c in text.chars() {
            let id = self.glyph(c);
            if let Some(glyph) = outlines.get(id) {
                let mut pen = Pen { path: &mut path, x };
                // a glyph that does not draw leaves a gap: the text stays readable around it
                let _ = glyph.draw(DrawSettings::unhinted(Size::new(px), LocationRef::default()), &mut pen);
            }
            x += f64::from(metrics.advance_width(id).unwrap_or(0.0));
        }
        path
    }
}

/// Turns a glyph's outline (y up, from its origin) into path segments (y down, moved `x` along the line).
struct Pen<'p> {
    path: &'p mut BezPath,
    x: f64,
}

impl Pen<'_> {
    fn at(&self, x: f32, y: f32) -> (f64, f64) {
        (self.x + f64::from(x), -f64::from(y))
    }
}

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.path.move_to(p);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.at(x, y);
        self.path.line_to(p);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let (c, p) = (self.at(cx0, cy0), self.at(x, y));
        self.path.quad_to(c, p);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let (c0, c1, p) = (self.at(cx0, cy0), self.at(cx1, cy1), self.at(x, y));
        self.path.curve_to(c0, c1, p);
    }

    fn close(&mut self) {
        self.path.close_path();
    }
}

fn paint(c: [u8; 3]) -> AlphaColor<Srgb> {
    AlphaColor::from_rgba8(c[0], c[1], c[2], 255)
}

/// Draws `text` at `at` (pixels) as `align` says, rotated by `angle` radians about that point.
fn text(ctx: &mut RenderContext, font: &Font<'_>, s: &str, px: f32, at: (f64, f64), align: Align, angle: f64) {
    let w = font.width(s, px);
    // the middle of a line of digits and lower-case letters: a third of the size above the baseline
    let middle = f64::from(px) * 0.36;
    let (dx, dy) = match align {
        Align::Left => (0.0, 0.0),
        Align::Centre => (-w / 2.0, 0.0),
        Align::RightMiddle => (-w, middle),
        Align::LeftMiddle => (0.0, middle),
    };
    let placed = Affine::translate(at) * Affine::rotate(angle) * Affine::translate((dx, dy));
    ctx.set_paint(paint(INK));
    ctx.fill_path(&(placed * font.outline(s, px)));
}

/// A tick's label: at most `digits` significant digits, no trailing zeros, exponent form outside 10⁻³…10⁵.
pub fn tick_label(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { format!("{v}") };
    }
    let trim =
        |s: &str| if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.into() };
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.*e}", digits.saturating_sub(1));
        // 1.50e-4 → 1.5e-4
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{e}", trim(m));
    }
    let decimals = (digits as i32 - 1 - a.log10().floor() as i32).clamp(0, 12) as usize;
    let s = trim(&format!("{v:.decimals$}"));
    if s == "-0" { "0".into() } else { s }
}

/// Labels for increasing `values`: four significant digits, or as many more (up to ten) as it takes for two
/// different values never to read the same (a flat landscape's colour bar spans 0.69612 to 0.69618).
pub fn tick_labels(values: &[f64]) -> Vec<String> {
    let labels = |d: usize| values.iter().map(|&v| tick_label(v, d)).collect::<Vec<_>>();
    let distinct = |l: &[String]| l.windows(2).zip(values.windows(2)).all(|(l, v)| v[0] == v[1] || l[0] != l[1]);
    (4..=10).map(labels).find(|l| distinct(l)).unwrap_or_else(|| labels(10))
}

/// What each axis measures, for its name: `α along d1 (filter-normalized)`, `α along PC1 (62.0 % of the path's
/// variance)`, `α: offset of 0.weight[3,1]`.
fn axis_names(l: &Landscape) -> [String; 2] {
    let n = &l.plane.names;
    match (&l.plane.directions, l.plane.explained) {
        (Directions::Weights(..), _) => [format!("α: offset of {}", n[0]), format!("β: offset of {}", n[1])],
        (_, Some([e1, e2])) => [
            format!("α along {} ({:.1} % of the path's variance)", n[0], 100.0 * e1),
            format!("β along {} ({:.1} % of the path's variance)", n[1], 100.0 * e2),
        ],
        _ => [format!("α along {} (filter-normalized)", n[0]), format!("β along {} (filter-normalized)", n[1])],
    }
}

/// The picture's size in pixels for `racers` racers.
pub fn size(racers: usize) -> (u16, u16) {
    let w = LEFT + PLOT + BAR_GAP + BAR + BAR_LABELS;
    let key = if racers == 0 { 0.0 } else { 8.0 + KEY_LINE * racers.min(KEY_MAX + 1) as f64 };
    (w as u16, (TOP + PLOT + BOTTOM + key) as u16)
}

/// Draws the picture of `l`, `names` being the racers' names in the key. RGB, row-major.
pub fn draw(l: &Landscape, names: &[String]) -> Result<image::RgbImage, String> {
    let font = Font::new()?;
    let (w, h) = size(l.paths.len());
    let grid = l.grid.to_surface_grid();
    let scale = ValueScale::of_losses(&grid);
    let mut img = image::RgbImage::from_pixel(u32::from(w), u32::from(h), image::Rgb([255, 255, 255]));
    heat_pixels(&mut img, l, &scale);
    let mut ctx = RenderContext::new(w, h);
    let plane = PlotPlane { span: l.grid.span };
    ctx.push_clip_layer(&plane.rect().to_path(0.1));
    contours_and_paths(&mut ctx, l, &grid, &scale, plane);
    ctx.pop_layer();
    frame_and_ticks(&mut ctx, &font, &scale, plane);
    names_and_key(&mut ctx, &font, l, &scale, names);
    let mut layer = Pixmap::new(w, h);
    ctx.flush();
    ctx.render(&mut layer, &mut Resources::new());
    // the drawing over the pixels (premultiplied): out = src + dst·(1 − α)
    for (px, src) in img.pixels_mut().zip(layer.data_as_u8_slice().chunks_exact(4)) {
        let keep = 255 - u16::from(src[3]);
        for (dst, &s) in px.0.iter_mut().zip(src).take(3) {
            *dst = (u16::from(s) + (u16::from(*dst) * keep + 127) / 255).min(255) as u8;
        }
    }
    Ok(img)
}

/// The plot's square: pixels from the plane's (α, β), each in [−span, span] (β up).
#[derive(Clone, Copy)]
struct PlotPlane {
    span: f64,
}

impl PlotPlane {
    fn x_of(self, a: f64) -> f64 {
        LEFT + (a + self.span) / (2.0 * self.span) * PLOT
    }

    fn y_of(self, b: f64) -> f64 {
        TOP + (1.0 - (b + self.span) / (2.0 * self.span)) * PLOT
    }

    fn rect(self) -> Rect {
        Rect::new(LEFT, TOP, LEFT + PLOT, TOP + PLOT)
    }
}

/// The heat map (each pixel the nearest grid point's colour, y up) and the colour bar (the top the highest loss).
fn heat_pixels(img: &mut image::RgbImage, l: &Landscape, scale: &ValueScale) {
    let (g, side) = (l.grid.size, PLOT as u32);
    for py in 0..side {
        for px in 0..side {
            let i = ((f64::from(px) / f64::from(side - 1)) * (g - 1) as f64).round() as usize;
            let j = ((f64::from(side - 1 - py) / f64::from(side - 1)) * (g - 1) as f64).round() as usize;
            let c = contour::heat_rgb(scale.unit(l.grid.at(i, j)), false);
            img.put_pixel(LEFT as u32 + px, TOP as u32 + py, image::Rgb(c));
        }
    }
    let bar_x = LEFT + PLOT + BAR_GAP;
    for py in 0..side {
        let c = contour::heat_rgb(1.0 - f64::from(py) / f64::from(side - 1), false);
        for px in 0..BAR as u32 {
            img.put_pixel(bar_x as u32 + px, TOP as u32 + py, image::Rgb(c));
        }
    }
}

/// The contour lines, then each racer's path with its start (a square) and its end (a dot).
fn contours_and_paths(
    ctx: &mut RenderContext,
    l: &Landscape,
    grid: &crate::surface::Grid,
    scale: &ValueScale,
    plane: PlotPlane,
) {
    ctx.set_stroke(Stroke::new(1.0));
    ctx.set_paint(AlphaColor::from_rgba8(CONTOUR[0], CONTOUR[1], CONTOUR[2], 220));
    for c in contour::contours(grid, &scale.levels(14)) {
        for line in c.lines {
            let mut path = BezPath::new();
            for (k, p) in line.iter().enumerate() {
                let q = (plane.x_of(p[0]), plane.y_of(p[1]));
                if k == 0 { path.move_to(q) } else { path.line_to(q) }
            }
            ctx.stroke_path(&path);
        }
    }
    for (k, p) in l.paths.iter().enumerate() {
        let c = TRAIL_COLORS[k % TRAIL_COLORS.len()];
        let points: Vec<(f64, f64)> = p
            .iter()
            .filter(|q| q.alpha.is_finite() && q.beta.is_finite())
            .map(|q| (plane.x_of(q.alpha), plane.y_of(q.beta)))
            .collect();
        let mut path = BezPath::new();
        for (n, &q) in points.iter().enumerate() {
            if n == 0 { path.move_to(q) } else { path.line_to(q) }
        }
        ctx.set_stroke(Stroke::new(2.0));
        ctx.set_paint(paint(c));
        ctx.stroke_path(&path);
        if let (Some(&a), Some(&b)) = (points.first(), points.last()) {
            ctx.set_paint(paint([20, 20, 20]));
            ctx.fill_rect(&Rect::new(a.0 - 4.0, a.1 - 4.0, a.0 + 4.0, a.1 + 4.0));
            ctx.fill_path(&Circle::new(b, 6.5).to_path(0.1));
            ctx.set_paint(paint(c));
            ctx.fill_path(&Circle::new(b, 5.0).to_path(0.1));
        }
    }
}

/// The frames of the plot and the colour bar, the ticks and their labels.
fn frame_and_ticks(ctx: &mut RenderContext, font: &Font<'_>, scale: &ValueScale, plane: PlotPlane) {
    let bar_x = LEFT + PLOT + BAR_GAP;
    ctx.set_stroke(Stroke::new(1.0));
    ctx.set_paint(paint(INK));
    ctx.stroke_rect(&plane.rect().inset(-0.5));
    ctx.stroke_rect(&Rect::new(bar_x, TOP, bar_x + BAR, TOP + PLOT).inset(-0.5));
    let ticks: Vec<f64> = (0..5).map(|k| plane.span * (k as f64 - 2.0) / 2.0).collect();
    let bar_values: Vec<f64> = (0..5).map(|k| scale.value(k as f64 / 4.0)).collect();
    let (tick_text, bar_text) = (tick_labels(&ticks), tick_labels(&bar_values));
    for k in 0..5 {
        let (v, label) = (ticks[k], &tick_text[k]);
        let (x, y) = (plane.x_of(v), plane.y_of(v));
        ctx.fill_rect(&Rect::new(x - 0.5, TOP + PLOT, x + 0.5, TOP + PLOT + 6.0));
        text(ctx, font, label, TICK_PX, (x, TOP + PLOT + 21.0), Align::Centre, 0.0);
        ctx.fill_rect(&Rect::new(LEFT - 6.0, y - 0.5, LEFT, y + 0.5));
        text(ctx, font, label, TICK_PX, (LEFT - 9.0, y), Align::RightMiddle, 0.0);
        // the colour bar: the loss at a quarter of the colour scale apart
        let u = k as f64 / 4.0;
        let by = TOP + (1.0 - u) * PLOT;
        ctx.fill_rect(&Rect::new(bar_x + BAR, by - 0.5, bar_x + BAR + 5.0, by + 0.5));
        text(ctx, font, &bar_text[k], TICK_PX, (bar_x + BAR + 8.0, by), Align::LeftMiddle, 0.0);
    }
}

/// The axes' names, the title, the colour bar's caption, and the key: each racer's colour and name.
fn names_and_key(ctx: &mut RenderContext, font: &Font<'_>, l: &Landscape, scale: &ValueScale, names: &[String]) {
    let bar_x = LEFT + PLOT + BAR_GAP;
    let [alpha, beta] = axis_names(l);
    text(ctx, font, &alpha, NAME_PX, (LEFT + PLOT / 2.0, TOP + PLOT + 46.0), Align::Centre, 0.0);
    let turn = -std::f64::consts::FRAC_PI_2;
    text(ctx, font, &beta, NAME_PX, (LEFT - 66.0, TOP + PLOT / 2.0), Align::Centre, turn);
    let title = format!("loss on the plane θ + α·{} + β·{}", l.plane.names[0], l.plane.names[1]);
    text(ctx, font, &title, NAME_PX, (LEFT, TOP - 14.0), Align::Left, 0.0);
    let caption = if scale.log { "loss (log colours)" } else { "loss" };
    text(ctx, font, caption, TICK_PX, (bar_x + BAR / 2.0 + 12.0, TOP - 14.0), Align::Centre, 0.0);
    let key_top = TOP + PLOT + BOTTOM + 8.0;
    for (k, name) in names.iter().enumerate().take(KEY_MAX) {
        let y = key_top + KEY_LINE * k as f64 + KEY_LINE / 2.0;
        ctx.set_paint(paint(TRAIL_COLORS[k % TRAIL_COLORS.len()]));
        ctx.fill_rect(&Rect::new(LEFT, y - 1.5, LEFT + 22.0, y + 1.5));
        ctx.fill_path(&Circle::new((LEFT + 22.0, y), 5.0).to_path(0.1));
        text(ctx, font, name, TICK_PX, (LEFT + 34.0, y), Align::LeftMiddle, 0.0);
    }
    if names.len() > KEY_MAX {
        let y = key_top + KEY_LINE * KEY_MAX as f64 + KEY_LINE / 2.0;
        let more = format!("and {} more", names.len() - KEY_MAX);
        text(ctx, font, &more, TICK_PX, (LEFT + 34.0, y), Align::LeftMiddle, 0.0);
    }
}

/// Draws the picture and writes it as a PNG file.
pub fn write(l: &Landscape, names: &[String], path: &Path) -> Result<(), String> {
    draw(l, names)?.save(path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::landscape::{LossGrid, PathPoint, Plane};

    #[test]
    fn tick_labels_keep_four_significant_digits_or_enough_to_differ() {
        assert_eq!(tick_label(0.0, 4), "0");
        assert_eq!(tick_label(-0.5, 4), "-0.5");
        assert_eq!(tick_label(1.0, 4), "1");
        assert_eq!(tick_label(12.3456, 4), "12.35");
        assert_eq!(tick_label(0.712347, 4), "0.7123");
        assert_eq!(tick_label(2500.0, 4), "2500");
        assert_eq!(tick_label(1.5e-4, 4), "1.5e-4");
        assert_eq!(tick_label(-2.0e6, 4), "-2e6");
        // 0.69612 and 0.69614 both read 0.6961 at four digits: five tell them apart
        assert_eq!(tick_labels(&[0.69612, 0.69614, 0.7]), ["0.69612", "0.69614", "0.7"]);
        assert_eq!(tick_labels(&[-1.0, 0.0, 1.0]), ["-1", "0", "1"]);
    }

    /// A 2-parameter landscape: the loss α² + 4β² + 1 on a 21 × 21 grid over ±2, one racer from (1.5, 1) to (−1, −1).
    fn bowl() -> Landscape {
        let g = 21;
        let span = 2.0;
        let c = |i: usize| span * (2.0 * i as f64 - (g - 1) as f64) / (g - 1) as f64;
        let losses = (0..g * g).map(|k| c(k % g).powi(2) + 4.0 * c(k / g).powi(2) + 1.0).collect();
        let plane = Plane {
            directions: Directions::Random,
            origin: vec![0.0, 0.0],
            d1: vec![1.0, 0.0],
            d2: vec![0.0, 1.0],
            explained: None,
            names: ["d1".into(), "d2".into()],
        };
        let path = (0..=10)
            .map(|t| {
                let t = t as f64 / 10.0;
                PathPoint { alpha: 1.5 - 2.5 * t, beta: 1.0 - 2.0 * t, off_plane: 0.0, loss: 0.0 }
            })
            .collect();
        Landscape {
            plane,
            grid: LossGrid { size: g, span, losses },
            origin_loss: 1.0,
            trajectories: vec![],
            paths: vec![path],
        }
    }

    /// Dark pixels (text, ticks, frame: grey or darker, the light font's antialiased strokes included) in a
    /// rectangle of the picture.
    fn ink(img: &image::RgbImage, x: std::ops::Range<u32>, y: std::ops::Range<u32>) -> usize {
        y.flat_map(|py| x.clone().map(move |px| (px, py)))
            .filter(|&(px, py)| img.get_pixel(px, py).0.iter().all(|&v| v < 170))
            .count()
    }

    #[test]
    fn the_picture_has_axes_labels_a_colour_bar_and_a_key() {
        let l = bowl();
        let img = draw(&l, &["sgd:lr=0.1".into()]).expect("draws");
        let (w, h) = size(1);
        assert_eq!((img.width(), img.height()), (u32::from(w), u32::from(h)));
        let (left, top, plot) = (LEFT as u32, TOP as u32, PLOT as u32);
        // the tick labels under the plot: at α = −2 (left end), 0 (middle) and 2 (right end)
        for x in [left, left + plot / 2, left + plot] {
            assert!(ink(&img, x - 12..x + 12, top + plot + 8..top + plot + 24) > 10, "a label under x = {x}");
        }
        // between the ticks the row under the plot is blank
        assert_eq!(ink(&img, left + plot / 8 - 5..left + plot / 8 + 5, top + plot + 8..top + plot + 24), 0);
        // the tick labels left of the plot, and β's name further left, turned on its side (taller than wide)
        assert!(ink(&img, left - 40..left - 8, top - 8..top + 8) > 10, "β = 2 at the top");
        let name = ink(&img, 10..36, top + plot / 2 - 100..top + plot / 2 + 100);
        assert!(name > 100, "β's name: {name} dark pixels");
        assert_eq!(ink(&img, 10..36, top..top + 60), 0, "β's name is centred on its axis");
        // α's name under the ticks
        assert!(ink(&img, left + plot / 2 - 100..left + plot / 2 + 100, top + plot + 34..top + plot + 52) > 100);
        // the colour bar: the highest loss at its top, the lowest at its bottom, in the heat map's palette
        let bar = (LEFT + PLOT + BAR_GAP) as u32 + BAR as u32 / 2;
        assert_eq!(img.get_pixel(bar, top + 1).0, contour::heat_rgb(1.0, false));
        assert_eq!(img.get_pixel(bar, top + plot - 2).0, contour::heat_rgb(0.0, false));
        // its labels: the lowest loss (1) and the highest (17 = 2² + 4·2² + 1) beside its ends
        assert!(ink(&img, bar + 18..bar + 60, top + plot - 8..top + plot + 8) > 5, "the lowest loss' label");
        assert!(ink(&img, bar + 18..bar + 60, top - 8..top + 8) > 5, "the highest loss' label");
        // the heat map: its centre (the minimum, a cell 28 pixels wide, the innermost contour around it) has the
        // colour of the scale's bottom, a corner of its top
        let (cx, cy) = (left + plot / 2, top + plot / 2);
        let mut low = (cy - 10..cy + 10).flat_map(|y| (cx - 10..cx + 10).map(move |x| (x, y)));
        assert!(low.any(|(x, y)| img.get_pixel(x, y).0 == contour::heat_rgb(0.0, false)), "the minimum's colour");
        assert_eq!(img.get_pixel(left + 1, top + 1).0, contour::heat_rgb(1.0, false));
        // the key names the racer under the axis name
        assert!(ink(&img, left + 34..left + 120, top + plot + 64..top + plot + 64 + 28) > 20, "the key");
        // the path starts with a dark square at (1.5, 1) and ends with a dot in the first racer's colour at (−1, −1)
        let at =
            |a: f64, b: f64| ((LEFT + (a + 2.0) / 4.0 * PLOT) as u32, (TOP + (1.0 - (b + 2.0) / 4.0) * PLOT) as u32);
        let (sx, sy) = at(1.5, 1.0);
        assert_eq!(img.get_pixel(sx, sy).0, [20, 20, 20]);
        let (ex, ey) = at(-1.0, -1.0);
        assert_eq!(img.get_pixel(ex, ey).0, TRAIL_COLORS[0]);
    }

    #[test]
    fn every_character_of_the_labels_is_in_the_font() {
        let font = Font::new().expect("the font");
        let map = font.font.charmap();
        for c in "αβθ·0123456789.e-+ %()[],:=abcdefghijklmnopqrstuvwxyzPC".chars() {
            assert!(map.map(c).is_some(), "'{c}' is in Ubuntu Light");
        }
        assert!(font.width("α", TICK_PX) > 3.0);
    }
}
