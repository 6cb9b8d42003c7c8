//! The dashboard's job kinds, registered for QML's `AsyncJob { kind: ... }`.
//!
//! | kind | arguments | what it does |
//! |---|---|---|
//! | `hash` | file path | SHA-256 of the file, progress by bytes |
//! | `scan` | folder, name pattern | walks the tree, streaming matches; unreadable entries reported |
//! | `primes` | N | counts the primes below N, with progress |
//! | `pipeline` | size in MiB | generate → compress → checksum, one status per step |
//! | `fanout` | job count | that many small jobs at once, joined; jobs per second |
//! | `race` | N, timeout ms (empty: none) | sieve against trial division; the loser is cancelled |
//! | `fail` | | reads a settings file that does not exist (an error with a context chain) |
//! | `panic` | | panics on its worker (contained) |
//! | `ask` | | computes, asks "Overwrite the output?", writes only on yes |
//! | `download` | URL, target (folder, file or empty) | HTTP(S) GET on tokio's threads, to a file; bytes, speed, SHA-256 |
//! | `block` | | a deliberate bug: sleeps 50 ms on the GUI thread, which the diagnostics panel names as a slow poll |
//! | `command` | command line | runs a program (no shell), streaming its output lines; Cancel kills it |

use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::stream::FuturesUnordered;
use futures::StreamExt;

use super::command::{self, Line, Running};
use super::download::{self, Transfer};
use super::files::{self, Found};
use super::settings;
use super::work;
use cxx_qt_async::engine::{
    coop, progress, race, spawn_blocking, spawn_blocking_fallible, spawn_cancellable, spawn_stream,
    timeout, yield_now, Cancelled,
};
use cxx_qt_async::{on_tokio, register_job, JobContext};

/// The largest job count of the fan-out job.
pub const MAX_FANOUT: u64 = 100_000;
/// The largest data size of the pipeline job, in MiB.
pub const MAX_PIPELINE_MIB: u64 = 1024;
/// The longest timeout of the race job, in milliseconds.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

fn arg(args: &[String], i: usize) -> &str {
    args.get(i).map_or("", |s| s.as_str())
}

/// Parses a whole number from 1 to `max`, for input called `what`.
pub fn parse_count(text: &str, what: &str, max: u64) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("Enter the {what}"));
    }
    match text.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("The {what} must be from 1 to {max}")),
        Err(_) if text.chars().all(|c| c.is_ascii_digit()) => {
            Err(format!("The {what} must be from 1 to {max}"))
        }
        Err(_) => Err(format!("“{text}” is not a whole number")),
    }
}

/// Registers every job kind of the dashboard on this (GUI) thread.
pub fn register_all() {
    register_job("hash", |args: &[String]| {
        let path = files::parse_file(arg(args, 0))?;
        Ok::<_, files::PathError>(move |ctx: JobContext| async move {
            let shown = path.display().to_string();
            let hashed = ctx
                .worker(move |w| {
                    let done = files::sha256_file(&path, |done, total| {
                        // A device or a pipe has no size: show what was read, not a fraction.
                        if total == 0 {
                            w.step(&format!("{} read", files::human_size(done)));
                            return !w.is_cancelled();
                        }
                        let (done_text, total_text) =
                            (files::human_size(done), files::human_size(total));
                        w.step(&format!("{done_text} of {total_text}"));
                        w.tick(done as f64 / total as f64)
                    })?;
                    done.ok_or_else(|| Cancelled.into())
                })
                .await
                .with_context(|| format!("hashing {shown}"))?;
            let (hex, size) = hashed;
            Ok(format!("SHA-256 {hex} ({})", files::human_size(size)))
        })
    });

    register_job("scan", |args: &[String]| {
        let root = files::parse_folder(arg(args, 0))?;
        let pattern = files::parse_pattern(arg(args, 1))?;
        Ok::<_, files::PathError>(move |ctx: JobContext| async move {
            ctx.mark_running();
            let mut found = spawn_stream(64, move |tx| {
                let summary = files::scan_folder(&root, &pattern, |item| tx.send(item).is_ok())?;
                summary.ok_or_else(|| Cancelled.into())
            });
            let (mut files_seen, mut bytes) = (0u64, 0u64);
            while let Some(item) = found.next().await {
                match item {
                    Found::File(path, size) => {
                        files_seen += 1;
                        bytes += size;
                        ctx.emit_item(&format!(
                            "{}  ({})",
                            path.display(),
                            files::human_size(size)
                        ));
                    }
                    Found::Unreadable(what) => ctx.emit_item(&format!("⚠ cannot read {what}")),
                }
                ctx.set_step(&format!("{files_seen} files, {}", files::human_size(bytes)));
            }
            let summary = found.finish().await?;
            let mut text = format!(
                "{} matching files, {}",
                summary.files,
                files::human_size(summary.bytes)
            );
            if !summary.unreadable.is_empty() {
                text += &format!("; {} could not be read", summary.unreadable.len());
            }
            Ok(text)
        })
    });

    register_job("primes", |args: &[String]| {
        let n = work::parse_limit(arg(args, 0))?;
        Ok::<_, work::InputError>(move |ctx: JobContext| async move {
            let count = ctx
                .worker(move |w| {
                    let counted = work::count_primes_below_with(n, |done| w.tick(done));
                    counted.ok_or_else(|| Cancelled.into())
                })
                .await?;
            Ok(format!("{count} primes below {n}"))
        })
    });

    register_job("pipeline", |args: &[String]| {
        let mib = parse_count(arg(args, 0), "size in MiB", MAX_PIPELINE_MIB)?;
        Ok::<_, String>(move |ctx: JobContext| async move {
            let len = usize::try_from(mib << 20).context("the size does not fit in memory")?;
            ctx.set_step("step 1 of 3: generating");
            let data = ctx
                .worker(move |w| {
                    let data = work::generate_records(len, |done| w.tick(done));
                    data.ok_or_else(|| Cancelled.into())
                })
                .await?;
            ctx.set_step("step 2 of 3: compressing");
            ctx.set_progress(0.0);
            let packed = ctx
                .worker(move |w| {
                    let packed =
                        files::compress(&data, |done, total| w.tick(done as f64 / total as f64))?;
                    packed
                        .map(|p| (p, data.len()))
                        .ok_or_else(|| Cancelled.into())
                })
                .await?;
            ctx.set_step("step 3 of 3: checksum");
            ctx.set_progress(-1.0);
            let (packed, original) = packed;
            let packed_len = packed.len();
            let sum = spawn_blocking(move || files::sha256_hex(&packed)).await?;
            Ok(format!(
                "{} → {} compressed; SHA-256 {}…",
                files::human_size(original as u64),
                files::human_size(packed_len as u64),
                &sum[..16]
            ))
        })
    });

    register_job("fanout", |args: &[String]| {
        let count = parse_count(arg(args, 0), "number of jobs", MAX_FANOUT)?;
        Ok::<_, String>(move |ctx: JobContext| async move {
            ctx.set_step(&format!("0 of {count} done"));
            let started = Instant::now();
            let mut jobs = FuturesUnordered::new();
            for i in 0..count {
                jobs.push(spawn_blocking(move || {
                    work::count_primes_below(2_000 + i % 1000)
                }));
                // Submitting 100 000 jobs takes tens of milliseconds: let the loop paint and
                // serve its timers in between.
                if i % 512 == 511 {
                    yield_now().await;
                }
            }
            let (mut done, mut total, mut shown_at) = (0u64, 0u64, Instant::now());
            while let Some(primes) = jobs.next().await {
                total += primes?;
                done += 1;
                // At most one update per frame, however fast the jobs finish.
                if shown_at.elapsed() >= cxx_qt_async::engine::FRAME_INTERVAL || done == count {
                    shown_at = Instant::now();
                    ctx.set_progress(done as f64 / count as f64);
                    ctx.set_step(&format!("{done} of {count} done"));
                }
            }
            let secs = started.elapsed().as_secs_f64();
            Ok(format!(
                "{count} jobs joined in {:.0} ms: {:.0} jobs/s (checksum {total})",
                secs * 1e3,
                count as f64 / secs.max(1e-9)
            ))
        })
    });

    register_job("race", |args: &[String]| {
        let n = work::parse_limit(arg(args, 0)).map_err(|e| e.to_string())?;
        let limit = match arg(args, 1).trim() {
            "" => None,
            text => Some(Duration::from_millis(parse_count(
                text,
                "timeout in ms",
                MAX_TIMEOUT_MS,
            )?)),
        };
        Ok::<_, String>(move |ctx: JobContext| async move {
            ctx.set_step("sieve against trial division");
            let sieve = spawn_cancellable(move |token| {
                let count = work::count_primes_below_with(n, |_| !token.is_cancelled());
                Ok(("the sieve", count.ok_or(Cancelled)?))
            });
            let trial = spawn_cancellable(move |token| {
                let count = work::count_primes_by_trial_division(n, || token.is_cancelled());
                Ok(("trial division", count.ok_or(Cancelled)?))
            });
            let contest = race(sieve, trial);
            let (winner, count) = match limit {
                None => contest.await?,
                Some(limit) => timeout(limit, contest)
                    .await
                    .context("neither finished in time; both were cancelled")??,
            };
            let loser = if winner == "the sieve" {
                "trial division"
            } else {
                "the sieve"
            };
            Ok(format!(
                "{winner} won: {count} primes below {n}; {loser} was cancelled"
            ))
        })
    });

    register_job("fail", |_: &[String]| {
        Ok::<_, String>(|_: JobContext| async {
            Ok(spawn_blocking_fallible(|| work::load_settings(work::MISSING_SETTINGS)).await?)
        })
    });

    register_job("panic", |_: &[String]| {
        Ok::<_, String>(|_: JobContext| async {
            let value = spawn_blocking(work::explode).await?;
            Ok(format!("the job returned {value}"))
        })
    });

    register_job("ask", |_: &[String]| {
        Ok::<_, String>(|ctx: JobContext| async move {
            ctx.set_step("step 1 of 2: computing");
            let checksum = spawn_blocking(|| work::checksum(&work::generate_data(8 << 20))).await?;
            ctx.set_step("waiting for your answer");
            if !ctx.ask("Overwrite the output?").await? {
                return Ok(format!(
                    "kept the existing output (checksum {checksum:016x})"
                ));
            }
            ctx.set_step("step 2 of 2: writing");
            // In the app's own folder (not silently in the temp folder); the result says where.
            let path =
                settings::output_file().context("no folder for the output: HOME is not set")?;
            let written = path.clone();
            spawn_blocking_fallible(move || work::write_output(&written, checksum)).await?;
            Ok(format!(
                "wrote {} (checksum {checksum:016x})",
                path.display()
            ))
        })
    });

    register_job("download", |args: &[String]| {
        let url = download::parse_url(arg(args, 0))?;
        let target = download::parse_target(arg(args, 1), &url)?;
        Ok::<_, String>(move |ctx: JobContext| async move {
            ctx.set_step(&format!("connecting to {}", url.host_str().unwrap_or("?")));
            // The transfer runs on tokio's threads (its bytes never touch the GUI thread);
            // its progress comes here coalesced to the frame rate. Cancel drops `transfer`,
            // which aborts the task: the partial file is removed.
            let (reporter, watch) = progress::<Transfer>();
            let transfer = on_tokio::spawn(download::download(
                url.clone(),
                target,
                download::stall_timeout(),
                move |t| reporter.report(t),
            ));
            let started = Instant::now();
            let show = watch.for_each(|t| {
                ctx.set_progress(t.fraction());
                ctx.set_step(&t.describe(started.elapsed().as_secs_f64()));
                futures::future::ready(())
            });
            let (saved, ()) = futures::join!(transfer, show);
            let saved = saved.with_context(|| format!("downloading {url}"))??;
            ctx.set_progress(1.0);
            Ok(format!(
                "saved {} to {}; SHA-256 {}",
                files::human_size(saved.bytes),
                saved.path.display(),
                saved.sha256
            ))
        })
    });

    register_job("command", |args: &[String]| {
        let words = command::split_command_line(arg(args, 0))?;
        Ok::<_, String>(move |ctx: JobContext| async move {
            // Awaited directly on the GUI thread (tokio's process and pipe futures find the
            // runtime's tokio context); dropping `running` on Cancel kills the process group.
            let (running, output) = Running::start(&words)?;
            ctx.set_step(&format!("running {}", words[0]));
            // A program printing as fast as it can must not hold the GUI thread: each line
            // counts against the poll's budget. Unread lines wait in the pipe (backpressure).
            let mut output = std::pin::pin!(coop::cooperative(output));
            let (mut out_lines, mut err_lines) = (0u64, 0u64);
            while let Some(line) = output.next().await {
                match line {
                    Line::Out(text) => {
                        out_lines += 1;
                        ctx.emit_item(&text);
                    }
                    Line::Err(text) => {
                        err_lines += 1;
                        ctx.emit_item(&format!("⚠ {text}"));
                    }
                }
                if (out_lines + err_lines) % 64 == 1 {
                    ctx.set_step(&format!("{out_lines} lines out, {err_lines} on stderr"));
                }
            }
            let status = running.wait().await?;
            let lines = format!("{out_lines} lines out, {err_lines} on stderr");
            if status.success() {
                Ok(format!(
                    "{} ended with {}; {lines}",
                    words[0],
                    command::describe_status(status)
                ))
            } else {
                Err(anyhow::anyhow!(
                    "{} ended with {}; {lines}",
                    words[0],
                    command::describe_status(status)
                ))
            }
        })
    });

    register_job("block", |_: &[String]| {
        Ok::<_, String>(|_: JobContext| async {
            // The bug this demonstrates: blocking work inside a coroutine, on the GUI thread.
            // Nothing paints for these 50 ms; the engine names this coroutine as a slow poll.
            std::thread::sleep(Duration::from_millis(50));
            Ok("held the GUI thread for 50 ms in one poll (see Slow polls in the diagnostics panel)"
                .to_owned())
        })
    });
}
