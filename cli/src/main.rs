//! The mapcheck command line.
fn main() {}
