//! The process's memory: what the diagnostics panel shows, and giving freed memory back.
//!
//! glibc's allocator keeps the memory a program frees for its own reuse: after a job freed a
//! 32 MiB buffer, or a fan-out its thousands of tasks, the heap in use is back where it was but
//! the resident size is not, and a window that ran a few big jobs looks as if it leaked. Measured
//! with heaptrack over a 240 s soak (`scripts/soak.sh`): the live heap never rose above 38 MB
//! between bursts, while the resident size climbed to 170–200 MB and stayed there. The
//! process's memory map showed where: two worker-thread arenas of 64 and 32 MB, fully resident,
//! with 40 MB of the whole heap in use. glibc raises its mmap threshold to the size of every
//! large block freed (up to 32 MiB) and its trim threshold to twice that, so after one 32 MiB
//! buffer the next ones come from an arena, and the free space at the top of a worker's arena is
//! never given back (`malloc_trim` trims the top of the main arena only).
//!
//! Two remedies, both glibc's own knobs:
//! * [`tune_allocator`], first thing in `main`: fixed thresholds (glibc's defaults, 128 KiB),
//!   so large blocks are always mapped and unmapped, and freed space at the top of any arena
//!   goes back at once;
//! * [`trim`], run on a worker by the diagnostics panel once a burst of allocations has been
//!   freed (see [`Trimmer`]): gives back the whole free pages inside every arena.
//!
//! Elsewhere than Linux with glibc the heap figure is unknown and trimming does nothing.

/// How much memory the process uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Resident set size, bytes (`VmRSS`); 0 if unknown.
    pub resident: u64,
    /// Bytes the allocator has handed out and not yet got back (glibc's `mallinfo2`:
    /// allocated in its arenas plus mapped for large blocks); `None` where unknown.
    pub heap_in_use: Option<u64>,
}

/// How much memory the process uses now.
///
/// Walks the allocator's free lists (it locks each arena in turn), so call it off the GUI
/// thread when the heap is large.
///
/// # Examples
///
/// ```
/// let before = async_jobs::memory::usage();
/// let block = std::hint::black_box(vec![1u8; 8 << 20]);
/// let during = async_jobs::memory::usage();
/// assert!(during.resident > 0);
/// if let (Some(a), Some(b)) = (before.heap_in_use, during.heap_in_use) {
///     assert!(b >= a + (6 << 20));
/// }
/// drop(block);
/// ```
pub fn usage() -> Usage {
    Usage {
        resident: resident().unwrap_or(0),
        heap_in_use: heap_in_use(),
    }
}

fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_in_use() -> Option<u64> {
    // SAFETY: `mallinfo2` has no preconditions: it initialises the allocator if needed and takes
    // each arena's lock while it reads it; it returns a plain struct by value.
    let info = unsafe { libc::mallinfo2() };
    Some((info.uordblks + info.hblkhd) as u64)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_in_use() -> Option<u64> {
    None
}

/// Fixes glibc's mmap and trim thresholds at their defaults (128 KiB), which turns off their
/// growth with every large block freed: large blocks are always mapped (and unmapped when
/// freed) and free space at the top of an arena is given back once it passes 128 KiB. Does
/// nothing elsewhere than Linux with glibc.
///
/// # Safety
///
/// Call it before the process starts any thread (first thing in `main`): glibc's `mallopt` is
/// not thread-safe (other threads' `malloc` and `free` read the thresholds without a lock).
pub unsafe fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const THRESHOLD: libc::c_int = 128 * 1024;
        // SAFETY: the caller guarantees that no other thread exists (this function's own
        // contract), so nothing reads the thresholds while `mallopt` writes them.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, THRESHOLD);
        }
    }
}

/// Gives the free pages the allocator holds back to the system (glibc's `malloc_trim(0)`: every
/// arena, not only the top of the main one). Returns whether any memory was released. Takes a
/// millisecond or so on a large fragmented heap while it holds each arena's lock in turn: run it
/// on a worker (`spawn_blocking`), never on the GUI thread.
///
/// # Examples
///
/// ```
/// let blocks: Vec<Vec<u8>> = (0..64).map(|_| vec![1u8; 100_000]).collect();
/// drop(std::hint::black_box(blocks));
/// async_jobs::memory::trim();
/// ```
pub fn trim() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` has no preconditions: it locks each arena while it releases
        // its free pages (`madvise(MADV_DONTNEED)` on whole free pages, which stay mapped and
        // valid for later allocations); no block in use is touched.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// Decides when to [`trim`]: once the heap in use has fallen by `slack` bytes from the highest
/// figure seen since the last trim (a burst of allocations has been freed). Feed it every
/// reading of [`usage`].
///
/// # Examples
///
/// ```
/// use async_jobs::memory::Trimmer;
/// let mut trimmer = Trimmer::new(8 << 20);
/// assert!(!trimmer.should_trim(Some(40 << 20)));
/// assert!(!trimmer.should_trim(Some(100 << 20))); // a burst
/// assert!(trimmer.should_trim(Some(41 << 20))); // freed again: trim now
/// assert!(!trimmer.should_trim(Some(41 << 20))); // and only once
/// ```
#[derive(Debug, Clone)]
pub struct Trimmer {
    slack: u64,
    high: u64,
}

impl Trimmer {
    /// A trimmer that trims once `slack` bytes have been freed since the last trim.
    pub fn new(slack: u64) -> Self {
        Self { slack, high: 0 }
    }

    /// Whether to trim now, given the heap in use now (`None`: unknown, never).
    pub fn should_trim(&mut self, heap_in_use: Option<u64>) -> bool {
        let Some(now) = heap_in_use else { return false };
        self.high = self.high.max(now);
        if self.high - now >= self.slack {
            self.high = now;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_freed_is_trimmed_once() {
        let mut t = Trimmer::new(10);
        let heap = [50, 60, 100, 95, 89, 89, 120, 111, 109, 109];
        let trims: Vec<bool> = heap.iter().map(|&h| t.should_trim(Some(h))).collect();
        assert_eq!(
            trims,
            [false, false, false, false, true, false, false, false, true, false]
        );
    }

    #[test]
    fn an_unknown_heap_is_never_trimmed() {
        let mut t = Trimmer::new(0);
        assert!(!t.should_trim(None));
    }

    /// Whether this process is the child that measures `test` alone. Otherwise runs it alone:
    /// the heap is the whole process's, and the other tests of this binary allocate and free
    /// on their own threads beside it. So `test` runs in a child process (this test binary
    /// again, that one test only, on one thread), whose success is asserted here.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn measuring_alone(test: &str) -> bool {
        const ALONE: &str = "ASYNC_JOBS_HEAP_TEST_ALONE";
        if std::env::var_os(ALONE).is_some() {
            return true;
        }
        let name = format!("memory::tests::{test}");
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &name, "--test-threads=1", "--nocapture"])
            .env(ALONE, "1")
            .output()
            .expect("the test binary runs again");
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "{test} alone in its process: {}\n{text}",
            out.status
        );
        false
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_heap_figure_follows_an_allocation() {
        if !measuring_alone("the_heap_figure_follows_an_allocation") {
            return;
        }
        let before = heap_in_use().unwrap();
        let block = std::hint::black_box(vec![7u8; 64 << 20]);
        let during = heap_in_use().unwrap();
        assert!(during >= before + (48 << 20), "{before} -> {during}");
        drop(block);
        assert!(heap_in_use().unwrap() < during - (32 << 20));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_blocks_inside_the_heap_are_given_back() {
        // Alone: beside other tests, malloc_trim could give back their freed memory instead.
        if !measuring_alone("freed_blocks_inside_the_heap_are_given_back") {
            return;
        }
        // 64 blocks under the mmap threshold (so inside an arena), pinned by one block after
        // them so that freeing them leaves a free chunk inside the arena, not at its top.
        let blocks: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 100_000]).collect();
        let pin = std::hint::black_box(vec![1u8; 1000]);
        drop(std::hint::black_box(blocks));
        assert!(trim(), "malloc_trim released nothing");
        drop(pin);
    }
}
