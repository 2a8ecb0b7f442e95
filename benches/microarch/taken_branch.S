# The two handlers of a two-instruction loop, as regwasm's threaded backend compiled them
# (`i32.add`, then `add_imm_br_if_i32.ne`), with the taken branch's new instruction pointer
# computed four ways (docs/performance.md, "jump offsets in bytes"). Build and run:
#   gcc -O2 taken_branch.c taken_branch.S -o /tmp/taken_branch && /tmp/taken_branch
# rdi: instruction pointer (24-byte ops, handler at +16), rsi: registers (8-byte cells).
# O: offset in instructions, scaled with two `lea`s (the build before)
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
    .p2align 4
    .globl O_br
O_br:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
    mov %r8,(%rsi,%r10,8)
    cmp (%rsi,%r11,8),%r8d
    jne 1f
    ret
1:  lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rax
    mov 0x10(%rdi,%r10,8),%r11
    mov %rax,%rdi
    jmp *%r11
# B: offset already in bytes: one `add` (the build now)
    .p2align 4
    .globl B_br
B_br:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
    mov %r8,(%rsi,%r10,8)
    cmp (%rsi,%r11,8),%r8d
    jne 1f
    ret
1:  add %rax,%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11
# K: as O, the store after the compare
    .p2align 4
    .globl K_br
K_br:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
    cmp (%rsi,%r11,8),%r8d
    mov %r8,(%rsi,%r10,8)
    jne 1f
    ret
1:  lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rax
    mov 0x10(%rdi,%r10,8),%r11
    mov %rax,%rdi
    jmp *%r11
# C: as O, the new pointer into %rdi first and the next handler loaded from it
    .p2align 4
    .globl C_br
C_br:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
    mov %r8,(%rsi,%r10,8)
    cmp (%rsi,%r11,8),%r8d
    jne 1f
    ret
1:  lea (%rax,%rax,2),%r10
    lea (%rdi,%r10,8),%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11
# D: `imul $24` and `add`
    .p2align 4
    .globl D_br
D_br:
    movzwl 0x2(%rdi),%r10d
    movswl 0x4(%rdi),%r8d
    movzwl 0x6(%rdi),%r11d
    add (%rsi,%r10,8),%r8d
    movslq 0x8(%rdi),%rax
    mov %r8,(%rsi,%r10,8)
    cmp (%rsi,%r11,8),%r8d
    jne 1f
    ret
1:  imul $24,%rax,%rax
    add %rax,%rdi
    mov 0x10(%rdi),%r11
    jmp *%r11
    .section .note.GNU-stack,"",@progbits
