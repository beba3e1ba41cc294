//! Command groups: one module each, with `Args` and `run(args, &Ctx)`.

pub mod check;
pub mod convert;
pub mod price;
