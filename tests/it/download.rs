//! The download's transfer (`async_jobs::download::download`) against the tests' own server on
//! 127.0.0.1, at the two moments that used to lose or leak a file: a file made at the target
//! after the download started, and a cancel while the partial file is being created.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_jobs::download::{download, part_path, Transfer};
use reqwest::Url;

use super::http_server;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn folder() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("async-jobs-download-")
        .tempdir()
        .expect("a temp folder") // removed at the end
}

#[test]
fn a_file_created_at_the_target_after_the_start_is_not_replaced() {
    let server = http_server::start();
    let dir = folder();
    let target = dir.path().join("big.bin");
    let url = Url::parse(&format!("{}/big.bin", server.url)).unwrap();
    // The moment the response arrives (the first report, before a byte is written), a file
    // appears at the target: a person's save, another program's.
    let made = AtomicBool::new(false);
    let theirs = target.clone();
    let report = move |_: Transfer| {
        if !made.swap(true, Ordering::SeqCst) {
            std::fs::write(&theirs, "precious").unwrap();
        }
    };
    let saved = runtime()
        .block_on(download(
            url,
            target.clone(),
            Duration::from_secs(10),
            report,
        ))
        .expect("the download completes");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert_eq!(saved.path, dir.path().join("big (1).bin"));
    assert_eq!(saved.bytes, http_server::BIG_LEN as u64);
    assert_eq!(saved.sha256, server.big_sha256);
    assert_eq!(
        std::fs::metadata(&saved.path).unwrap().len(),
        http_server::BIG_LEN as u64
    );
    assert!(!part_path(&target).exists());
}

#[test]
fn a_cancel_while_the_part_file_is_being_opened_leaves_no_part_file() {
    let server = http_server::start();
    let dir = folder();
    let target = dir.path().join("big.bin");
    let url = Url::parse(&format!("{}/big.bin", server.url)).unwrap();
    let rt = runtime();
    rt.block_on(async {
        // The task cancels itself just before the partial file is created (the report of
        // "0 bytes so far" comes right before it): the cancel lands at the next await.
        let abort = Arc::new(OnceLock::<tokio::task::AbortHandle>::new());
        let mine = Arc::clone(&abort);
        let task = tokio::spawn(download(
            url,
            target.clone(),
            Duration::from_secs(10),
            move |t: Transfer| {
                if t.done == 0 {
                    mine.get().expect("set before the task runs").abort();
                }
            },
        ));
        abort.set(task.abort_handle()).unwrap();
        let outcome = task.await;
        assert!(
            outcome.as_ref().is_err_and(|e| e.is_cancelled()),
            "{outcome:?}"
        );
    });
    // Whatever a blocking thread was still doing for the task has finished by now.
    drop(rt);
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
