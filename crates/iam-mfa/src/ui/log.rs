//! `--debug` logging: tracing to stderr. Secrets are never logged (see `ui::output::redact`).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Installs a stderr subscriber when `debug` is set; otherwise logging stays off (and costs nothing).
pub fn init(debug: bool) {
    if !debug {
        return;
    }
    // The SDK logs requests at debug level without bodies or headers; below that (trace) its
    // wire logs could include response bodies holding secrets, so they are capped at debug.
    let filter = Targets::new()
        .with_target("iam_mfa", LevelFilter::DEBUG)
        .with_target("aws", LevelFilter::DEBUG)
        .with_default(LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                // Its report of a failed write goes to stderr with `eprintln!`, which panics when
                // stderr is what failed (`2>/dev/full`).
                .log_internal_errors(false),
        )
        .with(filter)
        .init();
}
