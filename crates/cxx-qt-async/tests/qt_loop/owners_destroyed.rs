//! Ten thousand real `AsyncJob` QObjects, created from QML, each with a job in flight, destroyed
//! from QML: no coroutine resumes after its object died, every job a worker started sees its
//! cancel token, and the task list is back to 0. In the real Qt event loop (QCoreApplication,
//! main thread: `harness = false`; the claims are reported as libtest trials).

use std::cell::Cell;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cxx_qt_async::engine::tasks;
use cxx_qt_async::{register_job, JobContext, QtRuntime};

use crate::common;

const OBJECTS: usize = 10_000;

const QML: &str = r#"
import QtQml
import CxxQtAsync

QtObject {
    id: root
    property var jobs: []
    property int refused: 0
    property Component jobComponent: Component {
        AsyncJob { kind: "test_wait" }
    }
    property Timer destroyLater: Timer {
        interval: 300
        onTriggered: {
            for (var i = 0; i < root.jobs.length; ++i)
                root.jobs[i].destroy()
            root.jobs = []
            root.quitLater.start()
        }
    }
    property Timer quitLater: Timer {
        interval: 300
        onTriggered: Qt.exit(root.refused === 0 ? 0 : 2)
    }
    Component.onCompleted: {
        for (var i = 0; i < 10000; ++i) {
            var job = jobComponent.createObject(root)
            if (!job.start([]))
                refused += 1
            jobs.push(job)
        }
        destroyLater.start()
    }
}
"#;

static STARTED: AtomicUsize = AtomicUsize::new(0);
static STOPPED_BY_TOKEN: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static RESUMED_AFTER_DEATH: Cell<usize> = const { Cell::new(0) };
    static TASKS_AT_MOST: Cell<usize> = const { Cell::new(0) };
}

/// `test_wait`: a worker job that runs until its token is set; the coroutine would count a
/// resumption after it (which must never happen: the object is destroyed first).
fn register_wait() {
    register_job("test_wait", |_: &[String]| {
        Ok::<_, String>(|ctx: JobContext| async move {
            TASKS_AT_MOST.with(|t| t.set(t.get().max(tasks().len())));
            let _ = ctx
                .worker(|w| {
                    STARTED.fetch_add(1, Ordering::SeqCst);
                    while !w.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    STOPPED_BY_TOKEN.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
                .await;
            RESUMED_AFTER_DEATH.with(|r| r.set(r.get() + 1));
            Ok("resumed".to_owned())
        })
    });
}

pub fn main() -> ExitCode {
    let names = [
        "ten_thousand_objects_destroyed_mid_job_resume_no_coroutine",
        "every_job_a_worker_started_stops_at_its_token",
        "the_task_list_is_back_to_zero",
    ];
    common::report(&names, || {
        cxx_qt_async::init_qml();
        register_wait();
        let began = Instant::now();
        let (mut tasks_left, mut most) = (usize::MAX, 0);
        // The runtime's shutdown waits (bounded) for the jobs still stopping.
        let runtime = QtRuntime::builder().shutdown_wait(Duration::from_secs(5));
        let code = common::run_qml(QML, "owners_destroyed.qml", runtime, || {
            tasks_left = tasks().len();
            most = TASKS_AT_MOST.with(Cell::get);
        });
        let (started, stopped) = (
            STARTED.load(Ordering::SeqCst),
            STOPPED_BY_TOKEN.load(Ordering::SeqCst),
        );
        let resumed = RESUMED_AFTER_DEATH.with(Cell::get);
        eprintln!(
            "owners_destroyed: {OBJECTS} objects, {most} coroutines at most, exit code {code}, \
             resumed after death {resumed}, jobs started {started}, stopped by token {stopped}, \
             tasks left {tasks_left}, {:.2} s",
            began.elapsed().as_secs_f64()
        );
        vec![
            common::claim(
                code == 0 && resumed == 0 && most >= OBJECTS,
                format!(
                    "exit code {code}, {resumed} resumed after death, {most} coroutines at most"
                ),
            ),
            common::claim(
                started > 0 && started == stopped,
                format!("{started} started, {stopped} stopped by their token"),
            ),
            common::claim(tasks_left == 0, format!("{tasks_left} tasks left")),
        ]
    })
}
