//! Every parser of what a person types into the window, fed arbitrary strings: never a panic,
//! always either a value in range or a message to show; and every value in range, typed the
//! ways a person types it, is read back.

use async_jobs::files::{parse_file, parse_folder, parse_pattern};
use async_jobs::jobs::{parse_count, MAX_FANOUT, MAX_PIPELINE_MIB, MAX_TIMEOUT_MS};
use async_jobs::work::{parse_limit, MAX_LIMIT};
use proptest::prelude::*;

/// Strings a person might type, and worse: any Unicode, digits with noise, huge numbers.
fn typed() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ 0-9_,.+-]{0,30}",
        "[0-9]{15,40}",
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_prime_limit_is_a_value_in_range_or_a_message(text in typed()) {
        match parse_limit(&text) {
            Ok(n) => prop_assert!((2..=MAX_LIMIT).contains(&n)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn every_prime_limit_in_range_reads_back(n in 2..=MAX_LIMIT) {
        prop_assert_eq!(parse_limit(&n.to_string()), Ok(n));
        prop_assert_eq!(parse_limit(&format!("  {n} ")), Ok(n));
    }

    #[test]
    fn counts_sizes_and_timeouts_are_values_in_range_or_a_message(text in typed()) {
        for (what, max) in [("number of jobs", MAX_FANOUT), ("size in MiB", MAX_PIPELINE_MIB), ("timeout in ms", MAX_TIMEOUT_MS)] {
            match parse_count(&text, what, max) {
                Ok(n) => prop_assert!((1..=max).contains(&n)),
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }
    }

    #[test]
    fn every_count_in_range_reads_back(n in 1..=MAX_FANOUT) {
        prop_assert_eq!(parse_count(&format!(" {n}"), "number of jobs", MAX_FANOUT), Ok(n));
    }

    #[test]
    fn paths_and_patterns_are_accepted_or_explained(text in typed()) {
        if let Err(e) = parse_file(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
        if let Err(e) = parse_folder(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
        if let Err(e) = parse_pattern(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
