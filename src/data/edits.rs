//! Points edited by hand on a 2-D set, as ConvNetJS's classifier demo lets a learner do: a click adds a point of a
//! chosen class, a drag moves one, a right-click deletes one. An edit is plain data ([`PointEdit`]) replayed, in
//! order, on the two parts of the split data ([`apply_edits`]), so a list of edits next to the generator's name and
//! seed is the whole data set, and saving it keeps the points added by hand.
//!
//! Undo and redo ([`History`]): the list of edits done is the data; undo moves its last edit onto a redo stack, redo
//! moves it back, and a new edit empties the redo stack (as every editor does). O(1) per edit; replaying k edits on
//! n points costs O(k + n) except deletions, which shift the rows after them: O(k · n) at worst.
//!
//! Indices: an added point goes to the end of the training part; a move or a deletion names its part and its row as
//! the data stood just before that edit.

use serde::{Deserialize, Serialize};

use super::{DataError, Dataset};

/// The most edits a data set keeps (a setup file holding more is refused before any is replayed).
pub const MAX_EDITS: usize = 10_000;

/// How far from the origin an edited point may lie (a point further out is a typo or a hostile file).
pub const MAX_COORD: f64 = 1e6;

/// Which part of the split data a point belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The training part.
    Train,
    /// The test part.
    Test,
}

/// One edit by hand.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PointEdit {
    /// A new training point at (x, y) of class `class`.
    Add {
        /// Its x.
        x: f64,
        /// Its y.
        y: f64,
        /// Its class index.
        class: usize,
    },
    /// Row `index` of `part` moved to (x, y).
    Move {
        /// The part.
        part: Part,
        /// The row, as the data stood before this edit.
        index: usize,
        /// The new x.
        x: f64,
        /// The new y.
        y: f64,
    },
    /// Row `index` of `part` deleted.
    Delete {
        /// The part.
        part: Part,
        /// The row, as the data stood before this edit.
        index: usize,
    },
}

/// Replays `edits` in order on the parts of a 2-D set (x, y in its two columns). The first edit that does not fit
/// (a row that is not there, a class the set has not, a point not finite or further than [`MAX_COORD`], a set that
/// is not 2-D) stops the replay with an error naming the edit (1-based), and the parts are left as they were.
pub fn apply_edits(train: &mut Dataset, test: &mut Dataset, edits: &[PointEdit]) -> Result<(), DataError> {
    if edits.is_empty() {
        return Ok(());
    }
    let bad = |k: usize, message: String| DataError::BadEdit { edit: k + 1, message };
    if edits.len() > MAX_EDITS {
        return Err(bad(MAX_EDITS, format!("{} edits by hand, more than the {MAX_EDITS} kept", edits.len())));
    }
    if train.d != 2 {
        return Err(DataError::FeaturesNeed2D { d: train.d });
    }
    let (mut tr, mut te) = (train.clone(), test.clone());
    let classes = tr.classes();
    let place = |x: f64, y: f64| x.is_finite() && y.is_finite() && x.abs() <= MAX_COORD && y.abs() <= MAX_COORD;
    for (k, e) in edits.iter().enumerate() {
        match *e {
            PointEdit::Add { x, y, class } => {
                if !place(x, y) {
                    return Err(bad(k, format!("the point ({x}, {y}) is not within ±{MAX_COORD:e}")));
                }
                if !tr.targets.is_empty() {
                    return Err(bad(
                        k,
                        "a regression set's values come from its formula or file: no points by hand".into(),
                    ));
                }
                if class >= classes {
                    return Err(bad(k, format!("class {class}, and the set has {classes}")));
                }
                tr.x.extend([x, y]);
                tr.y.push(class);
            }
            PointEdit::Move { part, index, x, y } => {
                if !place(x, y) {
                    return Err(bad(k, format!("the point ({x}, {y}) is not within ±{MAX_COORD:e}")));
                }
                let d = if part == Part::Train { &mut tr } else { &mut te };
                if index >= d.n() {
                    return Err(bad(k, format!("no {} point {index} to move (there are {})", name(part), d.n())));
                }
                d.x[2 * index..2 * index + 2].copy_from_slice(&[x, y]);
            }
            PointEdit::Delete { part, index } => {
                let d = if part == Part::Train { &mut tr } else { &mut te };
                if index >= d.n() {
                    return Err(bad(k, format!("no {} point {index} to delete (there are {})", name(part), d.n())));
                }
                d.x.drain(2 * index..2 * index + 2);
                d.y.remove(index);
                if !d.targets.is_empty() {
                    d.targets.remove(index);
                }
            }
        }
    }
    (*train, *test) = (tr, te);
    Ok(())
}

fn name(part: Part) -> &'static str {
    match part {
        Part::Train => "training",
        Part::Test => "test",
    }
}

/// Undo and redo over a list of edits (the list itself is kept by its owner, e.g. a playground setup).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    redo: Vec<PointEdit>,
}

impl History {
    /// Does `edit`: appends it to `done` and forgets what could be redone. Refused past [`MAX_EDITS`].
    pub fn edit(&mut self, done: &mut Vec<PointEdit>, edit: PointEdit) -> Result<(), DataError> {
        if done.len() >= MAX_EDITS {
            return Err(DataError::BadEdit {
                edit: done.len() + 1,
                message: format!("the data keeps at most {MAX_EDITS} edits by hand"),
            });
        }
        done.push(edit);
        self.redo.clear();
        Ok(())
    }

    /// Takes back the last edit of `done`; false when there is none.
    pub fn undo(&mut self, done: &mut Vec<PointEdit>) -> bool {
        match done.pop() {
            Some(e) => {
                self.redo.push(e);
                true
            }
            None => false,
        }
    }

    /// Does again the edit last taken back; false when there is none.
    pub fn redo(&mut self, done: &mut Vec<PointEdit>) -> bool {
        match self.redo.pop() {
            Some(e) => {
                done.push(e);
                true
            }
            None => false,
        }
    }

    /// Edits that can be redone.
    pub fn redoable(&self) -> usize {
        self.redo.len()
    }

    /// Forgets what could be redone (when the edits no longer apply to the data, e.g. other data was chosen).
    pub fn clear(&mut self) {
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(points: &[(f64, f64, usize)]) -> Dataset {
        Dataset {
            x: points.iter().flat_map(|&(x, y, _)| [x, y]).collect(),
            y: points.iter().map(|p| p.2).collect(),
            d: 2,
            feature_names: vec!["x".into(), "y".into()],
            class_names: vec!["-1".into(), "+1".into()],
            targets: Vec::new(),
        }
    }

    #[test]
    fn edits_replay_in_order() {
        let (mut tr, mut te) = (plane(&[(0.0, 0.0, 0), (1.0, 1.0, 1)]), plane(&[(5.0, 5.0, 1)]));
        let edits = [
            PointEdit::Add { x: 2.0, y: -2.0, class: 1 },
            // row 0 deleted: the added point is now row 1
            PointEdit::Delete { part: Part::Train, index: 0 },
            PointEdit::Move { part: Part::Train, index: 1, x: 3.0, y: 3.0 },
            PointEdit::Move { part: Part::Test, index: 0, x: -5.0, y: 4.0 },
        ];
        apply_edits(&mut tr, &mut te, &edits).expect("fits");
        assert_eq!(tr.x, vec![1.0, 1.0, 3.0, 3.0]);
        assert_eq!(tr.y, vec![1, 1]);
        assert_eq!(te.x, vec![-5.0, 4.0]);
    }

    #[test]
    fn an_edit_that_does_not_fit_is_named_and_changes_nothing() {
        let (tr0, te0) = (plane(&[(0.0, 0.0, 0)]), plane(&[]));
        let check = |edits: &[PointEdit], want: &str| {
            let (mut tr, mut te) = (tr0.clone(), te0.clone());
            let e = apply_edits(&mut tr, &mut te, edits).expect_err("refused").to_string();
            assert!(e.contains(want), "{e}");
            assert_eq!((tr, te), (tr0.clone(), te0.clone()));
        };
        let add = PointEdit::Add { x: 1.0, y: 1.0, class: 1 };
        check(&[add, PointEdit::Delete { part: Part::Test, index: 0 }], "(edit 2): no test point 0 to delete");
        check(&[PointEdit::Move { part: Part::Train, index: 1, x: 0.0, y: 0.0 }], "(edit 1): no training point 1");
        check(&[PointEdit::Add { x: 0.0, y: 0.0, class: 2 }], "class 2, and the set has 2");
        check(&[PointEdit::Add { x: f64::NAN, y: 0.0, class: 0 }], "not within");
        check(&[PointEdit::Add { x: 2e6, y: 0.0, class: 0 }], "not within");
        check(&vec![add; MAX_EDITS + 1], "more than the 10000 kept");
    }

    #[test]
    fn undo_and_redo() {
        let mut done = Vec::new();
        let mut h = History::default();
        let (a, b, c) = (
            PointEdit::Add { x: 1.0, y: 0.0, class: 0 },
            PointEdit::Add { x: 2.0, y: 0.0, class: 1 },
            PointEdit::Delete { part: Part::Train, index: 0 },
        );
        h.edit(&mut done, a).expect("room");
        h.edit(&mut done, b).expect("room");
        assert!(h.undo(&mut done));
        assert_eq!((done.as_slice(), h.redoable()), (&[a][..], 1));
        assert!(h.redo(&mut done));
        assert_eq!(done, vec![a, b]);
        assert!(!h.redo(&mut done), "nothing left to redo");
        assert!(h.undo(&mut done) && h.undo(&mut done));
        assert!(!h.undo(&mut done), "nothing left to undo");
        assert!(h.redo(&mut done));
        // a new edit forgets the redo stack: b is gone for good
        h.edit(&mut done, c).expect("room");
        assert_eq!((done.clone(), h.redoable()), (vec![a, c], 0));
        assert!(!h.redo(&mut done));
        let mut full = vec![a; MAX_EDITS];
        assert!(h.edit(&mut full, a).is_err());
        assert_eq!(full.len(), MAX_EDITS);
    }

    #[test]
    fn edits_round_trip_as_json() {
        let edits = vec![
            PointEdit::Add { x: 1.5, y: -0.25, class: 1 },
            PointEdit::Move { part: Part::Test, index: 3, x: 0.0, y: 1.0 },
            PointEdit::Delete { part: Part::Train, index: 7 },
        ];
        let text = serde_json::to_string(&edits).expect("plain data");
        assert!(text.contains("\"delete\":{\"part\":\"train\",\"index\":7}"), "{text}");
        assert_eq!(serde_json::from_str::<Vec<PointEdit>>(&text).expect("reads"), edits);
    }
}
