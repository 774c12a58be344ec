#!/bin/sh
# SPDX-License-Identifier: MIT
# Generate the kernel symbol table (assembly, GNU as syntax) from a linked
# kernel: every function symbol (nm types t/T), sorted by address, with its
# size.  With no argument, emit an empty table for the first link.
#
# usage: gen-symbols.sh [kernel.elf] > symbols.S
set -eu
NM=${NM:-nm}

emit_header() {
	printf '\t.section .note.GNU-stack, "", @progbits\n\t.section .ksyms, "a"\n\t.balign 8\n'
	printf '\t.globl ksym_count, ksym_table, ksym_names\n'
}

if [ $# -eq 0 ]; then
	emit_header
	printf 'ksym_count:\n\t.quad 0\nksym_table:\nksym_names:\n\t.byte 0\n'
	exit 0
fi

"$NM" -n -S --defined-only "$1" | awk '
	# With a size: "addr size type name"; without: "addr type name".
	NF == 4 { addr = $1; size = $2; type = $3; name = $4 }
	NF == 3 { addr = $1; size = "0"; type = $2; name = $3 }
	NF != 3 && NF != 4 { next }
	type != "t" && type != "T" { next }
	name ~ /^\./ { next }
	{ n++; a[n] = addr; s[n] = size; nm[n] = name }
	END {
		printf "\t.section .note.GNU-stack, \"\", @progbits\n\t.section .ksyms, \"a\"\n\t.balign 8\n"
		printf "\t.globl ksym_count, ksym_table, ksym_names\n"
		printf "ksym_count:\n\t.quad %d\nksym_table:\n", n
		off = 0
		for (i = 1; i <= n; i++) {
			printf "\t.quad 0x%s\n\t.long %d, 0x%s\n", a[i], off, s[i]
			off += length(nm[i]) + 1
		}
		printf "ksym_names:\n"
		for (i = 1; i <= n; i++)
			printf "\t.asciz \"%s\"\n", nm[i]
	}'
