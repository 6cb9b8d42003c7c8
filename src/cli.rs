//! The command line: the app's own options (`--threads N`, `--help`) read by `clap`, beside
//! Qt's, which `QGuiApplication` reads itself from the same arguments. Qt's are set aside
//! first by name, knowing which take a value (`-platform offscreen`) and which do not
//! (`-reverse`), so `-reverse --threads 4` keeps `--threads 4`.

use clap::{value_parser, Arg, Command};

/// Qt's options that take a value (QGuiApplication's, Qt 6; X11's too). Qt reads `-name` and
/// `--name` alike.
const QT_WITH_VALUE: &[&str] = &[
    "platform",
    "platformpluginpath",
    "platformtheme",
    "plugin",
    "qmljsdebugger",
    "qwindowgeometry",
    "qwindowicon",
    "qwindowtitle",
    "session",
    "display",
    "geometry",
    "title",
    "name",
    "visual",
    "ncols",
    "cmap",
    "im",
    "style",
    "stylesheet",
];

/// Qt's options without a value.
const QT_FLAGS: &[&str] = &[
    "reverse",
    "nograb",
    "dograb",
    "sync",
    "widgetcount",
    "testability",
];

/// What the command line asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--threads N`: the worker pool's size (default: one per CPU).
    pub threads: Option<usize>,
}

fn command() -> Command {
    Command::new("async-jobs")
        .about("async-jobs: run slow jobs on worker threads while the window stays live")
        .arg(
            Arg::new("threads")
                .long("threads")
                .value_name("N")
                .value_parser(value_parser!(u16).range(1..=256))
                .help("size of the worker pool, 1 to 256 (default: the number of CPUs)"),
        )
        .after_help(
            "Qt's own options (-platform NAME, -reverse, -qwindowgeometry WxH+X+Y, ...) are \
             passed to Qt.\n\n\
             Environment:\n  \
             RUST_LOG      what to log to standard error, e.g. RUST_LOG=info (jobs started, \
             finished, cancelled, failed)\n                or RUST_LOG=debug (default: warnings \
             only)\n  \
             LANG          the language of the window (German and English are shipped)",
        )
}

/// Reads the command line `args` (the program's name first). `Err` is clap's: `--help`'s
/// text, or a message and the usage; [`clap::Error::exit`] prints it and exits (0 for help, 2
/// for a mistake).
///
/// # Examples
///
/// ```
/// use async_jobs::cli::parse;
/// let args = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
/// assert_eq!(parse(args("async-jobs -platform offscreen --threads 3")).unwrap().threads, Some(3));
/// assert!(parse(args("async-jobs --threads 0")).is_err());
/// ```
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, clap::Error> {
    let mut ours = Vec::new();
    let mut args = args.into_iter();
    ours.extend(args.next());
    while let Some(arg) = args.next() {
        let name = arg
            .strip_prefix("--")
            .or_else(|| arg.strip_prefix('-'))
            .unwrap_or("");
        if QT_WITH_VALUE.contains(&name) {
            let _ = args.next();
        } else if !QT_FLAGS.contains(&name) {
            ours.push(arg);
        }
    }
    let matches = command().try_get_matches_from(ours)?;
    Ok(Options {
        threads: matches.get_one::<u16>("threads").map(|&n| usize::from(n)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_qt_flag_before_threads_keeps_threads() {
        // The old loop took every single-dash option for one with a value: `-reverse` ate
        // `--threads`, and `4` became an unknown argument.
        assert_eq!(
            parse(args("async-jobs -reverse --threads 4")).unwrap(),
            Options { threads: Some(4) }
        );
        assert_eq!(
            parse(args("async-jobs --threads 2 -nograb -platform xcb")).unwrap(),
            Options { threads: Some(2) }
        );
    }

    #[test]
    fn qt_options_with_values_are_left_to_qt() {
        assert_eq!(
            parse(args(
                "async-jobs -qwindowgeometry 800x600+0+0 --platform offscreen"
            ))
            .unwrap(),
            Options { threads: None }
        );
    }

    #[test]
    fn a_bad_thread_count_or_an_unknown_option_is_refused() {
        for line in [
            "async-jobs --threads 0",
            "async-jobs --threads many",
            "async-jobs --threads",
            "async-jobs --frobnicate",
            "async-jobs stray",
        ] {
            let err = parse(args(line)).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{line}: {err}");
        }
        let help = parse(args("async-jobs --help")).unwrap_err();
        assert_eq!(help.exit_code(), 0);
        assert!(help.to_string().contains("--threads <N>"), "{help}");
    }
}
