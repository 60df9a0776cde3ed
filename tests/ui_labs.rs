//! The Labs view, driven headless through egui_kittest by the labels a learner sees: each lab's controls (at least
//! two tests a lab), the numbers on screen against the core's (the initialization table against `chainrule
//! init-stats`), and the labs lesson, whose lab hides the asked number until the learner has answered.

mod common;

use chainrule::app::App;
use chainrule::app::labs::ewma::EwmaLab;
use chainrule::app::labs::gallery::GalleryLab;
use chainrule::app::labs::init::InitLab;
use chainrule::app::labs::linearity::{LinearityLab, POINTS};
use chainrule::cli::{Cli, run};
use chainrule::labs::gallery::{self, Activation, Inputs};
use chainrule::labs::{ewma, init, linearity};
use clap::Parser;
use common::window::lab_tab as tab;
use eframe::egui::{self, Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window at a laptop's size, with the Labs view open on the tab titled `tab`.
fn harness(tab: &str) -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), App::default());
    h.step();
    h.get_by_label("Labs").click();
    h.step();
    h.get_by_label(tab).click();
    h.step();
    h.step();
    h
}

/// Frames until the initialization lab shows the results for its settings.
fn until_computed(h: &mut Harness<'static, App>) {
    common::window::step_until(h, 120, "the initialization experiment", |h| !tab::<InitLab>(h).is_busy_now());
    h.step();
}

#[test]
fn the_gallery_shows_alpha_for_prelu_and_its_table_follows_alpha() {
    let mut h = harness("Activations");
    assert!(h.query_by_label("α").is_none(), "sigmoid has no α");
    // only ReLU is flat on the whole negative half-line at the default α = 0.1
    assert_eq!(h.query_all_by_label("x < 0.0").count(), 1);
    h.get_all_by_label("prelu").next().expect("the activation's button, above its table row").click();
    h.step();
    assert_eq!(tab::<GalleryLab>(&mut h).settings.activation, Activation::Prelu);
    assert!(h.query_all_by_label("α").count() > 0, "PReLU has an α slider");
    // with α = 0, PReLU is ReLU: its row now says so too
    tab::<GalleryLab>(&mut h).settings.alpha = 0.0;
    h.step();
    h.step();
    // ReLU, PReLU and ELU (the two share the one α): all three flat on the negative half-line at α = 0
    assert_eq!(h.query_all_by_label("x < 0.0").count(), 3);
    // σ′ peaks at 0.25: the table's max f′ column, computed from f′
    h.get_by_label("0.250");
}

#[test]
fn the_zigzag_counts_on_screen_are_the_cores() {
    let mut h = harness("Activations");
    let s = tab::<GalleryLab>(&mut h).settings.clone();
    let pos = gallery::zigzag(Inputs::Positive, s.lr, s.steps, s.seed);
    let cen = gallery::zigzag(Inputs::Centred, s.lr, s.steps, s.seed);
    h.get_by_label(&format!(
        "all-positive inputs: {} steps, path {:.2} long · centred inputs: {} steps, path {:.2} long",
        pos.len() - 1,
        gallery::path_length(&pos),
        cen.len() - 1,
        gallery::path_length(&cen)
    ));
}

#[test]
fn new_weights_give_a_new_stack_whose_outputs_equal_its_one_matrix() {
    let mut h = harness("Without non-linearities");
    h.get_by_label("New weights").click();
    h.step();
    h.step();
    let s = tab::<LinearityLab>(&mut h).settings.clone();
    assert_eq!(s.seed, 1);
    let layers = linearity::layers(&s);
    let c = linearity::collapse(&layers);
    for p in POINTS {
        // the stack's output and W′x + b′, each in its own cell: the same text twice
        let text = format!("{}", linearity::forward(&layers, None, p));
        assert_eq!(text, format!("{}", c.apply(&p)[0]));
        assert!(h.query_all_by_label(&text).count() >= 2, "{text} in both columns");
    }
}

#[test]
fn a_deeper_stack_still_collapses_to_one_row() {
    let mut h = harness("Without non-linearities");
    tab::<LinearityLab>(&mut h).settings.depth = 5;
    h.step();
    h.step();
    h.get_by_label("W₅ | b₅");
    h.get_by_label("W' = W_L...W₁ | b'");
    let s = tab::<LinearityLab>(&mut h).settings.clone();
    let c = linearity::collapse(&linearity::layers(&s));
    assert_eq!((c.rows, c.cols), (1, 2));
}

#[test]
fn the_initialization_table_is_init_stats_output() {
    let mut h = harness("Initialization");
    let small = init::Settings { depth: 4, width: 60, samples: 80, ..init::Settings::default() };
    tab::<InitLab>(&mut h).settings = small.clone();
    until_computed(&mut h);
    // the window shows the command line that computes the same numbers; run it
    let line = small.command();
    h.get_by_label(&line);
    let command = Cli::try_parse_from(format!("{line} --json").split(' ')).expect("parses").command.expect("a command");
    let mut out = Vec::new();
    assert_eq!(run(command, &mut out), 0);
    let json: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    for l in json["layers"].as_array().expect("layers") {
        for key in ["mean", "std"] {
            h.get_by_label(&format!("{:.6}", l[key].as_f64().expect("a number")));
        }
        h.get_by_label(&format!("{:.2e}", l["grad_std"].as_f64().expect("a number")));
    }
}

#[test]
fn choosing_he_and_relu_reruns_and_a_bad_scale_is_refused_and_kept() {
    let mut h = harness("Initialization");
    tab::<InitLab>(&mut h).settings = init::Settings { depth: 3, width: 40, samples: 50, ..init::Settings::default() };
    until_computed(&mut h);
    h.get_by_label("relu").click();
    h.step();
    h.get_by_label("He").click();
    h.step();
    let s = tab::<InitLab>(&mut h).settings.clone();
    assert_eq!((s.activation.as_str(), s.init.as_str()), ("relu", "he"));
    until_computed(&mut h);
    let want = init::run(&s).expect("runs");
    h.get_by_label(&format!("{:.6}", want[2].std));
    // a typed scale that is not a number: said so, the text kept, the settings unchanged
    h.get_by_role(Role::TextInput).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_role(Role::TextInput).type_text("abc");
    h.step();
    h.step();
    h.get_by_label("'abc': a scale from 0 to 100");
    assert_eq!(tab::<InitLab>(&mut h).scale_text, "abc");
    assert_eq!(tab::<InitLab>(&mut h).settings.init, "he");
}

#[test]
fn the_moving_average_at_step_one_with_and_without_correction() {
    let mut h = harness("Moving averages");
    h.get_by_label("constant").click();
    h.step();
    tab::<EwmaLab>(&mut h).settings.noise = 0.0;
    h.step();
    h.step();
    // θ = 10 throughout, β = 0.9: V₁ = 0.1 · 10 = 1, corrected 1 / (1 − 0.9) = 10
    h.get_by_label("at step 1: V₁ = 1.0000, corrected V₁/(1 − β) = 10.0000, the sample θ₁ = 10.0000");
    h.get_by_label_contains("effective window 1/(1 − β) = 10.0 samples");
}

#[test]
fn momentums_buffer_on_screen_is_the_average() {
    let mut h = harness("Moving averages");
    let s = ewma::Settings { beta: 0.5, ..tab::<EwmaLab>(&mut h).settings.clone() };
    tab::<EwmaLab>(&mut h).settings = s.clone();
    h.step();
    h.step();
    let c = tab::<EwmaLab>(&mut h).curves().clone();
    assert_eq!(c.average, ewma::average(&ewma::samples(&s), 0.5, false));
    let gap = c.average.iter().zip(&c.momentum).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(gap < 1e-12);
    h.get_by_label_contains(&format!("differs from V by at most {gap:.1e}"));
    h.get_by_label_contains("effective window 1/(1 − β) = 2.0 samples");
}

/// Replaces the lesson's answer field's text with `text` and presses Check.
fn answer(h: &mut Harness<'static, App>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Your answer:").focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Your answer:").type_text(text);
    h.step();
    h.get_by_label("Check").click();
    h.step();
    h.step();
}

#[test]
fn the_labs_lesson_hides_each_asked_number_until_it_is_answered() {
    let mut h = harness("Activations");
    h.get_by_label("Lessons").click();
    h.step();
    h.get_by_label_contains("Labs: activations").click();
    h.step();
    h.step();
    // step 1: tanh′(2); the max-slope cell of tanh is hidden, shown after a right answer
    h.get_by_label("What is tanh'(2)? Predict from 1 − tanh², then check.");
    h.get_by_label("?");
    answer(&mut h, "0.0707");
    h.get_by_label_contains("Right");
    assert!(h.query_by_label("?").is_none());
    // step 2: W′ hidden until answered
    h.get_by_label("Next >").click();
    h.step();
    h.step();
    h.get_by_label("W' | b' = ?  (answer first)");
    let want = linearity::collapse(&linearity::layers(&linearity::Settings::default())).w[0];
    answer(&mut h, &want.to_string());
    h.get_by_label("W' = W_L...W₁ | b'");
    // step 3: the initialization table hidden until answered; 0 to three decimals is right
    h.get_by_label("Next >").click();
    h.step();
    h.step();
    h.get_by_label("Predict first: answer the lesson's question, then the numbers appear.");
    answer(&mut h, "0");
    h.get_by_label_contains("Right");
    common::window::step_until(&mut h, 60, "the experiment", |h| {
        h.query_by_label("layer").is_some() && h.query_by_label("grad std").is_some()
    });
    // step 4: the averages hidden; after the answer the step-1 readout appears
    h.get_by_label("Next >").click();
    h.step();
    h.step();
    assert!(h.query_by_label_contains("at step 1: V₁").is_none());
    answer(&mut h, "2");
    h.get_by_label("at step 1: V₁ = 2.0000, corrected V₁/(1 − β) = 20.0000, the sample θ₁ = 20.0000");
}

/// Every text the last frame painted, with its font: (font, text) per section of each galley.
fn painted_texts(h: &Harness<'static, App>) -> Vec<(egui::FontId, String)> {
    fn walk(shape: &egui::Shape, out: &mut Vec<(egui::FontId, String)>) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            egui::Shape::Text(t) => {
                let job = &t.galley.job;
                for s in &job.sections {
                    out.push((s.format.font_id.clone(), job.text[s.byte_range.start.0..s.byte_range.end.0].to_owned()));
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    h.output().shapes.iter().for_each(|c| walk(&c.shape, &mut out));
    out
}

/// The characters of `text` that the window's fonts cannot draw in `font` (egui draws a box instead).
fn missing_glyphs(ctx: &egui::Context, font: &egui::FontId, text: &str) -> Vec<char> {
    ctx.fonts_mut(|f| text.chars().filter(|&c| !c.is_whitespace() && !f.has_glyph(font, c)).collect())
}

#[test]
fn every_character_the_labs_paint_is_in_the_windows_fonts() {
    let mut h = harness("Activations");
    let body = egui::FontId::proportional(14.0);
    // the check can fail: egui's default fonts (Ubuntu Light, Hack, egui's icons) have no ᵀ, and no → or ′ outside
    // the monospace Hack
    assert_eq!(missing_glyphs(&h.ctx, &body, "Wᵀ → f′ ₁₂"), ['ᵀ', '→', '′']);
    assert!(missing_glyphs(&h.ctx, &egui::FontId::monospace(14.0), "W₁ → f′").is_empty());
    let titles: Vec<&str> = common::window::labs(&mut h).tabs.iter().map(|t| t.title()).collect();
    for (i, title) in titles.into_iter().enumerate() {
        common::window::labs(&mut h).current = i;
        h.step();
        common::window::step_until(&mut h, 120, title, |h| {
            let labs = common::window::labs(h);
            !labs.tabs[labs.current].is_busy()
        });
        h.step();
        let texts = painted_texts(&h);
        assert!(texts.len() > 20, "{title}: {} texts painted", texts.len());
        for (font, text) in texts {
            let missing = missing_glyphs(&h.ctx, &font, &text);
            assert!(missing.is_empty(), "the {title} lab paints {missing:?} in '{text}' ({font:?})");
        }
    }
}

#[test]
fn every_lesson_text_and_lab_hint_is_in_the_windows_fonts() {
    let mut h = harness("Activations");
    h.step();
    let body = egui::FontId::proportional(14.0);
    let code = egui::FontId::monospace(14.0);
    fn strings(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) => out.push((key.to_owned(), s.clone())),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, key, out)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| strings(v, k, out)),
            _ => {}
        }
    }
    let mut checked = 0;
    for (file, text) in chainrule::lesson::SHIPPED {
        let lesson = chainrule::lesson::check_text_quick(std::path::Path::new(file), text).lesson.expect("parses");
        let mut texts = Vec::new();
        strings(&serde_json::to_value(&lesson).expect("plain data"), "", &mut texts);
        for step in &lesson.steps {
            if let (Some(lab), Some(chainrule::lesson::Question::Lab { quantity, .. })) = (&step.lab, &step.question) {
                texts.push(("hint".into(), lab.lab().hint(quantity)));
                texts.push(("quantities".into(), lab.lab().quantities().into()));
            }
        }
        for (key, s) in texts {
            // programs are shown in the editor's monospace font; everything else in the body's
            let font = if key == "program" { &code } else { &body };
            let missing = missing_glyphs(&h.ctx, font, &s);
            assert!(missing.is_empty(), "{file}: {key} has {missing:?} in '{s}'");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} lesson texts");
    // every lab's hints, for each kind of quantity it has (the hint depends on the quantity's kind only)
    let steps: [(&str, &[&str]); 7] = [
        ("gallery", &["value:1", "slope:1", "max_slope", "zigzag_steps", "zigzag_distance"]),
        ("linearity", &["w_prime:1", "b_prime"]),
        ("init", &["mean:1", "std:1", "grad_std:1"]),
        ("ewma", &["average:1", "corrected:1", "window"]),
        ("preprocessing", &["cov:raw:12", "final_loss:raw"]),
        ("batchnorm", &["std:10", "mean:10", "plain_std:10", "grad_change:plain"]),
        ("dropout", &["keep", "kept_scale"]),
    ];
    for (name, quantities) in steps {
        let step: chainrule::labs::LabStep = toml::from_str(&format!("name = \"{name}\"")).expect("defaults");
        for q in quantities {
            let hint = step.lab().hint(q);
            let missing = missing_glyphs(&h.ctx, &body, &hint);
            assert!(missing.is_empty(), "the {name} lab's hint for {q} has {missing:?}: '{hint}'");
        }
    }
}
