//! The structures under test, one file each, and the registry that names them.

pub mod locked;
