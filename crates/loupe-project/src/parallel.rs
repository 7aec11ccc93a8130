//! The parallel rounds: work spread over the machine's cores, each thread
//! with its own handle on the database (salsa shares the memos).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` over `items` on all cores. Each thread takes the next item
/// when it is done with its last, so a slow item (or core) does not leave the
/// others idle at the end. A panic on a thread (a salsa cancellation above
/// all) is resumed on the caller's thread once every thread has stopped, so
/// that `salsa::Cancelled::catch` around the call sees it as it was thrown.
pub(crate) fn on_all_cores<D: Clone + Send, T: Sync>(db: &D, items: &[T], work: impl Fn(&D, &T) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        items.iter().for_each(|item| work(db, item));
        return;
    }
    let next = AtomicUsize::new(0);
    let panicked = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let db = db.clone();
                let (work, next) = (&work, &next);
                scope.spawn(move || {
                    while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                        work(&db, item);
                    }
                })
            })
            .collect();
        // Every thread is joined here, so the scope itself never panics.
        let results: Vec<_> = handles.into_iter().map(|handle| handle.join()).collect();
        results.into_iter().find_map(Result::err)
    });
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
}
