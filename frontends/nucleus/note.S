/*
 * The Dyad ELF note (abi.h): entry, flags, the vectors table and the
 * nucleus range, read by the builder before anything runs.  4-byte
 * aligned note fields as in every GNU/Linux note; the builder copies the
 * descriptor rather than dereferencing it in place.
 */
	.section .note.dyad, "a", @note
	.balign 4
	.long	5			/* namesz: "Dyad\0" */
	.long	40			/* descsz: struct dyad_elfnote_boot */
	.long	1			/* DYAD_ELFNOTE_BOOT */
	.asciz	"Dyad"
	.balign 4
	.long	1			/* version: DYAD_ELFNOTE_VERSION */
	.long	1			/* flags: DYAD_BOOT_F_RING3_RUNTIME */
	.quad	nucleus_entry
	.quad	nucleus_vectors
	.quad	nucleus_start
	.quad	nucleus_end
	.balign 4

	.section .note.GNU-stack, "", @progbits
