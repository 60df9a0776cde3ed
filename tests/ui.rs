//! The window, driven headless through egui_kittest by the labels a learner sees: presets, stepping, the explanation's
//! numbers, live leaf edits, a malformed program, the keyboard, the fused/expanded toggle and the exports.

use chainrule::app::App;
use chainrule::app::backprop::Action;
use eframe::egui::{self, Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common;
use common::window::{harness, harness_of, view};

fn load_preset(h: &mut Harness<'static, App>, name: &str) {
    h.get_by_label("Presets").click();
    h.run();
    h.get_by_label(name).click();
    h.run();
}

#[test]
fn stepping_forward_to_q_explains_the_add_gate() {
    let mut h = harness();
    h.run();
    // the lecture circuit: x, y, z, then q = x + y
    for _ in 0..4 {
        h.get_by_label("Step >").click();
        h.run();
    }
    assert_eq!(view(&mut h).cursor(), 4);
    h.get_by_label("q = x + y = (-2) + 5 = 3");
    h.get_by_label_contains("Forward step 4: q, the + gate");
}

#[test]
fn stepping_backward_to_q_shows_the_chain_rule_with_numbers() {
    let mut h = harness();
    h.run();
    // 5 forward steps, then f's backward step and q's
    for _ in 0..7 {
        h.get_by_label("Step >").click();
        h.run();
    }
    h.get_by_label("∂f/∂x = upstream (-4) × local 1 = -4");
    h.get_by_label("∂f/∂y = upstream (-4) × local 1 = -4");
    h.get_by_label("Rule: add distributes the gradient: each input gets the upstream gradient unchanged.");
    h.get_by_label("local for x: 1");
    // the pattern at the step where it happens, and the sign read as a nudge (slides 39-41)
    h.get_by_label("add distributes: the upstream (-4) passes unchanged, x and y each get it");
    h.get_by_label("∂f/∂q = -4: raising q a little lowers f about four times as much");
    // the inputs' gradients appear in the side panel as the backward pass reaches them
    h.get_by_label("∂f/∂x = -4");
    h.get_by_label("∂f/∂z = 3");
}

#[test]
fn a_preset_from_the_menu_replaces_the_program() {
    let mut h = harness();
    h.run();
    load_preset(&mut h, "Max gate");
    assert!(h.state().status().text.contains("Max gate"));
    // the output row shows f once the forward pass has computed it, as its card does
    h.get_by_label("f = ?");
    h.get_by_label("End >|").click();
    h.run();
    // f = 2(xy + max(z, w)) = -20
    h.get_by_label("f = -20");
    // max routes the whole gradient 2 to z and nothing to w
    h.get_by_label("∂f/∂z = 2");
    h.get_by_label("∂f/∂w = 0");
}

#[test]
fn an_accumulating_gradient_is_written_with_plus_equals() {
    let mut h = harness();
    h.run();
    load_preset(&mut h, "micrograd test_sanity_check");
    h.get_by_label("End >|").click();
    h.run();
    // x is used more than once: its gradient is summed, and ends at micrograd's 46
    h.get_by_label("∂y/∂x = 46");
    let v = view(&mut h);
    let accumulating = v.model.backward.steps.iter().position(|s| s.contributions.iter().any(|c| c.accumulates));
    let k = accumulating.expect("x is used more than once");
    let f = v.model.forward.steps.len();
    v.push(Action::Seek(f + k + 1));
    h.run();
    // the step of the add h + q: q already had -4 from q·x, so its gradient becomes -4 + 1 = -3
    h.get_by_label("∂y/∂q += upstream 1 × local 1 = 1  (total (-4) + 1 = -3)");
    h.get_by_label("+= : that operand is used more than once, so its gradient is the sum of what each use sends back.");
}

#[test]
fn editing_a_leaf_recomputes_the_graph_live() {
    let mut h = harness();
    h.run();
    h.get_by_label("End >|").click();
    h.run();
    h.get_by_label("f = -12");
    // slide 39: x = -2 + 1 gives f = ((-1) + 5)·(-4) = -16
    h.get_by_role_and_label(Role::SpinButton, "x").set_value_accesskit(-1.0);
    h.run();
    h.get_by_label("f = -16");
    assert_eq!(view(&mut h).settings.overrides.get("x"), Some(&-1.0));
}

#[test]
fn a_selected_input_is_edited_on_the_graph() {
    let mut h = harness();
    h.run();
    h.get_by_label("End >|").click();
    h.run();
    // select x (node 0), as a click on its card does: a value field appears under the card
    view(&mut h).push(Action::Select(Some(0)));
    h.run();
    h.get_by_role_and_label(Role::SpinButton, "x on the graph").set_value_accesskit(-1.0);
    h.run();
    h.get_by_label("f = -16");
}

#[test]
fn the_nudge_compares_prediction_and_truth() {
    let mut h = harness();
    h.run();
    // the prediction needs ∂f/∂x: at the end of the timeline it is known
    h.get_by_label("End >|").click();
    h.run();
    // x nudged by h = 1 (the defaults): -12 + (-4)·1 = -16, exactly the true value
    h.get_by_label("predicted  f + ∂f/∂x · h = (-12) + (-4) · 1 = -16");
    h.get_by_label("true       f(x + h) = -16");
    h.get_by_label("difference 0");
    h.get_by_label("f is linear in x here: the gradient predicts the change exactly.");
}

#[test]
fn a_malformed_program_shows_its_error_and_keeps_the_last_graph() {
    let mut h = harness();
    h.run();
    let before = view(&mut h).model.graph.len();
    view(&mut h).settings.source = "x = 1\ny = x +* 2".into();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    h.get_by_label_contains("Line 2, column 8");
    h.get_by_label("The graph still shows the last program that worked.");
    assert!(h.state().status().is_error);
    let v = view(&mut h);
    assert_eq!(v.model.graph.len(), before);
    assert!(v.error.is_some());
    // fixing it and applying shows the new graph
    v.settings.source = "x = 1\ny = x * 2".into();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    h.get_by_label("y = ?");
    h.get_by_label("End >|").click();
    h.run();
    h.get_by_label("y = 2");
    assert!(view(&mut h).error.is_none());
}

#[test]
fn the_first_nan_is_explained_where_it_happens() {
    let mut h = harness();
    h.run();
    view(&mut h).settings.source = "x = -1; y = 0; a = log(x); b = 1 / y; f = a + b".into();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    // the canvas marks a, the first NaN
    let a = view(&mut h).model.non_finite.as_ref().map(|t| (t.label.clone(), t.pass));
    assert_eq!(a, Some(("a".to_owned(), chainrule::scalar::Pass::Forward)));
    // x, y, a: the third forward step is the first NaN
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
        h.run();
    }
    h.get_by_label_contains("Forward step 3: a");
    h.get_by_label("A NaN or an infinity starts here: a = log(x): log of a negative number (-1) is undefined.");
    // b = 1 / y starts an infinity of its own; f only inherits them and says nothing
    h.key_press(Key::ArrowRight);
    h.run();
    h.get_by_label_contains("division by zero");
    h.key_press(Key::ArrowRight);
    h.run();
    h.get_by_label_contains("Forward step 5: f");
    assert!(h.query_by_label_contains("starts here").is_none());
}

#[test]
fn the_keyboard_steps_jumps_and_plays() {
    let mut h = harness();
    h.run();
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
        h.run();
    }
    assert_eq!(view(&mut h).cursor(), 3);
    h.key_press(Key::ArrowLeft);
    h.run();
    assert_eq!(view(&mut h).cursor(), 2);
    h.key_press(Key::End);
    h.run();
    assert_eq!(view(&mut h).cursor(), 10); // 5 forward + 5 backward steps
    h.key_press(Key::Home);
    h.run();
    assert_eq!(view(&mut h).cursor(), 0);
    h.key_press(Key::Space);
    h.step();
    assert!(view(&mut h).playing);
    h.key_press(Key::Space);
    h.step();
    assert!(!view(&mut h).playing);
}

#[test]
fn arrows_and_space_type_in_the_editor_instead_of_stepping() {
    let mut h = harness();
    h.run();
    h.get_by_role(Role::MultilineTextInput).focus();
    h.run();
    h.key_press(Key::ArrowRight);
    h.run();
    h.key_press(Key::Space);
    h.run();
    let v = view(&mut h);
    assert_eq!(v.cursor(), 0);
    assert!(!v.playing);
    assert!(v.settings.source.contains(' '), "the space went into the text");
}

#[test]
fn no_key_press_is_lost_when_several_arrive_in_one_frame() {
    let mut h = harness();
    h.run();
    // three presses and two auto-repeats, all before the next frame (10 ms apart at 60 frames a second)
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
    }
    for _ in 0..2 {
        h.event(egui::Event::Key {
            key: Key::ArrowRight,
            physical_key: None,
            pressed: true,
            repeat: true,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    assert_eq!(view(&mut h).cursor(), 5);
    h.key_press(Key::ArrowLeft);
    h.key_press(Key::ArrowLeft);
    h.run();
    assert_eq!(view(&mut h).cursor(), 3);
}

#[test]
fn ctrl_enter_or_esc_hands_the_keys_back_to_the_timeline_and_the_window_says_where_they_are() {
    for leave in [Some(Modifiers::COMMAND), None] {
        let mut h = harness();
        h.run();
        h.get_by_role(Role::MultilineTextInput).focus();
        h.run();
        assert!(h.ctx.text_edit_focused());
        h.get_by_label(chainrule::app::backprop::KEYS_IN_EDITOR);
        match leave {
            Some(m) => h.key_press_modifiers(m, Key::Enter),
            None => h.key_press(Key::Escape),
        }
        h.run();
        assert!(!h.ctx.text_edit_focused(), "the editor let go ({leave:?})");
        assert!(h.query_by_label(chainrule::app::backprop::KEYS_IN_EDITOR).is_none(), "the window says so");
        h.key_press(Key::ArrowRight);
        h.run();
        assert_eq!(view(&mut h).cursor(), 1, "the arrow steps the timeline ({leave:?})");
    }
}

#[test]
fn fused_gates_expand_and_keep_the_output() {
    let mut h = harness();
    h.run();
    load_preset(&mut h, "Sigmoid neuron (fused gate)");
    let (fused_len, value) = {
        let v = view(&mut h);
        (v.model.graph.len(), v.model.graph.value(v.model.output))
    };
    h.get_by_label("Expand fused gates").click();
    h.run();
    let v = view(&mut h);
    assert!(v.model.expanded && v.model.graph.len() > fused_len);
    assert!((v.model.graph.value(v.model.output) - value).abs() < 1e-15);
    // sigmoid(dot) = 1 / (1 + exp(-dot)): the exp gate appears
    assert!(v.model.graph.ids().any(|id| v.model.graph.op(id).short() == "exp"));
}

#[test]
fn the_gradient_check_colours_each_node_by_its_band() {
    let mut h = harness();
    h.run();
    h.get_by_label("Gradient check").click();
    h.run();
    // five nodes of the lecture circuit, all "good" at h = 1e-5
    assert_eq!(h.get_all_by_label_contains(" good").count(), 5);
    // selecting q plots its relative error against h
    h.get_by_label("q").click();
    h.run();
    assert_eq!(view(&mut h).settings.selected, Some(3));
    h.get_by_label("Relative error against h for q");
}

#[test]
fn the_gradient_check_calls_a_kink_a_kink() {
    let mut h = harness();
    h.run();
    view(&mut h).settings.source = "x = 0\nf = relu(x)".into();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.run();
    h.get_by_label("Gradient check").click();
    h.run();
    // relu at 0: the difference averages the slopes 0 and 1 (½), the analytic gradient is PyTorch's 0
    h.get_by_label("1.0e0 wrong (kink)");
    h.get_by_label_contains("x, kink: f = relu(x) has a kink at 0");
    h.get_by_label_contains("the analytic one takes PyTorch's slope at the kink (0)");
}

#[test]
fn dot_export_writes_the_file_and_says_where() {
    let mut h = harness();
    h.run();
    let path = std::env::temp_dir().join(format!("chainrule-ui-test-{}.dot", std::process::id()));
    let v = view(&mut h);
    v.settings.dot_path = path.display().to_string();
    v.push(Action::ExportDot);
    h.run();
    let text = std::fs::read_to_string(&path).expect("the DOT file was written");
    assert!(text.contains("digraph"));
    assert!(h.state().status().text.contains(&path.display().to_string()));
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_session_round_trips_through_storage() {
    let mut h = harness();
    h.run();
    load_preset(&mut h, "Karpathy's tanh neuron");
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
        h.run();
    }
    h.get_by_label("Dark theme").click();
    h.run();
    let session = h.state().session();
    assert!(session.dark);
    // the app restored from the stored text, run in a window of its own, shows what was left
    let stored = serde_json::to_string(&session).expect("a session serializes");
    let restored = App::new(serde_json::from_str(&stored).expect("and reads back"));
    let mut h = harness_of(restored);
    h.run();
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    h.get_by_label("Light theme");
    h.get_by_label_contains("Forward step 3:");
    let v = view(&mut h);
    assert_eq!(v.cursor(), 3);
    assert!(v.settings.applied.contains("tanh"));
}

#[test]
fn every_character_the_tutor_writes_has_a_glyph() {
    // the non-ASCII characters of the explanations, the formulas, versioned names (c₂) and the panels
    let used = "∂·−₀₁₂₃₄₅₆₇₈₉σ²×…—ε÷λ½≥≤∞√≈α";
    let ctx = egui::Context::default();
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        let font = egui::FontId::new(14.0, family);
        let missing: String = used.chars().filter(|&c| !ctx.fonts_mut(|f| f.has_glyph(&font, c))).collect();
        assert!(missing.is_empty(), "{:?} lacks {missing}", font.family);
    }
    let mut out = ctx.run_ui(Default::default(), |_| {});
    out.textures_delta.clear();
}

#[test]
fn folded_groups_come_back_after_a_restart() {
    let mut h = harness();
    h.run();
    // one layer of two neurons: groups l1, l1.n0 and l1.n1, none folded in a graph this small
    let program = "x = 1.5\nl1.n0.s = 0.5*x + 0.1\nl1.n0 = tanh(l1.n0.s)\nl1.n1.s = -0.3*x + 0.2\nl1.n1 = tanh(l1.n1.s)\n\
                   f = l1.n0 + l1.n1";
    view(&mut h).settings.source = program.into();
    h.run();
    h.get_by_label("Apply").click();
    h.run();
    h.get_by_label("fold l1.n0").click();
    h.run();
    let v = view(&mut h);
    let g = v.model.groups.find("l1.n0").expect("the group") as usize;
    assert!(v.model.folded[g]);
    assert_eq!(v.settings.folds, std::collections::BTreeMap::from([("l1.n0".to_owned(), true)]));

    let stored = h.state().session().to_json();
    let restored = App::new(serde_json::from_str(&stored).expect("reads back"));
    let mut h = harness_of(restored);
    h.run();
    assert!(view(&mut h).model.folded[g], "folded as it was left");
    h.get_by_label("unfold l1.n0");
    assert!(h.query_by_label("fold l1.n1").is_some(), "the other neuron stays open");

    // a new program opens as its size says: the old folds are not carried over
    view(&mut h).settings.source = format!("{program}\ng = f * 2");
    h.run();
    h.get_by_label("Apply").click();
    h.run();
    let v = view(&mut h);
    assert!(v.settings.folds.is_empty());
    assert!(!v.model.folded.iter().any(|&f| f));
}

/// Points at node `name` of the backprop view's graph and lets the tooltip open.
fn hover_node(h: &mut Harness<'static, App>, name: &str) {
    let pos = view(h).node_screen_pos(name).expect("the node was drawn");
    h.hover_at(pos);
    h.run();
    for _ in 0..30 {
        h.step();
    }
}

#[test]
fn before_the_timeline_reaches_a_number_no_panel_shows_it() {
    let mut h = harness();
    h.run();
    assert_eq!(view(&mut h).cursor(), 0);
    // at step 0 the tooltip, the output row and the nudge show no value and no gradient, as the cards and the
    // inputs list ("∂f/∂x = ?") do
    hover_node(&mut h, "q");
    h.get_by_label_contains("q = x + y\nvalue ?   gradient ?");
    h.get_by_label("∂f/∂x = ?");
    h.get_by_label("f = ?");
    assert!(h.query_by_label_contains("predicted").is_none(), "the nudge predicts with a gradient not yet computed");
    h.get_by_label_contains("needs ∂f/∂x: step the backward pass");
    // after the forward pass the values are known, the gradients still not
    view(&mut h).push(Action::Seek(5));
    h.run();
    hover_node(&mut h, "q");
    h.get_by_label_contains("value 3   gradient ?");
    h.get_by_label("f = -12");
    // the whole timeline: everything
    view(&mut h).push(Action::Seek(10));
    h.run();
    hover_node(&mut h, "q");
    h.get_by_label_contains("value 3   gradient -4");
    h.get_by_label_contains("predicted");
}
