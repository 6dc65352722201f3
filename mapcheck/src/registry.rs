//! The registry: the structures a check, a scenario or a replay can name, as a value that is passed
//! in. The built-in zoo comes from `mapcheck-models` (its `zoo` feature); the command line adds the third-party
//! adapters, a user's test adds their own map.

use mapcheck_harness::Entry;

/// Structures by name, in the order the check matrix lists them.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Entry>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// A registry of `entries`, in their order (the built-in zoo is `mapcheck_models::structures()`
    /// with the models crate's `zoo` feature).
    pub fn of(entries: Vec<Entry>) -> Registry {
        Registry { entries }
    }

    /// This registry with `more` structures after its own; a name already present is an error.
    pub fn with(mut self, more: impl IntoIterator<Item = Entry>) -> Result<Registry, String> {
        for e in more {
            if self.get(e.info.name).is_some() {
                return Err(format!("structure `{}` is registered twice", e.info.name));
            }
            self.entries.push(e);
        }
        Ok(self)
    }

    /// The structure named `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.info.name == name)
    }

    /// Every structure, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.entries.iter().map(|e| e.info.name).collect()
    }

    /// The structure named `name`, or an error listing the names there are.
    pub fn require(&self, name: &str) -> Result<&Entry, String> {
        self.get(name)
            .ok_or_else(|| crate::bounds::unknown_name("structure", name, &self.names()))
    }
}
