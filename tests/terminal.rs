//! `chainrule train` on a real terminal: run through a pseudo-terminal (util-linux's `script`), its bytes rendered by a
//! terminal emulator (vt100) into the screen a user would see. Every epoch's line stays above the progress bar, and
//! the bar moves within an epoch, not only between epochs.

use std::process::Command;

#[test]
fn train_on_a_terminal_keeps_every_epoch_line_and_moves_the_bar_within_an_epoch() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux's script is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_chainrule");
    let epochs = 12;
    // digits with a 64-unit layer: long enough (about a second) for the bar to be drawn many times
    let train = format!(
        "stty rows 60 cols 110; {bin} train --dataset digits --hidden 64 --activation relu --init he --loss ce \
         --opt adam:lr=0.001 --batch 10 --epochs {epochs} --threads 1"
    );
    let out = Command::new("script")
        .args(["-qfec", &train, "/dev/null"])
        .env("TERM", "xterm-256color")
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("not zero");
    let mut screen = vt100::Parser::new(size(60), size(110), 0);
    screen.process(&out.stdout);
    // row by row, as the screen shows them (a row the bar once filled to the last column stays marked as wrapped)
    let rows: Vec<String> = screen.screen().rows(0, 110).collect();
    let text = rows.join("\n");
    let lines: Vec<&str> = rows.iter().map(|r| r.as_str()).collect();
    assert!(
        lines.iter().any(|l| l.starts_with("64-64-10, relu on digits")),
        "the header has a row of its own:\n{text}"
    );
    for epoch in 1..=epochs {
        let prefix = format!("{epoch:>5}  ");
        assert!(lines.iter().any(|l| l.starts_with(&prefix)), "epoch {epoch}'s line is not on screen:\n{text}");
    }
    assert!(text.contains("after 12 epochs"), "the summary is on screen:\n{text}");
    assert!(!text.contains("step "), "the bar is cleared at the end:\n{text}");
    // 899 training rows in batches of 10: 90 steps an epoch. A bar drawn mid-epoch shows a step count that is not a
    // whole number of epochs (the bytes keep every drawing, although the screen no longer shows them).
    let raw = String::from_utf8_lossy(&out.stdout);
    let mid_epoch = raw
        .match_indices(", step ")
        .filter_map(|(i, m)| raw[i + m.len()..].split('/').next()?.trim().parse::<u64>().ok())
        .any(|k| k % 90 != 0);
    assert!(mid_epoch, "the bar never moved within an epoch:\n{raw}");
}
