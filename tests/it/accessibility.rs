//! The real `async-jobs` window as a screen reader (or KDE's selenium-webdriver-at-spi) sees
//! it: its AT-SPI tree, its actions, its editable texts. Nothing here clicks or reads pixels.
//!
//! Each test starts the app in a world of its own: a private Xvfb (its display number picked by
//! the server, `-displayfd`), a private D-Bus session (`dbus-run-session`) with the
//! accessibility bus
//! (`at-spi-bus-launcher`), the app with `QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1`, and
//! `tests/a11y/driver.py` (Debian's `python3-pyatspi`, under `/usr/bin/python3`), which answers
//! this file's requests one JSON line at a time. Every wait is bounded; the app is quit with
//! Ctrl+Q at the end (its jobs cancelled, its children killed) and everything the test started
//! is ended even when it fails.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::http_server;

/// One window at a time: each brings its own X server and buses, and the machine has 2 CPUs.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// How long one request may take (a tree walk is a few hundred D-Bus round trips).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// The roles a person acts on; any node with an action other than SetFocus counts too.
const INTERACTIVE: &[&str] = &[
    "push button",
    "toggle button",
    "check box",
    "radio button",
    "text",
    "entry",
    "password text",
    "list item",
    "menu item",
    "combo box",
    "slider",
    "spin button",
    "page tab",
    "link",
    "scroll bar",
    "list",
    "progress bar",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/qml/fixtures")
}

/// One node of the accessible tree.
#[derive(Debug, Clone)]
struct Node {
    role: String,
    name: String,
    description: String,
    states: Vec<String>,
    actions: Vec<String>,
}

impl Node {
    fn from_json(v: &Value) -> Self {
        let strings = |key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        Self {
            role: v["role"].as_str().unwrap_or("").to_owned(),
            name: v["name"].as_str().unwrap_or("").to_owned(),
            description: v["description"].as_str().unwrap_or("").to_owned(),
            states: strings("states"),
            actions: strings("actions"),
        }
    }

    fn showing(&self) -> bool {
        self.states.iter().any(|s| s == "showing")
    }

    fn interactive(&self) -> bool {
        INTERACTIVE.contains(&self.role.as_str()) || self.actions.iter().any(|a| a != "SetFocus")
    }
}

/// The app under AT-SPI, with its driver.
struct Window {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<Value>,
    pid: u32,
    quit: bool,
    _config: tempfile::TempDir,
    _one: MutexGuard<'static, ()>,
}

impl Window {
    /// Starts the app (with `env`) under its own Xvfb and buses; returns once its window is on
    /// the accessibility bus.
    fn open(env: &[(&str, &str)]) -> Self {
        let one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let config = tempfile::Builder::new()
            .prefix("async-jobs-a11y-")
            .tempdir()
            .expect("a temp folder"); // removed when the window is dropped
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(root().join("tests/a11y/driver.py"))
            .arg("--own-x")
            .arg(env!("CARGO_BIN_EXE_async-jobs"))
            .args(["--threads", "2"])
            .env("ASYNC_JOBS_CONFIG_DIR", config.path())
            .env("LANG", "C.UTF-8")
            .env_remove("LANGUAGE")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("AT_SPI_BUS_ADDRESS")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Its own process group: ended as a whole if the test fails half-way.
            .process_group(0);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .spawn()
            .expect("scripts/with-xvfb.sh starts (scripts/deps.sh installs what it needs)");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("driver: {line}"),
                }
            }
        });
        let mut window = Self {
            child,
            stdin,
            replies,
            pid: 0,
            quit: false,
            _config: config,
            _one: one,
        };
        let ready = window.reply("the app on the accessibility bus");
        assert_eq!(ready["ready"], true, "{ready}");
        window.pid = ready["pid"].as_u64().unwrap_or(0) as u32;
        window
    }

    fn reply(&mut self, what: &str) -> Value {
        match self.replies.recv_timeout(REQUEST_TIMEOUT) {
            Ok(v) => v,
            Err(e) => panic!("no answer from the AT-SPI driver for {what}: {e}"),
        }
    }

    fn ask(&mut self, request: Value) -> Value {
        writeln!(self.stdin, "{request}").expect("the driver reads its requests");
        self.stdin.flush().unwrap();
        self.reply(&request.to_string())
    }

    fn tree(&mut self) -> Vec<Node> {
        let reply = self.ask(json!({"cmd": "tree"}));
        assert_eq!(reply["ok"], true, "{reply}");
        reply["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(Node::from_json)
            .collect()
    }

    /// Invokes `action` of the showing node `role` named `name`.
    fn act(&mut self, role: &str, name: &str, action: &str) {
        let reply = self.ask(json!({"cmd": "act", "role": role, "name": name, "action": action}));
        assert_eq!(reply["ok"], true, "{action} on {role} “{name}”: {reply}");
    }

    fn press(&mut self, role: &str, name: &str) {
        self.act(role, name, "Press");
    }

    /// Replaces the text of the showing field named `name`.
    fn type_into(&mut self, name: &str, text: &str) {
        let reply =
            self.ask(json!({"cmd": "set_text", "role": "text", "name": name, "text": text}));
        assert_eq!(reply["ok"], true, "typing into “{name}”: {reply}");
    }

    /// Walks the tree until `found` picks a node from it (at most `timeout`).
    fn wait_for(&mut self, what: &str, timeout: Duration, found: impl Fn(&Node) -> bool) -> Node {
        let deadline = Instant::now() + timeout;
        loop {
            let tree = self.tree();
            if let Some(node) = tree.iter().find(|n| n.showing() && found(n)) {
                return node.clone();
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not there after {timeout:?}; the list items:\n{}",
                describe(tree.iter().filter(|n| n.role == "list item"))
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Quits as a person does (Ctrl+Q) and returns the app's exit status.
    /// Sends the app SIGTERM and waits for it to exit; its exit status.
    fn terminate(&mut self) -> i64 {
        self.quit = true;
        let pid = nix::unistd::Pid::from_raw(self.pid as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("the app runs");
        let reply = self.ask(json!({"cmd": "wait_exit", "timeout": 15}));
        assert_eq!(reply["ok"], true, "the app quits on SIGTERM: {reply}");
        reply["exit"].as_i64().unwrap_or(-1)
    }

    fn quit(&mut self) -> i64 {
        self.quit = true;
        let reply = self.ask(json!({"cmd": "key", "keys": ["ctrl+q"]}));
        assert_eq!(reply["ok"], true, "{reply}");
        let reply = self.ask(json!({"cmd": "wait_exit", "timeout": 15}));
        assert_eq!(reply["ok"], true, "the app quits on Ctrl+Q: {reply}");
        reply["exit"].as_i64().unwrap_or(-1)
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if !self.quit {
            // Ctrl+Q: the app cancels its jobs and kills their process groups itself.
            let _ = writeln!(self.stdin, "{}", json!({"cmd": "key", "keys": ["ctrl+q"]}));
            let _ = writeln!(self.stdin, "{}", json!({"cmd": "wait_exit", "timeout": 15}));
        }
        let _ = writeln!(self.stdin, "{}", json!({"cmd": "quit"}));
        let _ = self.stdin.flush();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // A hang: end the whole group (Xvfb, D-Bus, the driver, the app).
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGTERM);
        std::thread::sleep(Duration::from_secs(2));
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

fn describe<'a>(nodes: impl Iterator<Item = &'a Node>) -> String {
    nodes
        .map(|n| {
            format!(
                "  {} “{}” [{}] {:?}",
                n.role, n.name, n.description, n.actions
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Fails with every visible interactive node that has no name.
fn assert_every_control_is_named(tree: &[Node], when: &str) {
    let unnamed: Vec<&Node> = tree
        .iter()
        .filter(|n| n.showing() && n.interactive() && n.name.trim().is_empty())
        .collect();
    let controls = tree
        .iter()
        .filter(|n| n.showing() && n.interactive())
        .count();
    eprintln!(
        "{when}: {controls} visible interactive nodes, {} unnamed",
        unnamed.len()
    );
    assert!(
        unnamed.is_empty(),
        "{when}: {} of {controls} visible controls have no name:\n{}",
        unnamed.len(),
        describe(unnamed.into_iter())
    );
}

/// The showing list item (a job row) whose name starts with `title`.
fn row<'a>(tree: &'a [Node], title: &str) -> Option<&'a Node> {
    tree.iter()
        .find(|n| n.showing() && n.role == "list item" && n.name.starts_with(title))
}

/// Picks the kind named `kind` in the launcher (its Press action), types `inputs` into the
/// fields named by their labels, and presses Start.
fn start(window: &mut Window, kind: &str, inputs: &[(&str, &str)]) {
    window.press("list item", kind);
    for (field, text) in inputs {
        window.type_into(field, text);
    }
    window.press("push button", &format!("Start “{kind}”"));
}

#[test]
fn every_visible_control_of_the_idle_window_has_a_name() {
    let mut window = Window::open(&[]);
    let tree = window.tree();
    assert!(
        tree.iter()
            .any(|n| n.role == "list" && n.name == "Kinds of job"),
        "the launcher's kinds form a named list"
    );
    assert_every_control_is_named(&tree, "idle window");
    assert_eq!(window.quit(), 0);
}

#[test]
fn every_visible_control_has_a_name_with_a_row_of_each_kind() {
    let server = http_server::start();
    let downloads = tempfile::Builder::new()
        .prefix("async-jobs-a11y-downloads-")
        .tempdir()
        .unwrap();
    let mut window = Window::open(&[]);
    let fixtures = fixtures();
    let folder = downloads.path().display().to_string();
    // (the kind, its fields and what is typed into them, the row's title)
    type Kind<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let kinds: Vec<Kind<'_>> = vec![
        (
            "Hash a file",
            vec![("File", fixtures.join("abc.txt").display().to_string())],
            "Hash abc.txt",
        ),
        (
            "Scan a folder",
            vec![
                ("Folder", fixtures.join("scan").display().to_string()),
                ("Name pattern (*, ?, [abc])", "*.txt".into()),
            ],
            "Scan scan for *.txt",
        ),
        (
            "Compute: count primes",
            vec![("N (2 to 2000000000)", "2000000000".into())],
            "Count primes below 2,000,000,000",
        ),
        (
            "Pipeline",
            vec![("Size in MiB (1 to 1024)", "1".into())],
            "Pipeline of 1 MiB",
        ),
        (
            "Fan-out",
            vec![("Number of jobs (1 to 100000)", "100".into())],
            "Fan-out of 100 jobs",
        ),
        (
            "Race with timeout",
            vec![
                ("N (2 to 2000000000)", "1000".into()),
                ("Timeout in ms (empty: none)", "".into()),
            ],
            "Race to count primes below 1,000",
        ),
        ("Fail", vec![], "Fail"),
        ("Panic", vec![], "Panic"),
        ("Block the GUI thread", vec![], "Block the GUI thread"),
        (
            "Download a URL",
            vec![
                (
                    "URL (http:// or https://)",
                    format!("{}/crawl.bin", server.url),
                ),
                (
                    "Save to (a folder or a file name; empty: your Downloads folder)",
                    folder.clone(),
                ),
            ],
            "Download crawl.bin",
        ),
        (
            "Run a command",
            vec![("Command line", "sleep 60".into())],
            "Run sleep",
        ),
        ("Ask mid-job", vec![], "Ask mid-job"),
    ];
    // Newest first: each row is checked while it is on screen (a list view makes rows only
    // near its view, so the oldest are gone from the tree by the end).
    for (kind, inputs, title) in &kinds {
        let inputs: Vec<(&str, &str)> = inputs.iter().map(|(f, t)| (*f, t.as_str())).collect();
        start(&mut window, kind, &inputs);
        let row = window.wait_for(
            &format!("the row of {kind}"),
            Duration::from_secs(30),
            // A row's name goes on after its title ("Fail — failed"); a kind's does not.
            |n| n.role == "list item" && n.name.starts_with(&format!("{title} — ")),
        );
        eprintln!("row: {} [{}]", row.name, row.description);
        let tree = window.tree();
        assert_every_control_is_named(&tree, &format!("with the row of {kind}"));
    }
    // The Ask job's question is open over the window: its buttons count too.
    window.wait_for("the Ask job's question", Duration::from_secs(30), |n| {
        n.role == "push button" && n.name == "Yes"
    });
    let tree = window.tree();
    assert_every_control_is_named(&tree, "a row of each kind and the question");
    // A running row says what, where, its state and its progress; its Cancel says which.
    let download = row(&tree, "Download crawl.bin").unwrap();
    assert!(
        download
            .name
            .starts_with("Download crawl.bin — from 127.0.0.1 — running"),
        "{}",
        download.name
    );
    assert!(
        tree.iter().any(|n| n.showing()
            && n.role == "push button"
            && n.name == "Cancel Download crawl.bin"),
        "the running download's Cancel button names it"
    );
    window.press("push button", "No");
    drop(window);
    // The download was running when the window closed: its partial file must be gone.
    let partial: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".part"))
        .collect();
    assert!(partial.is_empty(), "quitting left {partial:?}");
}

#[test]
fn a_job_runs_and_shows_its_result_through_atspi_alone() {
    let mut window = Window::open(&[]);
    start(
        &mut window,
        "Compute: count primes",
        &[("N (2 to 2000000000)", "1000000")],
    );
    let done = window.wait_for("the prime count done", Duration::from_secs(60), |n| {
        n.role == "list item" && n.name == "Count primes below 1,000,000 — done"
    });
    assert_eq!(done.description, "78498 primes below 1000000");
    // A hash of a file typed in, the same way.
    let file = fixtures().join("abc.txt").display().to_string();
    start(&mut window, "Hash a file", &[("File", &file)]);
    let hashed = window.wait_for("the hash done", Duration::from_secs(60), |n| {
        n.role == "list item"
            && n.name.starts_with("Hash abc.txt — in ")
            && n.name.ends_with(" — done")
    });
    assert!(
        hashed.description.starts_with(
            "SHA-256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ),
        "{}",
        hashed.description
    );
    // Bad input: nothing starts, and the field's description says why.
    start(
        &mut window,
        "Compute: count primes",
        &[("N (2 to 2000000000)", "12x")],
    );
    let field = window.wait_for("the refusal", Duration::from_secs(10), |n| {
        n.role == "text" && n.name == "N (2 to 2000000000)"
    });
    assert_eq!(field.description, "“12x” is not a whole number");
    assert_eq!(window.quit(), 0);
}

#[test]
fn a_running_job_is_cancelled_through_atspi_and_keeps_what_it_had_done() {
    let mut window = Window::open(&[]);
    start(&mut window, "Hash a file", &[("File", "/dev/zero")]);
    let running = window.wait_for("the hash running", Duration::from_secs(30), |n| {
        n.role == "list item"
            && n.name.starts_with("Hash zero — in /dev — running")
            && n.description.contains("MiB read")
    });
    eprintln!("running row: {} [{}]", running.name, running.description);
    window.press("push button", "Cancel Hash zero");
    let cancelled = window.wait_for("the hash cancelled", Duration::from_secs(30), |n| {
        n.role == "list item" && n.name == "Hash zero — in /dev — cancelled"
    });
    assert!(
        cancelled.description.starts_with("stopped at: ")
            && cancelled.description.ends_with(" MiB read"),
        "a cancelled row keeps what it had done: {}",
        cancelled.description
    );
    // Its remove button, named for it, takes it out of the list.
    window.press("push button", "Remove Hash zero from the list");
    let tree = window.tree();
    assert!(row(&tree, "Hash zero").is_none(), "the row is gone");
    assert_eq!(window.quit(), 0);
}

/// The English texts of `translations/async-jobs_de.ts` that German shows differently, as
/// patterns of a whole name (`%1` stands for anything).
fn english_chrome() -> Vec<(String, regex_lite::Regex)> {
    let ts = std::fs::read_to_string(root().join("translations/async-jobs_de.ts"))
        .expect("the German translation is in the repository");
    let unescape = |s: &str| {
        s.replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let message = regex_lite::Regex::new(
        r"(?s)<message>\s*<source>(.*?)</source>\s*<translation>(.*?)</translation>",
    )
    .unwrap();
    let placeholder = regex_lite::Regex::new(r"%\d").unwrap();
    message
        .captures_iter(&ts)
        .filter_map(|c| {
            let (source, german) = (unescape(&c[1]), unescape(&c[2]));
            // Texts German writes the same ("Async Jobs", "%1 ms") say nothing.
            (source != german && source.chars().any(char::is_alphabetic)).then(|| {
                let pattern = placeholder
                    .split(&source)
                    .map(regex_lite::escape)
                    .collect::<Vec<_>>()
                    .join(".*");
                let pattern = regex_lite::Regex::new(&format!("^{pattern}$")).unwrap();
                (source, pattern)
            })
        })
        .collect()
}

#[test]
fn in_german_the_window_has_no_english_chrome() {
    let english = english_chrome();
    assert!(english.len() > 100, "{} texts", english.len());
    let mut window = Window::open(&[("LANG", "de_DE.UTF-8")]);
    // A job of its own, through the German names.
    window.press("list item", "Rechnen: Primzahlen zählen");
    window.type_into("N (2 bis 2000000000)", "1000000");
    window.press("push button", "„Rechnen: Primzahlen zählen“ starten");
    let row = window.wait_for("the German row", Duration::from_secs(60), |n| {
        n.role == "list item" && n.name == "Primzahlen unter 1.000.000 zählen — fertig"
    });
    eprintln!("row: {} [{}]", row.name, row.description);
    let tree = window.tree();
    let mut found = Vec::new();
    for node in tree.iter().filter(|n| n.showing()) {
        for text in [&node.name, &node.description] {
            // A row's name joins its parts with " — ": each part on its own.
            for part in std::iter::once(text.as_str()).chain(text.split(" — ")) {
                if let Some((source, _)) = english.iter().find(|(_, p)| p.is_match(part)) {
                    found.push(format!("{} “{part}” (English “{source}”)", node.role));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "English chrome in the German window:\n  {}",
        found.join("\n  ")
    );
    // And it is German: the Start button, the tool bar, the question's buttons.
    let named = |role: &str, name: &str| {
        tree.iter()
            .any(|n| n.showing() && n.role == role && n.name == name)
    };
    assert!(named("push button", "„Rechnen: Primzahlen zählen“ starten"));
    assert!(named("check box", "Diagnose"));
    assert!(named("push button", "Beendete entfernen"));
    assert_eq!(window.quit(), 0);
}

/// The processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| {
            let line = std::fs::read(e.path().join("cmdline")).ok()?;
            let line = String::from_utf8_lossy(&line).replace('\0', " ");
            line.contains(marker)
                .then(|| format!("{}: {line}", e.file_name().to_string_lossy()))
        })
        .collect()
}

/// How the app is asked to quit.
#[derive(Clone, Copy)]
enum Quit {
    /// Ctrl+Q, the platform's Quit key.
    Key,
    /// SIGTERM, as a logout or `kill` sends.
    Sigterm,
}

/// Starts a command with a child of its own and a download, quits the app `how`, and checks
/// that it exits with 0 and leaves no process and no file behind.
fn no_child_left_after(how: Quit) {
    let server = http_server::start();
    let downloads = tempfile::Builder::new()
        .prefix("async-jobs-a11y-quit-")
        .tempdir()
        .unwrap();
    // A program with a child of its own; the marker finds both (and nothing else).
    let marker = format!(
        "1000.{}{}",
        std::process::id(),
        match how {
            Quit::Key => 1,
            Quit::Sigterm => 2,
        }
    );
    let mut window = Window::open(&[]);
    start(
        &mut window,
        "Run a command",
        &[(
            "Command line",
            &format!("sh -c 'sleep {marker} & sleep {marker}1; wait'"),
        )],
    );
    start(
        &mut window,
        "Download a URL",
        &[
            (
                "URL (http:// or https://)",
                &format!("{}/crawl.bin", server.url),
            ),
            (
                "Save to (a folder or a file name; empty: your Downloads folder)",
                &downloads.path().display().to_string(),
            ),
        ],
    );
    window.wait_for("the download under way", Duration::from_secs(30), |n| {
        n.role == "list item"
            && n.name
                .starts_with("Download crawl.bin — from 127.0.0.1 — running")
            && n.description.contains(" of 8.0 MiB")
    });
    window.wait_for("the command running", Duration::from_secs(30), |n| {
        n.role == "list item" && n.name.starts_with("Run sh — ") && n.name.ends_with(" — running")
    });
    let before = processes_with(&marker);
    assert!(before.len() >= 3, "sh and its two sleeps run: {before:?}");
    assert!(
        downloads.path().join("crawl.bin.part").exists(),
        "the partial file is being written"
    );
    let exit = match how {
        Quit::Key => window.quit(),
        Quit::Sigterm => window.terminate(),
    };
    assert_eq!(exit, 0, "the app exits with status 0");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = processes_with(&marker);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        left = processes_with(&marker);
    }
    assert!(left.is_empty(), "children left after quit: {left:?}");
    let files: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(files.is_empty(), "files left after quit: {files:?}");
}

#[test]
fn no_child_left_after_quit_with_a_command_and_a_download_running() {
    no_child_left_after(Quit::Key);
}

#[test]
fn no_child_left_after_sigterm_with_a_command_and_a_download_running() {
    no_child_left_after(Quit::Sigterm);
}
