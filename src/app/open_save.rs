//! The program file's flow through the window: Open and Save (through the file dialogs), the unsaved-changes
//! prompt that stands before closing or opening another file, files dropped on the window, and model files shown as
//! graphs. The frame queues these as [`super::Command`]s; they run here, after drawing.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{App, Command, MAX_DRAWN_PARAMETERS, backprop, files};
use files::Document;

/// What waits for an answer to the unsaved-changes prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// Closing the window.
    Close,
    /// Opening a file (`None`: ask for it with the open dialog).
    Open(Option<PathBuf>),
}

impl App {
    pub(super) fn program_view(&self) -> Option<usize> {
        self.views.iter().position(|v| v.as_any().is::<backprop::BackpropView>())
    }

    pub(super) fn program_text(&self) -> Option<&str> {
        let view = self.program_view().and_then(|i| self.views[i].as_any().downcast_ref::<backprop::BackpropView>());
        view.map(backprop::BackpropView::program)
    }

    pub(super) fn is_dirty(&self) -> bool {
        self.program_text().is_some_and(|t| self.document.is_dirty(t))
    }
    /// A `.cr` file dropped on the window opens (after the unsaved-changes prompt), a `.safetensors` model shows
    /// its network (on the playground: trains on from its weights), a `.csv` table becomes the playground's data;
    /// anything else is refused in words.
    pub(super) fn dropped_files(&mut self, ui: &egui::Ui) {
        let dropped = ui.input(|i| i.raw.dropped_files.clone());
        for file in dropped {
            let path = file.path().to_path_buf();
            let is = |ext: &str| path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext));
            if is("cr") {
                self.commands.push(Command::OpenPath(path));
            } else if is("safetensors") && self.views[self.current].id() == "playground" {
                // on the playground, a model is trained on from its weights
                if let Some(v) = self.view_mut::<super::playground::PlaygroundView>() {
                    v.push(super::playground::Action::OpenModelPath(path));
                }
            } else if is("safetensors") {
                self.commands.push(Command::OpenModel(path));
            } else if is("csv") {
                self.commands.push(Command::OpenCsv(path));
            } else {
                self.status.error(format!(
                    "{} is not a program file or a model: chainrule opens .cr files (the text `chainrule eval @file` \
                     reads), .safetensors models (`chainrule train --save`) and .csv tables (the playground's data).",
                    path.display()
                ));
            }
        }
    }

    /// Goes on with `pending` at once if nothing is unsaved, or asks first.
    pub(super) fn ask_then(&mut self, pending: Pending, ctx: &egui::Context) {
        if self.is_dirty() {
            self.prompt = Some(pending);
        } else {
            self.proceed(pending, ctx);
        }
    }

    fn proceed(&mut self, pending: Pending, ctx: &egui::Context) {
        match pending {
            Pending::Close => {
                self.close_allowed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Pending::Open(Some(path)) => self.open(&path),
            Pending::Open(None) => {
                match self.dialogs.pick_open("Open a program", files::PROGRAMS, self.folder.as_deref()) {
                    Some(path) => self.open(&path),
                    None => {
                        if let Some(why) = files::no_file_message(&*self.dialogs) {
                            self.status.error(why);
                        }
                    }
                }
            }
        }
    }

    /// Opens a program file in the view that edits programs, and switches to it.
    fn open(&mut self, path: &Path) {
        let Some(i) = self.program_view() else { return };
        match files::read_program(path) {
            Ok(text) => {
                self.current = i;
                if let Some(view) = self.views[i].as_any_mut().downcast_mut::<backprop::BackpropView>() {
                    view.open_program(&text, &mut self.view_status[i]);
                }
                self.document = Document { path: Some(path.to_path_buf()), saved: text };
                self.recent.touch(path);
                self.folder = path.parent().map(Path::to_path_buf);
                self.status.info(format!("Opened {}.", path.display()));
            }
            Err(e) => {
                self.recent.forget(path);
                self.status.error(e);
            }
        }
    }

    /// Shows a model file's network in the backprop view, unrolled into scalars at the input 0 (class 0). The file
    /// is checked before anything is built from it; a refused one is named in the status line with its reason.
    pub(super) fn open_model(&mut self, path: &Path) {
        let refused = |e: &dyn std::fmt::Display| format!("The model was not opened: {e}");
        let meta = match crate::nn::store::inspect(path, None) {
            Ok(meta) => meta,
            Err(e) => return self.status.error(refused(&e)),
        };
        let parameters = meta.spec.parameter_count();
        if parameters > MAX_DRAWN_PARAMETERS {
            return self.status.error(format!(
                "The model {} has {parameters} parameters; the window draws networks of up to \
                 {MAX_DRAWN_PARAMETERS} as scalar graphs (`chainrule predict --model` reads it).",
                path.display()
            ));
        }
        let (mlp, _) = match crate::nn::Mlp::<f64>::open(path, None) {
            Ok(opened) => opened,
            Err(e) => return self.status.error(refused(&e)),
        };
        let x = vec![0.0; mlp.spec.inputs];
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(0);
        let net = mlp.scalar_graph(&x, &[0], crate::nn::Mode::Eval, &mut rng);
        let backprop = self
            .views
            .iter_mut()
            .enumerate()
            .find_map(|(i, v)| (**v).as_any_mut().downcast_mut::<backprop::BackpropView>().map(|view| (i, view)));
        if let Some((i, view)) = backprop {
            view.open_graph(net.graph, net.loss, net.groups);
            self.current = i;
            self.status.info(format!(
                "Opened the model {} ({}, {parameters} parameters): its graph at the input 0, class 0.",
                path.display(),
                meta.spec.describe()
            ));
        }
    }

    /// Saves the program to its file, or to one asked for (always with `ask`). Returns whether it was saved.
    pub(super) fn save(&mut self, ask: bool) -> bool {
        let Some(text) = self.program_text().map(str::to_owned) else { return false };
        let path = match (&self.document.path, ask) {
            (Some(p), false) => p.clone(),
            _ => {
                let name = self.document.name().unwrap_or_else(|| "program.cr".into());
                match self.dialogs.pick_save("Save the program", files::PROGRAMS, self.folder.as_deref(), &name) {
                    Some(p) => files::with_extension(p, "cr"),
                    None => {
                        if let Some(why) = files::no_file_message(&*self.dialogs) {
                            self.status.error(why);
                        }
                        return false;
                    }
                }
            }
        };
        match files::write_program(&path, &text) {
            Ok(()) => {
                self.status.info(format!("Saved {}.", path.display()));
                self.recent.touch(&path);
                self.folder = path.parent().map(Path::to_path_buf);
                self.document = Document { path: Some(path), saved: text };
                true
            }
            Err(e) => {
                self.status.error(e);
                false
            }
        }
    }

    /// The unsaved-changes prompt: Save changes, Don't save or Cancel.
    pub(super) fn prompt_ui(&mut self, ctx: &egui::Context) {
        let name = self.document.name().unwrap_or_default();
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui| {
            ui.set_max_width(380.0);
            ui.heading(format!("Save the changes to {name}?"));
            ui.label(
                "The program in the editor differs from the file. Without saving, the changes stay in the editor \
                      but not in the file.",
            );
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button("Save changes").clicked() {
                    answer = Some(0);
                }
                if ui.button("Don't save").clicked() {
                    answer = Some(1);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(2);
                }
            });
        });
        if modal.should_close() && answer.is_none() {
            answer = Some(2);
        }
        let Some(answer) = answer else { return };
        let pending = self.prompt.take().expect("the prompt is shown only with a question");
        match answer {
            0 if !self.save(false) => {} // the save failed or was cancelled: stay
            0 | 1 => self.proceed(pending, ctx),
            _ => {}
        }
    }
}

/// While a file is dragged over the window: what dropping it does.
pub(super) fn drop_hint_ui(ctx: &egui::Context) {
    let layer = egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop_hint"));
    let painter = ctx.layer_painter(layer);
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(150));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a .cr program file to open it, or a .safetensors model to see its network",
        egui::FontId::proportional(24.0),
        egui::Color32::WHITE,
    );
}
