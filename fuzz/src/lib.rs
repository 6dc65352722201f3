//! Placeholder for the fuzz targets: the crate builds and links the harness and the models, so the
//! workspace layout is final; the libFuzzer targets (operations, schedules, scenario files) and their
//! seed corpora are added by the fuzzing work.
