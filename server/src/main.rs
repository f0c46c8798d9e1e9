//! `nightround-server`: serve the sync API, or administer a data directory.
//! See `nightround-server --help`.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Before any thread starts (ADR 0021): pull pages shaped on 16 blocking
    // threads otherwise leave 16 arenas holding them.
    nightround_server::malloc_arenas::limit();
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_max_level(args.log_level())
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
