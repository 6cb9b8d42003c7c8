//! The app's jobs as plain functions: what runs on the workers, and input validation.
//! Nothing here knows about Qt or the engine, so all of it is unit-tested directly.

use anyhow::Context as _;

/// The largest N the prime-counting jobs accept.
pub const MAX_LIMIT: u64 = 2_000_000_000;

/// Why a typed limit was refused; shown inline under the input field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Nothing typed.
    #[error("Enter a whole number N")]
    Empty,
    /// Not a whole number.
    #[error("“{0}” is not a whole number")]
    NotANumber(String),
    /// Below the smallest useful N.
    #[error("N must be at least 2")]
    TooSmall,
    /// Above [`MAX_LIMIT`].
    #[error("N must be at most {MAX_LIMIT}")]
    TooLarge,
}

/// Parses the N typed for a prime-counting job.
///
/// # Examples
///
/// ```
/// use async_jobs::work::{parse_limit, InputError};
/// assert_eq!(parse_limit(" 1000 "), Ok(1000));
/// assert_eq!(parse_limit("12x"), Err(InputError::NotANumber("12x".into())));
/// ```
pub fn parse_limit(text: &str) -> Result<u64, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InputError::Empty);
    }
    let digits: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(InputError::NotANumber(text.to_owned()));
    }
    // All digits: a parse error can only be an overflow.
    let n = digits.parse::<u64>().map_err(|_| InputError::TooLarge)?;
    match n {
        0 | 1 => Err(InputError::TooSmall),
        n if n > MAX_LIMIT => Err(InputError::TooLarge),
        n => Ok(n),
    }
}

/// Counts the primes below `n` with a segmented sieve of Eratosthenes (memory ~√n).
///
/// # Examples
///
/// ```
/// assert_eq!(async_jobs::work::count_primes_below(100), 25);
/// ```
pub fn count_primes_below(n: u64) -> u64 {
    count_primes_below_with(n, |_| true).unwrap_or_default()
}

/// [`count_primes_below`], calling `progress` with the fraction done after each segment; when
/// it returns `false` the count stops there and returns `None` (cancelled).
pub fn count_primes_below_with(n: u64, mut progress: impl FnMut(f64) -> bool) -> Option<u64> {
    if n <= 2 {
        progress(1.0);
        return Some(0);
    }
    let root = (n as f64).sqrt() as u64 + 1;
    let base = simple_sieve(root);
    const SEGMENT: u64 = 1 << 18;
    let mut count = 0;
    // No larger than the range: a count below 3 000 (the fan-out's jobs) needs 3 KB, not the
    // 256 KiB of a whole segment (a block that size is mapped and unmapped by the allocator,
    // which cost the fan-out 14x: page faults and TLB shootdowns on every job).
    let mut marks = vec![true; SEGMENT.min(n) as usize];
    let mut low = 2;
    while low < n {
        let high = (low + SEGMENT).min(n);
        let len = (high - low) as usize;
        marks[..len].fill(true);
        for &p in base.iter().take_while(|&&p| p * p < high) {
            let mut m = (low.div_ceil(p) * p).max(p * p);
            while m < high {
                marks[(m - low) as usize] = false;
                m += p;
            }
        }
        count += marks[..len].iter().filter(|&&b| b).count() as u64;
        low = high;
        if !progress(high as f64 / n as f64) {
            return None;
        }
    }
    Some(count)
}

fn simple_sieve(limit: u64) -> Vec<u64> {
    let mut is = vec![true; limit as usize + 1];
    let mut primes = Vec::new();
    for i in 2..=limit as usize {
        if is[i] {
            primes.push(i as u64);
            let mut j = i * i;
            while j <= limit as usize {
                is[j] = false;
                j += i;
            }
        }
    }
    primes
}

/// `true` when `n` is prime (trial division; fine for n ≤ [`MAX_LIMIT`]).
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n % 2 == 0 {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// The largest prime below `n` (`None` for n ≤ 2).
///
/// # Examples
///
/// ```
/// assert_eq!(async_jobs::work::largest_prime_below(100), Some(97));
/// ```
pub fn largest_prime_below(n: u64) -> Option<u64> {
    (2..n).rev().find(|&k| is_prime(k))
}

/// `len` bytes of deterministic pseudo-random data (xorshift), the "generate" step of a job.
pub fn generate_data(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// `len` bytes of text records ("record 000042: value 1764\n"…), the compressible "generate"
/// step of the pipeline. `progress` gets the fraction done per MiB and returns `false` to stop
/// (`None`).
///
/// # Examples
///
/// ```
/// let data = async_jobs::work::generate_records(100, |_| true).unwrap();
/// assert_eq!(data.len(), 100);
/// assert!(data.starts_with(b"record 000000: value 0\n"));
/// ```
pub fn generate_records(len: usize, mut progress: impl FnMut(f64) -> bool) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut out = Vec::with_capacity(len + 64);
    let mut next_report = 1 << 20;
    let mut i = 0u64;
    while out.len() < len {
        let _ = writeln!(out, "record {i:06}: value {}", i * i % 100_003);
        i += 1;
        if out.len() >= next_report {
            next_report += 1 << 20;
            if !progress(out.len() as f64 / len as f64) {
                return None;
            }
        }
    }
    out.truncate(len);
    progress(1.0).then_some(out)
}

/// Counts the primes below `n` by trial division: the slow contestant of the race job. Checks
/// `cancelled` every 4096 numbers (`None` once it says so).
///
/// # Examples
///
/// ```
/// use async_jobs::work::count_primes_by_trial_division;
/// assert_eq!(count_primes_by_trial_division(100, || false), Some(25));
/// ```
pub fn count_primes_by_trial_division(n: u64, cancelled: impl Fn() -> bool) -> Option<u64> {
    let mut count = 0;
    for k in 2..n {
        if k % 4096 == 0 && cancelled() {
            return None;
        }
        count += u64::from(is_prime(k));
    }
    Some(count)
}

/// FNV-1a over `data`.
pub fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Writes the "output" of the asking job: its checksum, as text.
pub fn write_output(path: &std::path::Path, checksum: u64) -> anyhow::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating {}", folder.display()))?;
    }
    std::fs::write(path, format!("{checksum:016x}\n"))
        .with_context(|| format!("writing {}", path.display()))
}

/// Where the failing job looks for its settings: a path that does not exist.
pub const MISSING_SETTINGS: &str = "/nonexistent/async-jobs/settings.toml";

/// The failing job: loading settings from a file that is not there. Its error has a chain of
/// three links (what we were doing, which file, the OS error).
pub fn load_settings(path: &str) -> anyhow::Result<String> {
    read_settings(path).context("loading the demo settings")
}

fn read_settings(path: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
}

/// The panicking job: indexes past the end of an empty list.
#[inline(never)]
pub fn explode() -> u32 {
    let empty: Vec<u32> = Vec::new();
    let index = empty.len() + 3;
    empty[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sieve_agrees_with_known_prime_counts() {
        for (n, pi) in [
            (10, 4),
            (1_000, 168),
            (1_000_000, 78_498),
            (10_000_019, 664_579),
        ] {
            assert_eq!(count_primes_below(n), pi, "π({n})");
        }
    }

    #[test]
    fn sieve_reports_rising_progress_ending_at_one() {
        let mut seen = Vec::new();
        count_primes_below_with(1_000_000, |f| {
            seen.push(f);
            true
        });
        assert!(seen.len() >= 3, "one report per segment: {seen:?}");
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(seen.last(), Some(&1.0));
    }

    #[test]
    fn sieve_stops_when_progress_says_so() {
        let mut calls = 0;
        let outcome = count_primes_below_with(10_000_000, |_| {
            calls += 1;
            calls < 3
        });
        assert_eq!(outcome, None);
        assert_eq!(calls, 3, "stopped at the third segment");
    }

    #[test]
    fn sieve_segments_join_without_gaps() {
        // 2^18 is the segment size: count across the boundary equals trial division.
        let n = (1 << 18) + 1000;
        let slow = (2..n).filter(|&k| is_prime(k)).count() as u64;
        assert_eq!(count_primes_below(n), slow);
    }

    #[test]
    fn bad_limits_are_refused_with_their_reason() {
        assert_eq!(parse_limit(""), Err(InputError::Empty));
        assert_eq!(parse_limit("  "), Err(InputError::Empty));
        assert_eq!(parse_limit("-5"), Err(InputError::NotANumber("-5".into())));
        assert_eq!(
            parse_limit("1e6"),
            Err(InputError::NotANumber("1e6".into()))
        );
        assert_eq!(parse_limit("1"), Err(InputError::TooSmall));
        assert_eq!(parse_limit("2000000001"), Err(InputError::TooLarge));
        assert_eq!(
            parse_limit("99999999999999999999999"),
            Err(InputError::TooLarge)
        );
        assert_eq!(parse_limit("1_000_000"), Ok(1_000_000));
    }

    #[test]
    fn checksum_of_generated_data_is_stable() {
        let a = checksum(&generate_data(1 << 16));
        assert_eq!(a, checksum(&generate_data(1 << 16)));
        assert_ne!(a, checksum(&generate_data((1 << 16) + 1)));
        assert_eq!(checksum(b""), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn missing_settings_error_keeps_its_chain() {
        let err = load_settings(MISSING_SETTINGS).unwrap_err();
        let chain: Vec<String> = err.chain().map(ToString::to_string).collect();
        assert_eq!(chain[0], "loading the demo settings");
        assert_eq!(chain[1], format!("reading {MISSING_SETTINGS}"));
        assert!(chain[2].contains("No such file"), "{chain:?}");
    }
}
