//! stub

pub(super) fn case_count() -> usize {
    0
}
