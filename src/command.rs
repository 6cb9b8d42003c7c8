//! The command job's parts: splitting a typed command line into a program and its arguments (no
//! shell), and a child process in its own process group that is killed, with its children,
//! when the job is cancelled.

use std::process::Stdio;

use anyhow::Context as _;
use futures::{Stream, StreamExt as _};
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// Splits a command line into words: blanks separate words; `'…'` keeps everything inside,
/// `"…"` too except that `\"` and `\\` are escapes; elsewhere `\` escapes the next character.
/// No shell runs: no variables, globs, pipes or redirections.
///
/// # Examples
///
/// ```
/// use async_jobs::command::split_command_line;
/// assert_eq!(split_command_line("ls -la /").unwrap(), ["ls", "-la", "/"]);
/// assert_eq!(
///     split_command_line(r#"echo "a b" 'c d' e\ f"#).unwrap(),
///     ["echo", "a b", "c d", "e f"]
/// );
/// assert_eq!(split_command_line("  ").unwrap_err(), "Enter a command");
/// assert_eq!(split_command_line("echo 'open").unwrap_err(), "A quote (') is not closed");
/// ```
pub fn split_command_line(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("A quote (') is not closed".to_owned()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("A quote (\") is not closed".to_owned()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("A quote (\") is not closed".to_owned()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("A backslash (\\) ends the line".to_owned()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err("Enter a command".to_owned());
    }
    Ok(words)
}

/// A line of the child's output, from stdout or stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line on standard output.
    Out(String),
    /// A line on standard error.
    Err(String),
}

/// A running child process in its own process group. Dropping it (the job was cancelled)
/// kills the whole group, so the program's own children go too; tokio reaps the child, so no
/// zombie is left.
#[derive(Debug)]
pub struct Running {
    child: Child,
    group: Option<nix::unistd::Pid>,
}

impl Running {
    /// Starts `words[0]` with the other words as its arguments, stdin closed, stdout and stderr
    /// piped. Must be called inside the runtime's tokio context (a coroutine).
    pub fn start(words: &[String]) -> anyhow::Result<(Self, impl Stream<Item = Line>)> {
        let (program, args) = words.split_first().context("no program given")?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    anyhow::anyhow!("no program “{program}” found (searched PATH)")
                }
                std::io::ErrorKind::PermissionDenied => {
                    anyhow::anyhow!("“{program}” cannot be run: permission denied")
                }
                _ => anyhow::Error::new(e).context(format!("cannot start “{program}”")),
            })?;
        let group = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(nix::unistd::Pid::from_raw);
        let out = lines(child.stdout.take().expect("piped")).map(Line::Out);
        let err = lines(child.stderr.take().expect("piped")).map(Line::Err);
        Ok((Self { child, group }, futures::stream::select(out, err)))
    }

    /// Waits for the exit (call once the output streams ended).
    pub async fn wait(mut self) -> anyhow::Result<std::process::ExitStatus> {
        let status = self.child.wait().await.context("waiting for the program")?;
        // Exited and reaped: the group id may be reused from now on; never signal it.
        self.group = None;
        Ok(status)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(group) = self.group.take() {
            // The child is not reaped yet (its zombie holds the group id), so the group is
            // still ours. Then kill_on_drop kills the child and tokio reaps it.
            let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// The longest line kept: a longer one is cut there and marked with [`CUT_MARK`], and the rest
/// of it is read and dropped, so whatever a program writes (`cat /dev/zero`: one endless line)
/// memory stays bounded.
pub const MAX_LINE: usize = 16 * 1024;

/// Ends a line that was cut at [`MAX_LINE`] bytes.
pub const CUT_MARK: &str = " ⋯ [cut: the line is longer than 16 KiB]";

/// The lines of a pipe, as they come, each at most [`MAX_LINE`] bytes (then marked); a line
/// that is not UTF-8 is shown lossily.
pub fn lines(pipe: impl AsyncRead + Unpin) -> impl Stream<Item = String> {
    let reader = BufReader::with_capacity(64 * 1024, pipe);
    futures::stream::unfold(
        (reader, Vec::new(), false),
        |(mut reader, mut buf, mut skipping)| async move {
            match read_line_bounded(&mut reader, &mut buf, MAX_LINE, &mut skipping).await {
                Ok(None) | Err(_) => None,
                Ok(Some(cut)) => {
                    let mut text = String::from_utf8_lossy(&buf)
                        .trim_end_matches(['\n', '\r'])
                        .to_owned();
                    if cut {
                        text.push_str(CUT_MARK);
                    }
                    Some((text, (reader, buf, skipping)))
                }
            }
        },
    )
}

/// Reads one line into `buf` (cleared first), at most `limit` bytes of it: returns whether it
/// was cut, or `None` at the end of the pipe. A cut line is returned at once, and
/// `skipping` set: the next call first drops the rest of that line (which may never end, as
/// `cat /dev/zero`'s), handing control back to the executor after every buffer, since the GUI
/// thread polls it.
async fn read_line_bounded(
    reader: &mut (impl AsyncBufRead + Unpin),
    buf: &mut Vec<u8>,
    limit: usize,
    skipping: &mut bool,
) -> std::io::Result<Option<bool>> {
    while *skipping {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(None);
        }
        let end = available.iter().position(|&b| b == b'\n');
        let used = end.map_or(available.len(), |i| i + 1);
        reader.consume(used);
        if end.is_some() {
            *skipping = false;
        } else {
            yield_once().await;
        }
    }
    buf.clear();
    let mut read_any = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(read_any.then_some(false));
        }
        read_any = true;
        let end = available.iter().position(|&b| b == b'\n');
        let content = &available[..end.unwrap_or(available.len())];
        let room = limit.saturating_sub(buf.len());
        if content.len() > room {
            buf.extend_from_slice(&content[..room]);
            reader.consume(room);
            *skipping = true;
            return Ok(Some(true));
        }
        buf.extend_from_slice(content);
        let used = content.len() + usize::from(end.is_some());
        reader.consume(used);
        if end.is_some() {
            return Ok(Some(false));
        }
    }
}

/// Returns `Pending` once (waking itself at once): the executor runs what else is ready first.
async fn yield_once() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

/// How an exit status reads: `exit code 0`, `killed by signal 9`.
pub fn describe_status(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => "ended".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: Vec<u8>) -> Vec<String> {
        futures::executor::block_on(lines(std::io::Cursor::new(input)).collect())
    }

    #[test]
    fn an_endless_line_is_cut_at_the_limit_and_marked() {
        // 10 MiB without a newline, then a short line.
        let mut input = vec![b'x'; 10 << 20];
        input.extend_from_slice(b"\nafter\n");
        let got = collect(input);
        assert_eq!(
            got.len(),
            2,
            "{:?}",
            got.iter().map(String::len).collect::<Vec<_>>()
        );
        assert_eq!(got[0].len(), MAX_LINE + CUT_MARK.len());
        assert!(got[0].ends_with(CUT_MARK));
        assert_eq!(got[1], "after");
    }

    #[test]
    fn a_line_that_never_ends_is_shown_cut_at_once() {
        // An endless line (a pipe that never sends a newline): the cut line arrives first,
        // within a bound (a reader that waits for the newline never returns).
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut stream = std::pin::pin!(lines(tokio::io::repeat(b'x')));
            let _ = tx.send(futures::executor::block_on(stream.next()));
        });
        let first = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the first line within 10 s")
            .unwrap();
        assert_eq!(first.len(), MAX_LINE + CUT_MARK.len());
        assert!(first.ends_with(CUT_MARK));
    }

    #[test]
    fn lines_within_the_limit_are_whole_and_the_last_needs_no_newline() {
        let line = "y".repeat(MAX_LINE);
        let got = collect(format!("{line}\nb\r\nlast").into_bytes());
        assert_eq!(got, [line, "b".to_owned(), "last".to_owned()]);
    }
}
