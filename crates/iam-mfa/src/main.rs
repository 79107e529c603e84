//! iam-mfa: enforce and use MFA on AWS IAM. Parses the command line, sets up logging and
//! dispatches to the command modules; everything else lives in the library.
#![forbid(unsafe_code)]

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use clap::{CommandFactory, FromArgMatches as _, Parser, Subcommand, ValueEnum as _};
use iam_mfa::args::GlobalArgs;
use iam_mfa::commands::{admin, audit, keys, policy, session};
use iam_mfa::ui;
use iam_mfa::ui::output::OutputFormat;
use std::io::Write as _;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "iam-mfa",
    version,
    about = "Make MFA on AWS IAM enforced and painless"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Session(session::Command),
    #[command(flatten)]
    Admin(admin::Command),
    /// Keep long-term access keys off ~/.aws/credentials: in the OS keychain (macOS Keychain,
    /// Windows Credential Manager, Linux Secret Service) or a passphrase-encrypted file.
    Keys {
        #[command(subcommand)]
        command: keys::Command,
    },
    /// Work on policies: simulate requests, check and generate force-MFA policies and MFA-only
    /// role trust policies (offline, or a user's, group's or role's policies read from the
    /// account).
    Policy {
        #[command(subcommand)]
        command: policy::Command,
    },
    /// Find who in the account escapes MFA: console users without MFA, users whose policies do
    /// not force MFA, users who can assume a role without MFA, first sign-in lock-outs, root
    /// MFA, orphaned devices. Exit code 6 when a
    /// finding reaches --fail-on.
    Audit(audit::Args),
    /// Print a shell completion script.
    ///
    /// bash: `iam-mfa completions bash > ~/.local/share/bash-completion/completions/iam-mfa`;
    /// zsh: `iam-mfa completions zsh > "${fpath[1]}/_iam-mfa"`;
    /// fish: `iam-mfa completions fish > ~/.config/fish/completions/iam-mfa.fish`;
    /// PowerShell: `iam-mfa completions powershell | Out-String | Invoke-Expression`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `iam-mfa man > iam-mfa.1 && man ./iam-mfa.1`.
    Man,
}

/// The output formats a command prints besides text and JSON, by its subcommand path.
fn extra_formats(path: &[String]) -> &'static [OutputFormat] {
    match path {
        [policy, sub] if policy == "policy" => policy::extra_formats(sub),
        [audit] if audit == "audit" => &audit::FORMATS,
        _ => &[],
    }
}

/// The command line, with each command's `--output` listing only the formats it prints (a
/// command-level `--output` takes the place of the global one, whose value it sets).
fn command() -> clap::Command {
    fn restrict(cmd: clap::Command, path: Vec<String>) -> clap::Command {
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|s| s.get_name().to_owned())
            .collect();
        if names.is_empty() {
            return cmd.arg(output_arg(extra_formats(&path)));
        }
        names.into_iter().fold(cmd, |cmd, name| {
            let mut sub = path.clone();
            sub.push(name.clone());
            cmd.mut_subcommand(name, |sc| restrict(sc, sub))
        })
    }
    restrict(Cli::command(), Vec::new())
}

/// `--output` for a command printing text, JSON and `extra`.
fn output_arg(extra: &'static [OutputFormat]) -> clap::Arg {
    let values = OutputFormat::value_variants()
        .iter()
        .filter(|f| matches!(f, OutputFormat::Text | OutputFormat::Json) || extra.contains(f))
        .filter_map(|f| f.to_possible_value());
    clap::Arg::new("output")
        .long("output")
        .value_name("FORMAT")
        .help("Output format")
        .help_heading(iam_mfa::args::GLOBAL_HEADING)
        .default_value(OutputFormat::Text.name())
        .value_parser(
            PossibleValuesParser::new(values).try_map(|s| OutputFormat::from_str(&s, false)),
        )
}

/// The subcommand names of `matches`, outermost first.
fn subcommand_path(mut matches: &clap::ArgMatches) -> Vec<String> {
    let mut path = Vec::new();
    while let Some((name, sub)) = matches.subcommand() {
        path.push(name.to_owned());
        matches = sub;
    }
    path
}

/// Prints the completion script or the man page.
fn print_docs(command: &Command) -> Result<u8, std::io::Error> {
    let mut cmd = self::command();
    let mut out = std::io::stdout().lock();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cmd, "iam-mfa", &mut out);
        }
        _ => out.write_all(&man_page(cmd)?)?,
    }
    out.flush()?;
    Ok(0)
}

/// The man page in roff, its `.TH` title line first (clap_mangen puts a string definition
/// before it, which roff reads as well after the title).
fn man_page(cmd: clap::Command) -> Result<Vec<u8>, std::io::Error> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut page)?;
    let text = String::from_utf8_lossy(&page);
    let (title, rest): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with(".TH "));
    Ok(title
        .into_iter()
        .chain(rest)
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .into_bytes())
}

fn main() -> ExitCode {
    iam_mfa::core_dumps::disable();
    let mut cmd = command();
    let matches = cmd.get_matches_mut();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit());
    if let Err(message) = iam_mfa::aws::check_args(&cli.global) {
        cmd.error(clap::error::ErrorKind::InvalidValue, message)
            .exit();
    }
    let path = subcommand_path(&matches);
    // `iam-mfa --output csv policy check` reaches the command through the global flag.
    if let Err(message) = cli
        .global
        .output
        .ensure(&path.join(" "), extra_formats(&path))
    {
        cmd.error(clap::error::ErrorKind::InvalidValue, message)
            .exit();
    }
    ui::log::init(cli.global.debug);
    match cli.command {
        Command::Session(command) => ui::exit::finish(session::run(command, &cli.global)),
        Command::Admin(command) => ui::exit::finish(admin::run(command, &cli.global)),
        Command::Keys { command } => ui::exit::finish(keys::run(command, &cli.global)),
        Command::Policy { command } => ui::exit::finish(policy::run(command, &cli.global)),
        Command::Audit(args) => ui::exit::finish(audit::run(&args, &cli.global)),
        docs @ (Command::Completions { .. } | Command::Man) => ui::exit::finish(
            print_docs(&docs).map_err(|e| anyhow::anyhow!("cannot write to standard output: {e}")),
        ),
    }
}
