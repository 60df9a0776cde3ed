//! The landscape view, driven headless through egui_kittest by the labels a learner sees: opened from the playground
//! with its network (the grid is the core's, number for number), the directions switched (the race kept, the plane
//! changed), two optimizers racing on the network with their off-plane distances on the board, a racer's rule
//! changed, and the race view's "this network" opening it with the race's racers.

mod common;

use chainrule::app::App;
use chainrule::app::landscape::LandscapeView;
use chainrule::app::playground::PlaygroundView;
use chainrule::nn::landscape::{self, Directions, Problem, Progress, RaceConfig, Request};
use chainrule::surface::RacerSetup;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn view<'h>(h: &'h mut Harness<'static, App>) -> &'h mut LandscapeView {
    h.state_mut().view_mut::<LandscapeView>().expect("the landscape view is registered")
}

/// Frames until the landscape's worker has delivered.
fn until_ready(h: &mut Harness<'static, App>) {
    common::window::step_until(h, 120, "the landscape", |h| !view(h).is_computing() && view(h).result.is_some());
    h.run();
}

/// The window with the playground's network opened in the landscape view by its "Landscape" button, on a small
/// grid and a short race so that the tests stay quick.
fn opened() -> Harness<'static, App> {
    opened_with(common::window::harness(), None)
}

/// [`opened`] in the window `h`, with the first racer's rule set to `first` when given.
fn opened_with(mut h: Harness<'static, App>, first: Option<&str>) -> Harness<'static, App> {
    h.run();
    {
        let v = view(&mut h);
        v.settings.grid = 9;
        v.settings.steps = 40;
        if let Some(spec) = first {
            v.settings.racers[0].spec = spec.parse().expect("a valid spec");
        }
    }
    h.get_by_label("Playground").click();
    h.run();
    // the playground's button (the navigation has a "Landscape" entry too, drawn before the view)
    h.get_all_by_label("Landscape").last().expect("the playground's button").click();
    h.run();
    until_ready(&mut h);
    h
}

#[test]
fn the_playgrounds_button_opens_its_network_and_the_grid_is_the_cores() {
    let mut h = opened();
    h.get_by_label("Racers on the network");
    let (net, x, y, batch) = {
        let p = h.state_mut().view_mut::<PlaygroundView>().expect("the playground");
        (p.network().clone(), p.data.train.x.clone(), p.data.train.y.clone(), p.settings.setup.batch)
    };
    let v = view(&mut h);
    let l = v.result.clone().expect("a landscape");
    // the same computation in the core, from the playground's network and data
    let racers = v.settings.racers.iter().map(|r| RacerSetup { spec: r.spec, schedule: r.schedule }).collect();
    let request = Request {
        directions: Directions::Random,
        size: 9,
        span: None,
        race: RaceConfig { racers, steps: 40, batch, seed: 0 },
        seed: 0,
    };
    let mut problem = Problem::new(net, &x, &y).expect("fits");
    let want = landscape::compute(&mut problem, &request, None, &Progress::default()).expect("computes").expect("ran");
    assert_eq!(l.grid, want.grid);
    assert_eq!(l.paths, want.paths);
    assert_eq!(l.grid.at(4, 4), l.origin_loss, "the centre is the playground's weights");
}

#[test]
fn switching_directions_keeps_the_race_and_changes_the_plane() {
    let mut h = opened();
    let before = view(&mut h).result.clone().expect("a landscape");
    h.get_by_label("pca").click();
    h.run();
    until_ready(&mut h);
    let pca = view(&mut h).result.clone().expect("a landscape");
    assert_eq!(pca.trajectories, before.trajectories, "the race is not run again");
    assert_eq!(pca.plane.names, ["PC1".to_string(), "PC2".to_string()]);
    let [e1, e2] = pca.plane.explained.expect("pca explains");
    assert!(e1 >= e2 && e1 + e2 <= 1.0 + 1e-9);
    h.get_by_label_contains("of the path's variance");
    // the first racer's path ends at the plane's origin
    let last = *pca.paths[0].last().expect("a path");
    assert!(last.alpha.abs() < 1e-6 && last.beta.abs() < 1e-6 && last.off_plane < 1e-6, "{last:?}");

    h.get_by_label("weights").click();
    h.run();
    until_ready(&mut h);
    let w = view(&mut h).result.clone().expect("a landscape");
    assert_eq!(w.plane.names, ["0.weight[0,0]".to_string(), "0.weight[0,1]".to_string()]);
    h.get_by_label_contains("θ + α·0.weight[0,0] + β·0.weight[0,1]");
}

#[test]
fn two_optimizers_race_on_the_network_with_their_distance_off_the_plane() {
    let mut h = opened();
    let l = view(&mut h).result.clone().expect("a landscape");
    assert_eq!(l.trajectories.len(), 2);
    for (t, p) in l.trajectories.iter().zip(&l.paths) {
        assert_eq!(p.len(), 41);
        assert!(t.losses[40] < t.losses[0], "{} descends", t.setup.spec);
        assert!(p[40].off_plane > 0.0, "training leaves a random plane");
    }
    // the leaderboard names both, and each path's end says how far off the plane it is
    h.get_by_label("sgd:lr=0.1,momentum=0.9"); // whole: the board has room for it
    h.get_by_label("adam:lr=0.01");
    h.get_by_label("off plane");
    for p in &l.paths {
        let shown = chainrule::app::race::loss::fmt_short(p[40].off_plane);
        assert!(h.get_all_by_label(&shown).count() >= 1, "{shown} on the board");
    }
    // a racer's rule changed in its field races again
    h.get_all_by_role_and_label(egui::Role::TextInput, "2").next().expect("the second racer's field").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_all_by_role_and_label(egui::Role::TextInput, "2").next().expect("focused").type_text("adam:lr=0.015");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    until_ready(&mut h);
    let l = view(&mut h).result.clone().expect("a landscape");
    assert_eq!(l.trajectories[1].setup.spec.to_string(), "adam:lr=0.015");
}

#[test]
fn a_long_spec_is_shown_whole_on_the_board_at_1280_by_720() {
    let small = Harness::builder()
        .with_size(egui::vec2(1280.0, 720.0))
        .build_ui_state(|ui, app: &mut App| app.ui_body(ui), App::default());
    let mut h = opened_with(small, Some("sgd:lr=0.05,momentum=0.9"));
    let l = view(&mut h).result.clone().expect("a landscape");
    assert_eq!(l.trajectories[0].setup.spec.to_string(), "sgd:lr=0.05,momentum=0.9");
    // the board's name cell, whole, and inside the window with the rest of its row
    let name = h.get_by_label("sgd:lr=0.05,momentum=0.9");
    let window = h.ctx.content_rect();
    assert!(window.contains_rect(name.rect()), "{:?} inside {window:?}", name.rect());
    let status = h.get_all_by_label("ran").map(|n| n.rect()).collect::<Vec<_>>();
    assert_eq!(status.len(), 2, "both racers' status");
    for r in status {
        assert!(window.contains_rect(r), "the status column {r:?} inside {window:?}");
    }
    // no cut copy of either name
    let whole = |h: &Harness<'static, App>, name: &str| h.query_all_by_label(name).count();
    let all = |h: &Harness<'static, App>, start: &str| h.query_all_by_label_contains(start).count();
    assert_eq!(all(&h, "sgd:lr=0.05"), whole(&h, "sgd:lr=0.05,momentum=0.9"), "the sgd name is never cut");
    assert_eq!(all(&h, "adam:lr="), whole(&h, "adam:lr=0.01"), "the adam name is never cut");
}

#[test]
fn the_race_views_this_network_opens_it_with_the_races_racers() {
    let mut h = common::window::harness();
    h.run();
    view(&mut h).settings.grid = 5;
    view(&mut h).settings.steps = 10;
    h.get_by_label("Race").click();
    h.run();
    let racers: Vec<String> = h
        .state_mut()
        .view_mut::<chainrule::app::race::RaceView>()
        .expect("the race")
        .settings
        .racers
        .iter()
        .map(|r| r.spec.to_string())
        .collect();
    h.get_by_label("this network").click();
    h.run();
    until_ready(&mut h);
    h.get_by_label("Racers on the network");
    let l = view(&mut h).result.clone().expect("a landscape");
    let got: Vec<String> = l.trajectories.iter().map(|t| t.setup.spec.to_string()).collect();
    assert_eq!(got, racers);
}

use eframe::egui;
