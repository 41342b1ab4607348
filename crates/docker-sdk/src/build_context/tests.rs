//! Tests of the whole context: trees on disk, archives read back.
