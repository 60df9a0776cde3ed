//! The PNG outputs: `chainrule --screenshot` run under a virtual display (Xvfb) writes a PNG of the whole window that is
//! the screen's size and not blank, and `save_png` (the graph export's writer) crops and writes what it is given.
//!
//! The screenshot test needs a display: `xvfb-run` (Debian's `xvfb` package) or a `DISPLAY`. Without either it fails and
//! says so; set `CHAINRULE_NO_DISPLAY=1` to skip it knowingly.

use std::path::{Path, PathBuf};
use std::process::Command;

use chainrule::app::save_png;
use eframe::egui;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("chainrule-{}-{name}", std::process::id()))
}

/// How many distinct colours the image has, and the share of its most common one.
fn colours(img: &image::RgbaImage) -> (usize, f64) {
    let mut counts = std::collections::HashMap::new();
    for p in img.pixels() {
        *counts.entry(p.0).or_insert(0usize) += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    (counts.len(), top as f64 / (img.width() * img.height()).max(1) as f64)
}

fn on_display(args: &[&str], session: &Path) -> std::process::Output {
    let bin = env!("CARGO_BIN_EXE_chainrule");
    let xvfb = Command::new("xvfb-run").arg("--help").output().is_ok();
    let mut cmd = if xvfb {
        let mut c = Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1280x800x24", bin]);
        c
    } else {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the screenshot test needs xvfb-run or a DISPLAY (CHAINRULE_NO_DISPLAY=1 skips it)"
        );
        Command::new(bin)
    };
    cmd.args(args).env("CHAINRULE_SESSION", session).output().expect("the window runs")
}

#[test]
fn screenshot_writes_a_png_of_the_window_that_is_not_blank() {
    if std::env::var_os("CHAINRULE_NO_DISPLAY").is_some() {
        eprintln!("skipped: CHAINRULE_NO_DISPLAY is set");
        return;
    }
    let path = temp("shot.png");
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/backprop-session.json");
    let out = on_display(&["--screenshot", path.to_str().expect("a UTF-8 path")], &session);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_rgba8();
    std::fs::remove_file(&path).ok();
    // the virtual screen is 1280×800 and the window fills it; a real display may differ, but not by much
    assert!(img.width() >= 640 && img.height() >= 400, "{}×{}", img.width(), img.height());
    // text, cards and wires: many colours, and no single one covers (nearly) everything
    let (distinct, top) = colours(&img);
    assert!(distinct > 50 && top < 0.95, "{distinct} colours, the commonest on {:.0} %", top * 100.0);
}

#[test]
fn save_png_crops_and_writes_the_pixels() {
    // a 4×3 image, each pixel its own shade; crop the 2×2 block at (1, 1)
    let pixels: Vec<egui::Color32> = (0..12u8).map(|i| egui::Color32::from_rgb(i * 20, 255 - i * 20, i)).collect();
    let image = egui::ColorImage { size: [4, 3], pixels, source_size: egui::vec2(4.0, 3.0) };
    let path = temp("crop.png");
    save_png(&image, Some([1, 1, 2, 2]), &path).expect("the PNG is written");
    let png = image::open(&path).expect("a PNG").to_rgba8();
    std::fs::remove_file(&path).ok();
    assert_eq!(png.dimensions(), (2, 2));
    // (x, y) = (1, 1) is pixel 5, (2, 2) is pixel 10
    assert_eq!(png.get_pixel(0, 0).0, [100, 155, 5, 255]);
    assert_eq!(png.get_pixel(1, 1).0, [200, 55, 10, 255]);
    // a crop that leaves the image is clipped to it; one with nothing left is an error, not a panic
    save_png(&image, Some([3, 2, 10, 10]), &path).expect("a 1×1 PNG");
    assert_eq!(image::open(&path).expect("a PNG").to_rgba8().dimensions(), (1, 1));
    std::fs::remove_file(&path).ok();
    assert!(save_png(&image, Some([4, 0, 1, 1]), &path).unwrap_err().contains("empty"));
}
