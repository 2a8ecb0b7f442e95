//! Whole expressions: instruction sequences closed by a matching `end`, read the way the spec's
//! decoder does (blocks nest, `else` only once inside an `if`).

use super::module_info::ConstExpr;
use super::operator::Operator;
use super::operators::read_operator;
use super::reader::Reader;
use crate::error::DecodeError;

/// Reads instructions up to and including the `end` that closes the expression. `visit` sees
/// every instruction with its offset, except that final `end`.
pub(crate) fn read_expr(
    r: &mut Reader<'_>,
    mut visit: impl FnMut(Operator, usize),
) -> Result<(), DecodeError> {
    // One entry per open construct: whether it is an `if` that may still take an `else`. The
    // bottom entry is the expression itself.
    let mut open = vec![false];
    loop {
        let at = r.offset();
        let op = read_operator(r)?;
        match op {
            Operator::Block(_) | Operator::Loop(_) => open.push(false),
            Operator::If(_) => open.push(true),
            Operator::Else => match open.last_mut() {
                Some(may_else) if *may_else => *may_else = false,
                // The spec stops the block at the `else` and then wants its `end`.
                _ => return Err(DecodeError::new("END opcode expected", at)),
            },
            Operator::End => {
                open.pop();
                if open.is_empty() {
                    return Ok(());
                }
            }
            _ => {}
        }
        visit(op, at);
    }
}

/// A constant expression. Like the spec, it is read without regard to the enclosing section's
/// size; the section size check catches any overrun afterwards.
pub(crate) fn const_expr(r: &mut Reader<'_>) -> Result<ConstExpr, DecodeError> {
    let offset = r.offset();
    let mut ops = Vec::new();
    read_expr(r, |op, _| ops.push(op))?;
    Ok(ConstExpr { ops, offset })
}
