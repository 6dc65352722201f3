//! Sharded maps: a slice or array of structs that each hold a map (and usually a lock), reached
//! through a helper that picks the shard of a key (`getShard(key)`). The scenario's map is the
//! whole sharded map: an operation on a key's shard is that operation on the map, and a loop over
//! every shard is one whole-map operation (a clear that empties each shard, a count that adds up
//! each shard's length, an iteration over each).

use super::ast::{elem_type, Expr, Stmt};
use super::eval::{map_kind, Env, Flow, Importer, Val};
use crate::{Spelling, Step};
use mapcheck_harness::{DeleteIf, Op};
use std::collections::HashMap;

impl Importer {
    /// The text of the type an expression has, when the evaluator knows it: a field of a declared
    /// struct, or a value of a declared type.
    pub(super) fn type_text(&self, e: &Expr, env: &Env) -> Option<String> {
        match e {
            Expr::Selector(..) => self.field_type(e, env).map(|(_, _, ty)| ty),
            Expr::Ident(n) => match Self::lookup(env, n) {
                Some(Val::Obj(t)) => Some(self.types.get(&t).and_then(|d| d.alias.clone()).unwrap_or(t)),
                _ => None,
            },
            Expr::Unary(_, x) => self.type_text(x, env),
            _ => None,
        }
    }

    /// Whether a declared struct type holds a map in one of its fields.
    pub(super) fn holds_map(&self, ty: &str) -> bool {
        self.types.get(ty).is_some_and(|d| {
            d.fields
                .iter()
                .any(|(_, t)| map_kind(t, &self.types).is_some() && !t.starts_with("atomic."))
        })
    }

    /// For a slice or array of shards (structs that hold a map), the shards' type.
    pub(super) fn shard_elem(&self, e: &Expr, env: &Env) -> Option<String> {
        let ty = self.type_text(e, env)?;
        let elem = elem_type(&ty)?;
        (ty.starts_with('[') && self.holds_map(elem)).then(|| elem.to_string())
    }

    /// Whether statements index a slice of shards (`shard := m.shards[i]`): a counting loop over
    /// the shards.
    pub(super) fn indexes_shards(&self, body: &[Stmt], env: &Env) -> bool {
        fn expr(me: &Importer, e: &Expr, env: &Env) -> bool {
            match e {
                Expr::Index(x, i) => me.shard_elem(x, env).is_some() || expr(me, x, env) || expr(me, i, env),
                Expr::Selector(x, _) | Expr::Unary(_, x) => expr(me, x, env),
                Expr::Binary(_, a, b) => expr(me, a, env) || expr(me, b, env),
                Expr::Call(f, args) => expr(me, f, env) || args.iter().any(|a| expr(me, a, env)),
                _ => false,
            }
        }
        body.iter().any(|s| match s {
            Stmt::Assign(l, _, r, _) => l.iter().chain(r).any(|e| expr(self, e, env)),
            Stmt::Expr(e, _) | Stmt::Defer(e, _) => expr(self, e, env),
            Stmt::Range(_, over, _, _) => expr(self, over, env),
            _ => false,
        })
    }

    /// A loop over every shard, run once as one whole-map operation: emptying each shard is the
    /// map's clear; the other operations are the map's, each once.
    pub(super) fn shard_loop(
        &mut self,
        bind: &[(String, Val)],
        body: &[Stmt],
        env: &mut Env,
        line: usize,
    ) -> Flow {
        let saved = self.b.deferred.replace(Vec::new());
        let was = std::mem::replace(&mut self.in_shard_loop, true);
        env.push(HashMap::new());
        for (name, v) in bind {
            Self::define(env, name, v.clone());
        }
        let flow = self.block(body, env);
        env.pop();
        self.in_shard_loop = was;
        let ops = self.b.deferred.take().unwrap_or_default();
        self.b.deferred = saved;
        let mut out: Vec<Step> = Vec::new();
        for step in ops {
            let step = match step.op {
                Op::Clear
                | Op::Reclaim
                | Op::Iterate {
                    delete: DeleteIf::All,
                } => Step {
                    op: Op::Clear,
                    spelling: Spelling::Clear,
                },
                _ => step,
            };
            if !out.contains(&step) {
                out.push(step);
            }
        }
        if !out.is_empty() {
            let shown: Vec<String> = out.iter().map(|s| s.to_string()).collect();
            self.note_once(format!(
                "line {line}: a loop over every shard is one operation on the whole map: {}",
                shown.join(", ")
            ));
        }
        for s in out {
            self.emit(s.op, s.spelling, line);
        }
        match flow {
            Flow::Return(v) => Flow::Return(v),
            _ => Flow::Normal,
        }
    }

    /// Whether the script's design is sharded: a declared slice or array (a named type, or a
    /// struct's field) of structs that hold a map, or of maps.
    pub(super) fn sharded_design(&self) -> bool {
        let shards = |ty: &str| {
            ty.starts_with('[') && elem_type(ty).is_some_and(|e| self.holds_map(e) || e.starts_with("map["))
        };
        self.types
            .values()
            .any(|d| d.alias.as_deref().is_some_and(shards) || d.fields.iter().any(|(_, t)| shards(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::ast::elem_type;

    #[test]
    fn element_types() {
        assert_eq!(elem_type("[]*shard"), Some("shard"));
        assert_eq!(elem_type("[32]Shard"), Some("Shard"));
        assert_eq!(elem_type("map[string]*entry"), Some("entry"));
        assert_eq!(elem_type("map[[2]int]int"), Some("int"));
        assert_eq!(elem_type("shard"), None);
    }
}
