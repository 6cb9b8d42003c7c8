//! The rules the engine asserts, named once so that every assertion quotes the same words.

/// The rule every affinity assertion names.
///
/// # Examples
///
/// ```
/// // The text of the engine's thread assertions: a test can look for it in a panic message.
/// assert!(cxx_qt_async_engine::GUI_THREAD_RULE.contains("GUI thread"));
/// ```
pub const GUI_THREAD_RULE: &str =
    "cxx-qt-async rule: coroutines are spawned, polled and dropped only on the GUI thread \
     (the event-loop thread that installed the runtime)";
