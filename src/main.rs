//! chainrule's entry point: the command line, or the window when no subcommand is given.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use chainrule::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(command) => ExitCode::from(run(command, &mut std::io::stdout().lock())),
        None => {
            // The window arrives with its issue; until then the help is the front door.
            let _ = Cli::command().print_help();
            ExitCode::SUCCESS
        }
    }
}
