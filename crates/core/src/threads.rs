//! Work on many sources' texts, shared among threads.

/// Answers for items grouped by source, the sources shared among `threads` threads: every
/// `threads`-th source to one thread, so that no two threads read one text. `groups[i]`
/// holds the positions (below `items`) of source `i`'s items, and `work(i, positions)` gives
/// one answer per position, in its order. The answers come back by position.
pub fn per_source<T: Send>(
    groups: &[Vec<usize>],
    items: usize,
    threads: usize,
    work: impl Fn(usize, &[usize]) -> Vec<T> + Sync,
) -> Vec<T> {
    let threads = threads.max(1);
    let work = &work;
    let parts: Vec<Vec<(usize, T)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|k| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    for (i, list) in groups.iter().enumerate().skip(k).step_by(threads) {
                        if !list.is_empty() {
                            out.extend(list.iter().copied().zip(work(i, list)));
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker thread does not panic"))
            .collect()
    });
    let mut out: Vec<Option<T>> = (0..items).map(|_| None).collect();
    for (at, answer) in parts.into_iter().flatten() {
        out[at] = Some(answer);
    }
    out.into_iter()
        .map(|a| a.expect("every item is in one group"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_back_by_position_on_any_number_of_threads() {
        let groups = vec![vec![3, 0], vec![], vec![1], vec![4, 2, 5]];
        for threads in [0, 1, 2, 3, 8] {
            let answers = per_source(&groups, 6, threads, |i, list| {
                list.iter().map(|&p| (i, p)).collect()
            });
            assert_eq!(
                answers,
                vec![(0, 0), (2, 1), (3, 2), (0, 3), (3, 4), (3, 5)],
                "{threads} threads"
            );
        }
    }
}
