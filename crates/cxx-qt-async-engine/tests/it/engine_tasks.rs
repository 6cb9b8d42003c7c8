//! The live task list, headless: every coroutine shows up with its label, owner and what it
//! awaits, and leaves the list when it ends or its owner goes.

use std::sync::mpsc;
use std::time::Duration;

use cxx_qt_async_engine::{
    sleep, slow_polls, spawn_blocking, spawn_local, stats, tasks, testing::FakeLoop, Scope,
    TaskInfo, TaskState,
};

fn find<'a>(list: &'a [TaskInfo], label: &str) -> &'a TaskInfo {
    list.iter()
        .find(|t| t.label == label)
        .unwrap_or_else(|| panic!("no task labelled {label:?} in {list:#?}"))
}

#[test]
fn task_list_shows_label_owner_and_what_each_coroutine_awaits() {
    let fake = FakeLoop::new();
    let window = Scope::with_owner("MainWindow #1");
    let (release, blocked) = mpsc::channel::<()>();
    window
        .spawn_local_labeled("hash a file", async move {
            spawn_blocking(move || blocked.recv().unwrap()).await?;
            anyhow::Ok(())
        })
        .detach();
    window
        .spawn_local_labeled("autosave", sleep(Duration::from_secs(60)))
        .detach();
    let before_first_drain = tasks();
    assert_eq!(
        find(&before_first_drain, "autosave").state,
        TaskState::Starting
    );
    fake.turn();

    let list = tasks();
    assert_eq!(list.len(), 2, "{list:#?}");
    let hash = find(&list, "hash a file");
    assert_eq!(hash.owner.as_deref(), Some("MainWindow #1"));
    assert_eq!(hash.state, TaskState::Waiting { on: "worker job" });
    assert_eq!(hash.polls, 1);
    let autosave = find(&list, "autosave");
    assert_eq!(autosave.state, TaskState::Waiting { on: "timer" });
    assert!(hash.id < autosave.id, "ids follow spawn order");
    release.send(()).unwrap();
}

#[test]
fn finished_coroutine_leaves_the_task_list() {
    let fake = FakeLoop::new();
    let handle = spawn_local(async { spawn_blocking(|| 7).await.unwrap() });
    assert_eq!(tasks().len(), 1);
    assert_eq!(fake.block_on(handle).unwrap(), 7);
    assert!(tasks().is_empty(), "{:#?}", tasks());
}

#[test]
fn destroying_the_owner_removes_its_tasks_and_keeps_the_others() {
    let fake = FakeLoop::new();
    let dialog = Scope::with_owner("Dialog");
    let window = Scope::with_owner("Window");
    for scope in [&dialog, &window] {
        scope.spawn_local(sleep(Duration::from_secs(60))).detach();
    }
    fake.turn();
    assert_eq!(tasks().len(), 2);
    drop(dialog);
    fake.turn(); // a cancelled coroutine's future is dropped at the next drain
    let left = tasks();
    assert_eq!(left.len(), 1, "{left:#?}");
    assert_eq!(left[0].owner.as_deref(), Some("Window"));
}

#[test]
fn snapshot_taken_inside_a_coroutine_shows_it_running() {
    let fake = FakeLoop::new();
    let seen = fake
        .block_on(spawn_local(async {
            let me = tasks();
            (me.len(), me[0].state, me[0].owner.clone())
        }))
        .unwrap();
    assert_eq!(seen, (1, TaskState::Running, None));
}

#[test]
fn free_coroutine_is_labelled_by_its_spawn_site() {
    let fake = FakeLoop::new();
    let line = line!() + 1;
    let handle = spawn_local(sleep(Duration::from_secs(60)));
    fake.turn();
    let list = tasks();
    assert_eq!(list[0].label, format!("{}:{line}", file!()));
    assert_eq!(list[0].state, TaskState::Waiting { on: "timer" });
    assert!(list[0].age < Duration::from_secs(10));
    drop(handle);
    fake.turn(); // a cancelled coroutine's future is dropped at the next drain
    assert!(
        tasks().is_empty(),
        "dropping the handle cancels: the task is gone"
    );
}

#[test]
#[cfg_attr(miri, ignore = "timing: under Miri every poll is slow")]
fn a_coroutine_that_blocks_the_thread_for_30_ms_is_named_as_a_slow_poll() {
    let fake = FakeLoop::new(); // default threshold: 8 ms
    let window = Scope::with_owner("MainWindow");
    window.spawn_local_labeled("quick", async {}).detach();
    let blocking = async {
        std::thread::sleep(Duration::from_millis(30)); // a bug: blocking on the GUI thread
    };
    let line = line!() + 1;
    let load = window.spawn_local_labeled("blocking load", blocking);
    load.detach();
    fake.run_until(|| stats().live_coroutines == 0).unwrap();
    let slow = slow_polls();
    assert_eq!(slow.len(), 1, "only the blocking one: {slow:?}");
    assert_eq!(slow[0].label, "blocking load");
    assert_eq!(slow[0].owner.as_deref(), Some("MainWindow"));
    let site = slow[0].spawned_at.expect("its spawn site");
    assert_eq!((site.file(), site.line()), (file!(), line));
    assert!(
        slow[0].took >= Duration::from_millis(30),
        "{:?}",
        slow[0].took
    );
    assert_eq!(stats().slow_polls, 1);
    let text = slow[0].to_string();
    assert!(
        text.contains("\"blocking load\" of MainWindow (spawned at ")
            && text.contains("held the GUI thread for"),
        "{text}"
    );
}
