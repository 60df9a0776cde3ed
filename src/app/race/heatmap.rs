//! The surface's picture, cached by what it depends on: the grid ([`Surface::grid`], the costly part) only when the
//! expression, the region or the size change; the texture and the contour lines when the grid, the scale (linear or
//! log) or the theme change. Never per frame.

use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::PlotPoint;

use crate::surface::contour::{self, ValueScale};
use crate::surface::{Domain, Grid, Surface};

/// Grid points along each axis.
pub const GRID_SIZE: usize = 200;

/// Contour levels drawn.
pub const LEVELS: usize = 14;

/// What the grid depends on.
#[derive(Clone, Debug, PartialEq)]
struct GridKey {
    expr: String,
    domain: Domain,
    size: usize,
}

/// The cached grid, texture and contour lines.
#[derive(Default)]
pub struct HeatMap {
    grid_key: Option<GridKey>,
    look_key: Option<(bool, bool)>,
    grid: Option<Grid>,
    /// The heat map, one texel per grid point.
    pub texture: Option<TextureHandle>,
    /// Each level's polylines, ready to borrow into plot lines.
    pub contours: Vec<Vec<PlotPoint>>,
    /// The scale of the colours and levels.
    pub scale: Option<ValueScale>,
    /// How many grids have been computed (for tests: not one per frame).
    pub builds: usize,
    /// How long the last grid, texture and contours took together.
    pub last_build: Duration,
}

impl HeatMap {
    /// Brings the picture up to date with the surface, the scale and the theme; O(1) when nothing changed.
    pub fn update(&mut self, ctx: &egui::Context, surface: &mut Surface, log: bool, dark: bool) {
        let key = GridKey { expr: surface.expr.clone(), domain: surface.domain, size: GRID_SIZE };
        let started = Instant::now();
        let mut changed = false;
        if self.grid_key.as_ref() != Some(&key) {
            self.grid = Some(surface.grid(GRID_SIZE, GRID_SIZE));
            self.grid_key = Some(key);
            self.builds += 1;
            changed = true;
        }
        if changed || self.look_key != Some((log, dark)) {
            let grid = self.grid.as_ref().expect("the grid was computed above");
            let scale = ValueScale::of(grid, log);
            let image = image(grid, &scale, dark);
            match &mut self.texture {
                Some(t) => t.set(image, TextureOptions::LINEAR),
                None => self.texture = Some(ctx.load_texture("race-surface", image, TextureOptions::LINEAR)),
            }
            if changed || self.look_key.map(|(l, _)| l) != Some(log) {
                self.contours = contour::contours(grid, &scale.levels(LEVELS))
                    .into_iter()
                    .flat_map(|c| c.lines)
                    .map(|line| line.into_iter().map(|[x, y]| PlotPoint::new(x, y)).collect())
                    .collect();
            }
            self.scale = Some(scale);
            self.look_key = Some((log, dark));
            self.last_build = started.elapsed();
        }
    }

    /// The region the cached grid covers.
    pub fn domain(&self) -> Option<Domain> {
        self.grid.as_ref().map(|g| g.domain)
    }

    /// The grid's step along x and y (the size of one texel in domain units).
    pub fn cell(&self) -> [f64; 2] {
        match &self.grid {
            Some(g) => [
                (g.domain.x[1] - g.domain.x[0]) / (g.nx.max(2) - 1) as f64,
                (g.domain.y[1] - g.domain.y[0]) / (g.ny.max(2) - 1) as f64,
            ],
            None => [0.0, 0.0],
        }
    }
}

/// The grid as an image: row 0 at the top is the largest y.
pub fn image(grid: &Grid, scale: &ValueScale, dark: bool) -> ColorImage {
    let mut pixels = Vec::with_capacity(grid.nx * grid.ny);
    for j in (0..grid.ny).rev() {
        for i in 0..grid.nx {
            pixels.push(color(scale.unit(grid.values[j * grid.nx + i]), dark));
        }
    }
    ColorImage::new([grid.nx, grid.ny], pixels)
}

/// The heat map's colour at `u` in [0, 1] (NaN, where the surface is undefined, is grey): [`contour::heat_rgb`].
pub fn color(u: f64, dark: bool) -> Color32 {
    let [r, g, b] = contour::heat_rgb(u, dark);
    Color32::from_rgb(r, g, b)
}
