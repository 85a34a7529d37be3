"""Code generation: LLVM IR for the host CPU from planned step graphs."""

from .cpu import CodegenError, Lowered, compile_object, emit_asm, emit_llvm, lower, target_id

__all__ = ["CodegenError", "Lowered", "compile_object", "emit_asm", "emit_llvm", "lower", "target_id"]
