//! `JobRunner`: one card of the window. It starts one job at a time and shows its state.
//!
//! QML binds to `status` ("idle", "running…", "done", "failed", "cancelled"), `result`, `error` (the whole
//! context chain), `details` (the worker's backtrace), `inputError` (why typed input was refused;
//! no job starts then), `running`, `elapsedMs` and `progress` (0 to 1, or -1 when the job does
//! not report any).

/// The bridge: the `JobRunner` QObject (QML element of the `AsyncJobs` module).
#[cxx_qt::bridge]
pub mod qobject {
    unsafe extern "C++" {
        include!("cxx-qt-lib/qstring.h");
        /// QString from cxx_qt_lib
        type QString = cxx_qt_lib::QString;
    }

    extern "RustQt" {
        #[qobject]
        #[qml_element]
        #[qproperty(QString, status)]
        #[qproperty(QString, result)]
        #[qproperty(QString, error)]
        #[qproperty(QString, details)]
        #[qproperty(QString, input_error, cxx_name = "inputError")]
        #[qproperty(bool, running)]
        #[qproperty(f64, elapsed_ms, cxx_name = "elapsedMs")]
        #[qproperty(f64, progress)]
        type JobRunner = super::JobRunnerRust;

        /// Counts the primes below the typed N on a worker.
        #[qinvokable]
        #[cxx_name = "countPrimes"]
        fn count_primes(self: Pin<&mut JobRunner>, limit: &QString);

        /// Two jobs in sequence: count the primes below N, then find the largest of them.
        #[qinvokable]
        #[cxx_name = "chainJobs"]
        fn chain_jobs(self: Pin<&mut JobRunner>, limit: &QString);

        /// A job that fails: it reads a settings file that does not exist.
        #[qinvokable]
        #[cxx_name = "failingJob"]
        fn failing_job(self: Pin<&mut JobRunner>);

        /// A job that panics on its worker.
        #[qinvokable]
        #[cxx_name = "panickingJob"]
        fn panicking_job(self: Pin<&mut JobRunner>);

        /// Computes, then asks "Overwrite the output?" (`confirmRequested`) and waits for
        /// `answer(..)` without blocking; writes the output only on yes.
        #[qinvokable]
        #[cxx_name = "askThenWrite"]
        fn ask_then_write(self: Pin<&mut JobRunner>);

        /// The user's answer to `confirmRequested`.
        #[qinvokable]
        fn answer(self: Pin<&mut JobRunner>, yes: bool);

        /// Asks the user a yes/no question (QML opens a dialog and calls `answer`).
        #[qsignal]
        #[cxx_name = "confirmRequested"]
        fn confirm_requested(self: Pin<&mut JobRunner>, question: QString);

        /// Emitted by `answer`; the asking coroutine awaits it.
        #[qsignal]
        fn answered(self: Pin<&mut JobRunner>, yes: bool);

        /// Cancels the running job: its coroutine is dropped, which sets its jobs' cancel tokens
        /// (the prime count stops at its next segment).
        #[qinvokable]
        fn cancel(self: Pin<&mut JobRunner>);
    }
}

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use cxx_qt::CxxQtType;
use cxx_qt_lib::QString;

use crate::app::work;
use futures::{future, StreamExt};

use crate::engine::{
    progress, run_blocking, run_cancellable, try_run_blocking, worker_backtrace, Cancelled,
    CoroutineId, Scope,
};
use crate::qt::{next_emission, OwnsCoroutines, QObjectRef, QObjectSpawn};

/// Backing struct of [`qobject::JobRunner`].
#[derive(Debug)]
pub struct JobRunnerRust {
    status: QString,
    result: QString,
    error: QString,
    details: QString,
    input_error: QString,
    running: bool,
    elapsed_ms: f64,
    progress: f64,
    current: Option<CoroutineId>,
    coroutines: Scope,
}

impl Default for JobRunnerRust {
    fn default() -> Self {
        Self {
            status: QString::from("idle"),
            result: QString::default(),
            error: QString::default(),
            details: QString::default(),
            input_error: QString::default(),
            running: false,
            elapsed_ms: 0.0,
            progress: -1.0,
            current: None,
            coroutines: Scope::new(),
        }
    }
}

impl OwnsCoroutines for JobRunnerRust {
    fn coroutines(&self) -> &Scope {
        &self.coroutines
    }
}

impl qobject::JobRunner {
    fn count_primes(mut self: Pin<&mut Self>, limit: &QString) {
        let Some(n) = self.as_mut().accept(work::parse_limit(&limit.to_string())) else {
            return;
        };
        self.launch(move |this| async move {
            let (reporter, watch) = progress::<f64>();
            let job = run_cancellable(move |token| {
                let counted = work::count_primes_below_with(n, |done| {
                    reporter.report(done);
                    !token.is_cancelled()
                });
                counted.ok_or_else(|| Cancelled.into())
            });
            // At most one progress update per frame, however fast the sieve reports.
            let show = watch.for_each(|done| {
                this.with(|o| o.set_progress(done));
                future::ready(())
            });
            let (count, ()) = futures::join!(job, show);
            Ok(format!("{} primes below {n}", count?))
        });
    }

    fn chain_jobs(mut self: Pin<&mut Self>, limit: &QString) {
        let Some(n) = self.as_mut().accept(work::parse_limit(&limit.to_string())) else {
            return;
        };
        self.launch(move |this| async move {
            this.with(|o| o.set_status(QString::from("running: step 1 of 2")));
            let count = run_blocking(move || work::count_primes_below(n)).await?;
            this.with(|o| o.set_status(QString::from("running: step 2 of 2")));
            let largest = run_blocking(move || work::largest_prime_below(n)).await?;
            let largest = largest.map_or_else(|| "none".to_owned(), |p| p.to_string());
            Ok(format!(
                "step 1: {count} primes below {n}; step 2: the largest is {largest}"
            ))
        });
    }

    fn failing_job(self: Pin<&mut Self>) {
        self.launch(|_| async {
            try_run_blocking(|| work::load_settings(work::MISSING_SETTINGS)).await
        });
    }

    fn panicking_job(self: Pin<&mut Self>) {
        self.launch(|_| async {
            let value = run_blocking(work::explode).await?;
            Ok(format!("the job returned {value}"))
        });
    }

    fn ask_then_write(self: Pin<&mut Self>) {
        self.launch(|this| async move {
            this.with(|o| o.set_status(QString::from("running: step 1 of 2, computing")));
            let checksum = run_blocking(|| work::checksum(&work::generate_data(8 << 20))).await?;
            this.with(|o| o.set_status(QString::from("waiting for your answer")));
            // Connect first, then ask: the answer cannot arrive before we listen.
            let answer =
                next_emission(|mut tx| this.with(|o| o.on_answered(move |_, yes| tx.emit(yes))));
            this.with(|o| o.confirm_requested(QString::from("Overwrite the output?")));
            if !answer.await? {
                return Ok(format!(
                    "kept the existing output (checksum {checksum:016x})"
                ));
            }
            this.with(|o| o.set_status(QString::from("running: step 2 of 2, writing")));
            let path = std::env::temp_dir().join("async-jobs-output.txt");
            let written = path.clone();
            try_run_blocking(move || work::write_output(&written, checksum)).await?;
            Ok(format!(
                "wrote {} (checksum {checksum:016x})",
                path.display()
            ))
        });
    }

    fn answer(self: Pin<&mut Self>, yes: bool) {
        self.answered(yes);
    }

    fn cancel(mut self: Pin<&mut Self>) {
        if !*self.running() {
            return;
        }
        if let Some(id) = self.as_mut().rust_mut().current.take() {
            self.rust().coroutines.abort(id);
        }
        self.as_mut().set_progress(-1.0);
        self.as_mut().set_running(false);
        self.set_status(QString::from("cancelled"));
    }

    /// Shows why input was refused (and returns `None`), or clears the message.
    fn accept<T>(self: Pin<&mut Self>, parsed: Result<T, work::InputError>) -> Option<T> {
        let message = parsed.as_ref().err().map(ToString::to_string);
        self.set_input_error(QString::from(message.as_deref().unwrap_or("")));
        parsed.ok()
    }

    /// Starts `job` as this card's coroutine and shows its outcome; one job at a time.
    fn launch<F, Fut>(mut self: Pin<&mut Self>, job: F)
    where
        F: FnOnce(QObjectRef<Self>) -> Fut + 'static,
        Fut: Future<Output = anyhow::Result<String>> + 'static,
    {
        if *self.running() {
            return;
        }
        self.as_mut().set_result(QString::default());
        self.as_mut().set_error(QString::default());
        self.as_mut().set_details(QString::default());
        self.as_mut().set_elapsed_ms(0.0);
        self.as_mut().set_progress(-1.0);
        self.as_mut().set_running(true);
        self.as_mut().set_status(QString::from("running"));
        let started = Instant::now();
        let id = self.as_mut().spawn(move |this| async move {
            let outcome = job(this.clone()).await;
            let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
            this.with(|mut o| {
                o.as_mut().set_elapsed_ms(elapsed_ms);
                let status = match outcome {
                    Ok(text) => {
                        o.as_mut().set_result(QString::from(&text));
                        "done"
                    }
                    Err(err) => {
                        let trace = worker_backtrace(&err).map(ToString::to_string);
                        o.as_mut().set_error(QString::from(&format!("{err:#}")));
                        o.as_mut()
                            .set_details(QString::from(trace.as_deref().unwrap_or("")));
                        "failed"
                    }
                };
                o.as_mut().set_running(false);
                o.set_status(QString::from(status));
            });
            Ok(())
        });
        self.rust_mut().current = Some(id);
    }
}
