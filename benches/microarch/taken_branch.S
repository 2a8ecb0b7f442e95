# The two handlers of a two-instruction loop, as regwasm's threaded backend compiled them
# (`i32.add`, then `add_imm_br_if_i32.ne`), with the taken branch's new instruction pointer
# computed four ways (docs/performance.md, "jump offsets in bytes"). Build and run:
#   gcc -O2 taken_branch.c taken_branch.S -o /tmp/taken_branch && /tmp/taken_branch
# rdi: instruction pointer (24-byte ops, handler at +16), rsi: registers (8-byte cells).

# The branch handler up to its taken path: x += step, stored; leaves when x == rhs, else
# falls into the taken path with the offset in %rax. `store_after` swaps the store and the
# compare (variant K).
.macro BR_HEAD name, store_after=0
    .p2align 4
    .globl \name
\name:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
.if \store_after
    cmp (%rsi,%r11,8),%r8d
    mov %r8,(%rsi,%r10,8)
.else
    mov %r8,(%rsi,%r10,8)
    cmp (%rsi,%r11,8),%r8d
.endif
    jne 1f
    ret
1:
.endm

    .globl run_O
run_O:
    mov 0x10(%rdi),%rax
    jmp *%rax
    .p2align 4
    .globl O_add
O_add:
    movzwl 0x2(%rdi),%eax
    movzwl 0x4(%rdi),%r10d
    movzwl 0x6(%rdi),%r8d
    mov (%rsi,%r8,8),%r8d
    add (%rsi,%r10,8),%r8d
    mov %r8,(%rsi,%rax,8)
    mov 0x28(%rdi),%rax
    add $0x18,%rdi
    jmp *%rax

# O: offset in instructions, scaled with two `lea`s (the build before)
    BR_HEAD O_br
    lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rax
    mov 0x10(%rdi,%r10,8),%r11
    mov %rax,%rdi
    jmp *%r11

# B: offset already in bytes: one `add` (the build now)
    BR_HEAD B_br
    add %rax,%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11

# K: as O, the store after the compare
    BR_HEAD K_br, 1
    lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rax
    mov 0x10(%rdi,%r10,8),%r11
    mov %rax,%rdi
    jmp *%r11

# C: as O, the new pointer into %rdi first and the next handler loaded from it
    BR_HEAD C_br
    lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11

# D: `imul $24` and `add`
    BR_HEAD D_br
    imul $24,%rax,%rax
    add %rax,%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11

    .section .note.GNU-stack,"",@progbits
