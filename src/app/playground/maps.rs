//! The pictures of the playground: the output's decision regions and each unit's map, as textures, remade only when
//! new weights arrive ([`crate::nn::playground::unit_maps`] computes them), never per frame. Colours as TensorFlow
//! Playground: orange for negative (class 0, "−1"), white for zero, blue for positive (class 1, "+1").

use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ColorImage, TextureHandle, TextureOptions};

use crate::nn::Mlp;
use crate::nn::playground::{Data, Plane, UnitMaps, unit_maps};

/// Grid points per side of every map: smooth enough at full window size with linear filtering.
pub const GRID: usize = 64;

/// Playground's orange (negative, class 0).
pub const ORANGE: Color32 = Color32::from_rgb(0xf5, 0x93, 0x22);
/// Playground's blue (positive, class 1).
pub const BLUE: Color32 = Color32::from_rgb(0x08, 0x77, 0xbd);

/// The colour of class `k` of `classes`: orange and blue for two, then a palette.
pub fn class_color(k: usize, classes: usize) -> Color32 {
    const MORE: [Color32; 8] = [
        Color32::from_rgb(0xf5, 0x93, 0x22),
        Color32::from_rgb(0x08, 0x77, 0xbd),
        Color32::from_rgb(0x2c, 0xa0, 0x2c),
        Color32::from_rgb(0xd6, 0x27, 0x28),
        Color32::from_rgb(0x94, 0x67, 0xbd),
        Color32::from_rgb(0x8c, 0x56, 0x4b),
        Color32::from_rgb(0xe3, 0x77, 0xc2),
        Color32::from_rgb(0x17, 0xbe, 0xcf),
    ];
    if classes <= 2 { [ORANGE, BLUE][k.min(1)] } else { MORE[k % MORE.len()] }
}

/// White blended towards `c` by `t` in [0, 1].
fn tint(c: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let mix = |a: u8| (255.0 + (f32::from(a) - 255.0) * t).round() as u8;
    Color32::from_rgb(mix(c.r()), mix(c.g()), mix(c.b()))
}

/// A value on Playground's diverging scale: −1 orange, 0 white, +1 blue (clamped).
pub fn diverging(v: f32) -> Color32 {
    if v < 0.0 { tint(ORANGE, -v) } else { tint(BLUE, v) }
}

/// The cached maps and their textures.
#[derive(Default)]
pub struct Pictures {
    /// The latest maps.
    pub maps: Option<UnitMaps>,
    /// The plane they cover.
    pub plane: Option<Plane>,
    /// The decision regions.
    pub output: Option<TextureHandle>,
    /// `units[0]`: the input features; then one per hidden layer, one texture per unit.
    pub units: Vec<Vec<TextureHandle>>,
    /// How many times the maps were computed (for tests: not per frame).
    pub builds: usize,
    /// How long the last maps and textures took.
    pub last_build: Duration,
    /// Whether the output is drawn in two colours only (Playground's "discretize output").
    discrete: bool,
}

impl Pictures {
    /// Recomputes the maps of `mlp` over the data's plane and remakes every texture. The grid and the textures cost
    /// one forward pass of [`GRID`]² rows.
    pub fn rebuild(&mut self, ctx: &egui::Context, mlp: &mut Mlp<f32>, data: &Data, discrete: bool) {
        let (Some(train), Some(test)) = (&data.train_plane, &data.test_plane) else {
            *self = Self { builds: self.builds, ..Self::default() };
            return;
        };
        let started = Instant::now();
        let plane = Plane::around(&[train, test]);
        let Ok(maps) = unit_maps(mlp, &data.features, &plane, GRID) else { return };
        self.show(ctx, maps, data, discrete);
        self.last_build = started.elapsed();
    }

    /// Remakes every texture from `maps`, made over the data's plane (here, or by a run's worker: a
    /// [`crate::nn::playground::Drawing`]).
    pub fn show(&mut self, ctx: &egui::Context, maps: UnitMaps, data: &Data, discrete: bool) {
        let (Some(train), Some(test)) = (&data.train_plane, &data.test_plane) else {
            *self = Self { builds: self.builds, ..Self::default() };
            return;
        };
        let started = Instant::now();
        self.discrete = discrete;
        let output =
            if data.train.is_regression() { value_image(&maps, discrete) } else { output_image(&maps, discrete) };
        set(ctx, &mut self.output, "playground-output", output);
        let table = DivergingTable::new();
        let image = |m: &Vec<f32>| unit_image(&table, m, maps.size);
        let mut layers: Vec<Vec<ColorImage>> = vec![maps.inputs.iter().map(image).collect()];
        layers.extend(maps.hidden.iter().map(|l| l.iter().map(image).collect()));
        self.units.resize_with(layers.len(), Vec::new);
        for (k, (images, textures)) in layers.into_iter().zip(&mut self.units).enumerate() {
            textures.truncate(images.len());
            for (u, image) in images.into_iter().enumerate() {
                if let Some(t) = textures.get_mut(u) {
                    t.set(image, TextureOptions::LINEAR);
                } else {
                    textures.push(ctx.load_texture(format!("playground-unit-{k}-{u}"), image, TextureOptions::LINEAR));
                }
            }
        }
        self.units.truncate(maps.hidden.len() + 1);
        self.maps = Some(maps);
        self.plane = Some(Plane::around(&[train, test]));
        self.builds += 1;
        self.last_build = started.elapsed();
    }
}

fn set(ctx: &egui::Context, slot: &mut Option<TextureHandle>, name: &str, image: ColorImage) {
    match slot {
        Some(t) => t.set(image, TextureOptions::LINEAR),
        None => *slot = Some(ctx.load_texture(name, image, TextureOptions::LINEAR)),
    }
}

/// The decision regions: each point's most likely class, paler where the network is unsure (or solid, discretized).
fn output_image(maps: &UnitMaps, discrete: bool) -> ColorImage {
    let n = maps.size * maps.size;
    let k = maps.classes as f32;
    let pixels = (0..n)
        .map(|i| {
            let (c, p) = maps.class_at(i);
            let sure = if discrete { 1.0 } else { ((p - 1.0 / k) / (1.0 - 1.0 / k)).clamp(0.0, 1.0) };
            // never fully saturated, so the points on top stay visible
            tint(class_color(c, maps.classes), 0.15 + 0.6 * sure)
        })
        .collect();
    ColorImage::new([maps.size, maps.size], pixels)
}

/// A regression's output: its value on Playground's continuous scale (−1 orange, 0 white, +1 blue; the one-output
/// map holds p = (s + 1)/2, so s = 2p − 1, clamped), or its sign when discretized; never fully saturated, so the
/// points on top (coloured by their own values) stay visible.
fn value_image(maps: &UnitMaps, discrete: bool) -> ColorImage {
    let n = maps.size * maps.size;
    let pixels = (0..n)
        .map(|i| {
            let s = 2.0 * maps.probs[i * maps.classes + 1] - 1.0;
            let s = if discrete { s.signum() } else { s };
            diverging(0.75 * s)
        })
        .collect();
    ColorImage::new([maps.size, maps.size], pixels)
}

/// Steps of [`DivergingTable`] on each side of 0.
const HALF_STEPS: usize = 512;

/// [`diverging`] at 2·[`HALF_STEPS`] + 1 evenly spaced values of [−1, 1] (the ends and 0 exact): a unit's map looks
/// its colours up here instead of blending each pixel, which cost 4 of the 5 ms a remake took (49 maps of 64² pixels,
/// `cargo bench --bench playground`). A step is 1/512, under one level of an 8-bit channel between white and the ends.
struct DivergingTable([Color32; 2 * HALF_STEPS + 1]);

impl DivergingTable {
    fn new() -> Self {
        Self(std::array::from_fn(|i| diverging((i as f32 - HALF_STEPS as f32) / HALF_STEPS as f32)))
    }

    /// The colour of `v` in [−1, 1] (clamped; NaN is white, as no value).
    fn get(&self, v: f32) -> Color32 {
        let at = (v.clamp(-1.0, 1.0) + 1.0) * HALF_STEPS as f32 + 0.5;
        if at.is_nan() { Color32::WHITE } else { self.0[(at as usize).min(2 * HALF_STEPS)] }
    }
}

/// One unit's map on the diverging scale, scaled by its largest magnitude when that exceeds 1 (ReLU's outputs).
fn unit_image(table: &DivergingTable, values: &[f32], size: usize) -> ColorImage {
    let scale = values.iter().fold(1.0f32, |m, v| if v.is_finite() { m.max(v.abs()) } else { m });
    let pixels = values.iter().map(|&v| table.get(v / scale)).collect();
    ColorImage::new([size, size], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diverging_scale_runs_orange_white_blue() {
        assert_eq!(diverging(0.0), Color32::WHITE);
        assert_eq!(diverging(-1.0), ORANGE);
        assert_eq!(diverging(1.0), BLUE);
        assert_eq!(diverging(7.0), BLUE, "clamped");
    }

    #[test]
    fn the_table_gives_the_scale_within_one_level() {
        let table = DivergingTable::new();
        assert_eq!(table.get(-1.0), ORANGE);
        assert_eq!(table.get(0.0), Color32::WHITE);
        assert_eq!(table.get(1.0), BLUE);
        assert_eq!(table.get(-3.0), ORANGE, "clamped");
        assert_eq!(table.get(f32::NAN), Color32::WHITE);
        for i in 0..=4000 {
            let v = -1.0 + i as f32 / 2000.0;
            let (a, b) = (table.get(v), diverging(v));
            for c in 0..3 {
                assert!(a[c].abs_diff(b[c]) <= 1, "{v}: {a:?} against {b:?}");
            }
        }
    }
}
