//! Terminal output: messages on stderr, results on stdout, progress bars when it helps.
//!
//! Progress bars go to stderr and only when stderr is a terminal and `--quiet` is off, so
//! pipes and logs stay clean. `NO_COLOR` turns colour off. Results go to stdout through a
//! fallible writer, so a closed pipe (`blindmatch fingerprint k | head -c0`) ends the
//! program quietly with status 0 instead of a panic.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use blindmatch::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Ui {
    quiet: bool,
    color: bool,
    bars: bool,
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        let stderr_tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ui {
            quiet,
            color: stderr_tty && !no_color,
            bars: stderr_tty && !quiet,
        }
    }

    /// An informational line on stderr (hidden by `--quiet`).
    pub fn info(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A warning on stderr (always shown).
    pub fn warn(&self, line: impl AsRef<str>) {
        let tag = if self.color {
            "\x1b[33mwarning\x1b[0m"
        } else {
            "warning"
        };
        eprintln!("blindmatch: {tag}: {}", line.as_ref());
    }

    pub fn error(&self, err: &anyhow::Error) {
        let tag = if self.color {
            "\x1b[31merror\x1b[0m"
        } else {
            "error"
        };
        eprintln!("blindmatch: {tag}: {err:#}");
    }

    /// A result line on stdout.
    pub fn out(&self, line: impl AsRef<str>) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", line.as_ref())?;
        stdout.flush()
    }

    /// A progress bar for `what`, or an invisible one.
    pub fn progress(&self, what: &str) -> Bar {
        let bar = Bar {
            visible: self.bars,
            color: self.color,
            current: Mutex::new(ProgressBar::hidden()),
        };
        bar.replace(what, 0);
        bar
    }
}

/// Progress on stderr behind the library's [`Progress`] trait: one indicatif bar per phase.
pub struct Bar {
    visible: bool,
    color: bool,
    current: Mutex<ProgressBar>,
}

impl Bar {
    fn replace(&self, message: &str, total: u64) {
        let bar = if self.visible {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let template = if self.color {
                "{msg:>12} [{bar:36.cyan/blue}] {percent:>3}% {elapsed_precise} eta {eta}"
            } else {
                "{msg:>12} [{bar:36}] {percent:>3}% {elapsed_precise} eta {eta}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        bar.set_message(message.to_string());
        if let Ok(mut current) = self.current.lock() {
            current.finish_and_clear();
            *current = bar;
        }
    }

    fn with(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(current) = self.current.lock() {
            f(&current);
        }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        let mut message = String::new();
        let mut finished = false;
        self.with(|b| {
            message = b.message();
            finished = b.is_finished();
        });
        if finished {
            self.replace(&message, total);
        } else {
            self.with(|b| {
                b.set_length(total);
                b.set_position(0);
            });
        }
    }

    fn update(&self, position: u64) {
        self.with(|b| b.set_position(position));
    }

    fn finish(&self) {
        self.with(ProgressBar::finish_and_clear);
    }

    fn phase(&self, name: &str, total: u64) {
        self.replace(name, total);
    }
}

/// True when the error comes from writing to a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<blindmatch::Error>()
                .is_some_and(blindmatch::Error::is_broken_pipe)
    })
}

/// 1234567 -> "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
