//! chainrule's entry point: the command line, or the window when no subcommand is given.
//!
//! `chainrule --screenshot PATH` opens the window, waits for it to settle, saves a PNG of it and quits. With the
//! environment variable `CHAINRULE_SESSION=FILE` the window opens that session (JSON, as the app stores it) instead of
//! the stored one; together they make the documentation images reproducible:
//! `CHAINRULE_SESSION=assets/backprop-session.json xvfb-run -s "-screen 0 1440x900x24" chainrule --screenshot assets/backprop.png`.

use std::process::ExitCode;

use clap::Parser;

use chainrule::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => ExitCode::from(run(command, &mut std::io::stdout().lock())),
        None => {
            let options = chainrule::app::Options {
                screenshot: cli.screenshot,
                session_file: std::env::var_os("CHAINRULE_SESSION").map(std::path::PathBuf::from),
            };
            match chainrule::app::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: could not open the window: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
