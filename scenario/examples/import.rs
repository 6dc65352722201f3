//! Prints the scenario the Go or Rust importer makes of each file named on the command line, without
//! running it (`cargo run -p mapcheck-scenario --example import -- FILE...`): a quick look while
//! working on the importers. `mapcheck scenario import` is the command that runs and keeps one.

fn main() {
    for file in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{file}: cannot read: {e}");
                continue;
            }
        };
        let scale = mapcheck_scenario::go::Scale::default();
        let result = if file.ends_with(".rs") {
            mapcheck_scenario::rust::import(&file, &text, scale)
                .map(|r| r.scenario)
                .map_err(|e| e.to_string())
        } else {
            mapcheck_scenario::go::import(&file, &text, scale)
                .map(|g| g.scenario)
                .map_err(|e| e.to_string())
        };
        match result {
            Ok(s) => println!("== {file}\n{}", s.to_toml()),
            Err(e) => println!("== {file}\nerror: {e}\n"),
        }
    }
}
