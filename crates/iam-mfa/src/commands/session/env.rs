//! `env`: print the commands that export the session (and, like `exec`, the region) into the
//! current shell, or unset the session.

use super::environment::{
    SESSION_NAMES, Shell, region_vars, render_set, render_unset, session_vars,
};
use crate::args::GlobalArgs;
use crate::session::Error;
use crate::session::obtain::{SessionArgs, obtain};
use crate::ui::exit::Code;

#[derive(clap::Args, Debug)]
pub struct EnvArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Syntax of the output.
    #[arg(long, value_enum, default_value_t = Shell::Sh)]
    shell: Shell,
    /// Print the commands that remove the session variables instead (no session needed).
    #[arg(long)]
    unset: bool,
}

pub fn run(args: &EnvArgs, global: &GlobalArgs) -> Result<u8, Error> {
    let text = if args.unset {
        render_unset(args.shell, SESSION_NAMES)?
    } else {
        let obtained = obtain(&args.session, global)?;
        let mut vars = session_vars(&obtained.session);
        vars.extend(region_vars(&obtained.region));
        render_set(args.shell, &vars)?
    };
    crate::ui::output::write_stdout(&text).map_err(Error::Output)?;
    Ok(Code::Success.into())
}
