/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * This file implements the coroutine switch for x86-64 System V: save the
 * six callee-saved registers and the x87/SSE control words on the old stack,
 * swap stack pointers, restore from the new stack. The trampoline a fresh
 * stack starts in declares its return address undefined, which tells
 * libunwind (and gdb) that the task's stack ends there.
 */
	.text

	.globl	sim__ctx_switch
	.type	sim__ctx_switch, @function
	/* void sim__ctx_switch(void **from_sp (%rdi), void *to_sp (%rsi)) */
sim__ctx_switch:
	.cfi_startproc
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	subq	$8, %rsp
	.cfi_adjust_cfa_offset 8
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	sim__ctx_switch, .-sim__ctx_switch

	.globl	sim__ctx_entry
	.type	sim__ctx_entry, @function
	/* First code on a fresh stack: %r12 = arg, %r13 = entry. */
sim__ctx_entry:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r12, %rdi
	callq	*%r13
	ud2
	.cfi_endproc
	.size	sim__ctx_entry, .-sim__ctx_entry

	.section .note.GNU-stack,"",@progbits
