//! An `AsyncJob` from QML, with no QObject of your own: the kind "count_primes" is registered
//! here; `crates/examples/qml/JobDemo.qml` starts it, shows its progress and result, and cancels it.
//!
//! `cargo run -p cxx-qt-async --example async_job` (add `-- --demo` to have it run a
//! job by itself, print the result and quit).

use cxx_qt_async::{register_job, JobContext};

/// Counts the primes below `n` by trial division, reporting progress; `None` once cancelled.
fn count_primes(n: u64, mut tick: impl FnMut(f64) -> bool) -> Option<u64> {
    let mut count = 0;
    for k in 2..n {
        if k % 65_536 == 0 && !tick(k as f64 / n as f64) {
            return None;
        }
        if (2..).take_while(|d| d * d <= k).all(|d| k % d != 0) {
            count += 1;
        }
    }
    Some(count)
}

fn main() -> std::process::ExitCode {
    register_job("count_primes", |args: &[String]| {
        // Checked when QML calls start(args): a refusal shows as inputError, nothing starts.
        let n: u64 = args
            .first()
            .and_then(|a| a.trim().parse().ok())
            .filter(|n| (2..=1_000_000_000).contains(n))
            .ok_or("type a whole number from 2 to 1000000000")?;
        Ok::<_, &str>(move |ctx: JobContext| async move {
            let count = ctx
                .worker(move |w| {
                    count_primes(n, |done| w.tick(done))
                        .ok_or_else(|| cxx_qt_async::engine::Cancelled.into())
                })
                .await?;
            Ok(format!("{count} primes below {n}"))
        })
    });
    let code = cxx_qt_async_examples::run("JobDemo.qml");
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
