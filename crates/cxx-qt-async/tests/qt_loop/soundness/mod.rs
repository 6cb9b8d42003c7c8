//! Proves, in a real Qt event loop, each claim in a process of its own: whatever safe code does
//! with the public API (a `Pin<&mut T>` held across an `.await`, a field borrowed across one, a
//! handle kept elsewhere, a lend inside a lend, a signal handler or an invokable behind cxx's
//! shims, a backing struct's `Drop`, a C++ `disconnect()`, dropping the runtime anywhere),
//! `QObjectRef::with` never lends an object that another `&mut` can reach or whose destruction
//! has begun, and no refusal aborts: it ends the offending coroutine and the app lives on. An
//! object destroyed synchronously while lent stops the process with a message. (What is not
//! proven here is cxx-qt's own rule: no nested event loop while Rust holds a `Pin<&mut T>`.)
//!
//! Each claim runs in a child process of the Qt-loop test binary (its group `soundness`; Qt
//! needs the process main thread), so one that aborts fails alone, and AddressSanitizer
//! (scripts/asan.sh) checks every one.

mod destruction;
mod harness;
mod lends;
mod refusals;

use harness::Claim;

/// Every claim, by name.
const CLAIMS: &[(&str, Claim)] = &[
    // Lends: no second `&mut` (lends.rs).
    (
        "a_rust_made_object_behind_a_bare_unique_ptr_is_never_lent",
        Claim::InLoop(|| {
            Box::pin(lends::a_rust_made_object_behind_a_bare_unique_ptr_is_never_lent())
        }),
    ),
    (
        "an_owner_reached_through_an_rc_is_not_lent_beside_its_pin_mut",
        Claim::InLoop(|| {
            Box::pin(lends::an_owner_reached_through_an_rc_is_not_lent_beside_its_pin_mut())
        }),
    ),
    (
        "a_field_borrowed_across_an_await_is_never_replaced_by_a_lend",
        Claim::InLoop(|| {
            Box::pin(lends::a_field_borrowed_across_an_await_is_never_replaced_by_a_lend())
        }),
    ),
    (
        "an_object_qml_made_is_lent_to_its_own_coroutines",
        Claim::InLoop(|| Box::pin(lends::an_object_qml_made_is_lent_to_its_own_coroutines())),
    ),
    (
        "a_boxed_object_is_lent_to_its_own_coroutines",
        Claim::InLoop(|| Box::pin(lends::a_boxed_object_is_lent_to_its_own_coroutines())),
    ),
    (
        "a_handle_that_escaped_its_coroutine_is_refused_outside_them",
        Claim::InLoop(|| {
            Box::pin(lends::a_handle_that_escaped_its_coroutine_is_refused_outside_them())
        }),
    ),
    (
        "another_objects_coroutine_is_refused",
        Claim::InLoop(|| Box::pin(lends::another_objects_coroutine_is_refused())),
    ),
    (
        "a_with_inside_a_with_of_the_same_object_is_refused",
        Claim::InLoop(|| Box::pin(lends::a_with_inside_a_with_of_the_same_object_is_refused())),
    ),
    // Destruction (destruction.rs).
    (
        "a_lend_is_refused_from_the_backing_structs_drop",
        Claim::InLoop(|| Box::pin(destruction::a_lend_is_refused_from_the_backing_structs_drop())),
    ),
    (
        "a_lend_is_refused_after_cpp_disconnected_everything",
        Claim::InLoop(|| {
            Box::pin(destruction::a_lend_is_refused_after_cpp_disconnected_everything())
        }),
    ),
    (
        "the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do",
        Claim::InLoop(|| {
            Box::pin(
                destruction::the_cxx_objects_destruction_ends_its_coroutines_whatever_its_rust_fields_do(),
            )
        }),
    ),
    (
        "a_box_dropped_inside_a_lend_is_deleted_by_the_event_loop_after_it",
        Claim::InLoop(|| {
            Box::pin(
                destruction::a_box_dropped_inside_a_lend_is_deleted_by_the_event_loop_after_it(),
            )
        }),
    ),
    (
        "an_object_destroyed_while_lent_stops_the_process_with_a_message",
        Claim::Stops {
            run: destruction::an_object_destroyed_while_lent,
            message: "destroyed while QObjectRef::with lent it",
        },
    ),
    // Refusals that end a coroutine, never the app (refusals.rs).
    (
        "a_with_refused_inside_a_signal_handler_ends_the_coroutine_and_the_app_lives_on",
        Claim::InLoop(|| {
            Box::pin(
                refusals::a_with_refused_inside_a_signal_handler_ends_the_coroutine_and_the_app_lives_on(),
            )
        }),
    ),
    (
        "an_escaped_handle_used_from_an_invokable_is_refused_and_the_app_lives_on",
        Claim::InLoop(|| {
            Box::pin(
                refusals::an_escaped_handle_used_from_an_invokable_is_refused_and_the_app_lives_on(
                ),
            )
        }),
    ),
    (
        "dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working",
        Claim::InLoop(|| {
            Box::pin(
                refusals::dropping_the_qt_runtime_inside_a_coroutine_is_refused_and_it_keeps_working(),
            )
        }),
    ),
    (
        "a_coroutine_that_owns_the_runtime_and_panics_ends_panicked_and_the_app_lives_on",
        Claim::InLoop(|| {
            Box::pin(
                refusals::a_coroutine_that_owns_the_runtime_and_panics_ends_panicked_and_the_app_lives_on(),
            )
        }),
    ),
    (
        "a_runtime_dropped_by_a_cpp_destructor_inside_a_drain_is_refused",
        Claim::InLoop(|| {
            Box::pin(refusals::a_runtime_dropped_by_a_cpp_destructor_inside_a_drain_is_refused())
        }),
    ),
    (
        "a_spawn_while_the_qt_runtime_shuts_down_installs_no_second_runtime",
        Claim::Process(
            refusals::a_spawn_while_the_qt_runtime_shuts_down_installs_no_second_runtime,
        ),
    ),
];

/// The soundness group of the Qt-loop binary: every claim, each in a child process.
pub fn main() -> std::process::ExitCode {
    harness::main(CLAIMS)
}
